"""Find the desa/kelurahan (or kecamatan) an SMS names, forgiving spelling: pure functions.

`112 KEBAKARAN Desa Hanga-Hanga rumah terbakar` → the kelurahan "Hanga Hanga" and the rest
"rumah terbakar". Names are compared without case, spaces, hyphens or apostrophes; the longest
run of words that names a place wins, exact before fuzzy. "Desa"/"Kel."/"Kec." are optional
and steer the level; without them an everyday word that happens to be a desa name ("baru",
"padang") is not taken for a place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

DESA_LEVELS = ("desa", "kelurahan")
DESA_MARKERS = {"desa", "ds", "kel", "kelurahan", "kelurahaan"}
KECAMATAN_MARKERS = {"kec", "kecamatan", "kcm"}
WEAK_MARKERS = {"di", "dekat"}
# Desa names that are also everyday Indonesian words: only taken after "Desa"/"Kel."/"Kec.".
EVERYDAY_WORDS = {"baru", "bunga", "padang", "rata", "bulu", "simpangan", "benteng", "sisipan", "cemerlang",
                  "cendana", "bugis", "ampera", "jaya", "makmur", "sukamaju"}
MAX_WORDS = 4
FUZZY_CUTOFF = 0.85
MIN_FUZZY_LENGTH = 5


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str  # kecamatan | desa | kelurahan
    parent_code: str | None = None
    parent_name: str | None = None

    @property
    def label(self) -> str:
        """'Hanga Hanga, Luwuk Selatan' for a desa; the name alone for a kecamatan."""
        if self.level in DESA_LEVELS and self.parent_name:
            return f"{self.name}, {self.parent_name}"
        return self.name


@dataclass(frozen=True)
class PlaceMatch:
    place: Place
    words: str  # the words of the SMS that named it, as written
    rest: str  # what follows (the description)


def compact(text: str) -> str:
    """'Hanga-Hanga' and 'hanga hanga' both become 'hangahanga'."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _pools(places: Sequence[Place], hint: str | None) -> list[list[Place]]:
    """Places by level, in order of preference: the hinted level first, else desa before kecamatan."""
    desa = [p for p in places if p.level in DESA_LEVELS]
    kecamatan = [p for p in places if p.level == "kecamatan"]
    return [kecamatan, desa] if hint == "kecamatan" else [desa, kecamatan]


def _key(words: list[str], start: int, size: int) -> str:
    return compact("".join(words[start:start + size]))


def _sizes(words: list[str], start: int) -> range:
    return range(min(MAX_WORDS, len(words) - start), 0, -1)


def _exact(words: list[str], start: int, pools: list[list[Place]], strong: bool) -> tuple[int, list[Place]] | None:
    """The longest run of words that is exactly a place name (same length: preferred level first)."""
    for size in _sizes(words, start):
        key = _key(words, start, size)
        if not key or (not strong and (key in EVERYDAY_WORDS or len(key) < 4)):
            continue
        for pool in pools:
            found = [p for p in pool if compact(p.name) == key]
            if found:
                return size, found
    return None


def _fuzzy(words: list[str], start: int, pools: list[list[Place]], strong: bool) -> tuple[int, list[Place]] | None:
    """The closest name (ratio ≥ FUZZY_CUTOFF); ties go to the longer run, then the preferred level."""
    best: tuple[float, int, int] | None = None
    found: list[Place] = []
    for size in _sizes(words, start):
        key = _key(words, start, size)
        if len(key) < MIN_FUZZY_LENGTH:
            continue
        for rank, pool in enumerate(pools):
            for place in pool:
                if not strong and compact(place.name) in EVERYDAY_WORDS:
                    continue
                ratio = SequenceMatcher(None, key, compact(place.name)).ratio()
                score = (ratio, size, -rank)
                if ratio < FUZZY_CUTOFF or (best is not None and score < best):
                    continue
                if best is None or score > best:
                    best, found = score, []
                found.append(place)
    return (best[1], found) if best else None


def _disambiguate(found: list[Place], words: list[str], after: int) -> tuple[Place, int] | None:
    """One place, and how many following words ("Kec. Luwuk Selatan", its kecamatan) it used."""
    start = after + 1 if after < len(words) and compact(words[after]) in KECAMATAN_MARKERS else after
    for size in _sizes(words, start):
        key = _key(words, start, size)
        chosen = [p for p in found if p.parent_name and compact(p.parent_name) == key]
        if len(chosen) == 1:
            return chosen[0], start + size - after
    return (found[0], 0) if len(found) == 1 else None


def _match_at(words: list[str], start: int, places: Sequence[Place]) -> tuple[Place, int] | None:
    """(place, words used from `start`) for a place named at `start`, after an optional marker."""
    marker = compact(words[start])
    hint, strong, first = None, False, start
    if marker in DESA_MARKERS | KECAMATAN_MARKERS:
        hint = "kecamatan" if marker in KECAMATAN_MARKERS else "desa"
        strong, first = True, start + 1
    elif marker in WEAK_MARKERS:
        first = start + 1
    pools = _pools(places, hint)
    hit = _exact(words, first, pools, strong) or _fuzzy(words, first, pools, strong)
    if hit is None:
        return None
    size, found = hit
    chosen = _disambiguate(found, words, first + size)
    if chosen is None:
        return None  # the same name in several kecamatan and nothing says which
    place, extra = chosen
    return place, first + size + extra - start


def find(text: str, places: Sequence[Place]) -> PlaceMatch | None:
    """The place named first in `text` (right at the start, or after Desa/Kel./Kec./di)."""
    words = text.split()
    if not words:
        return None
    starts = [0] + [i for i, w in enumerate(words) if i and compact(w) in DESA_MARKERS | KECAMATAN_MARKERS
                    | WEAK_MARKERS]
    for start in starts:
        hit = _match_at(words, start, places)
        if hit is None:
            continue
        place, used = hit
        before = words[:start]
        if before and compact(before[-1]) in WEAK_MARKERS:  # "… di desa Hanga-Hanga"
            before = before[:-1]
        rest = " ".join(before + words[start + used:]).strip(" ,.;:-")
        return PlaceMatch(place=place, words=" ".join(words[start:start + used]).strip(" ,.;:"), rest=rest)
    return None
