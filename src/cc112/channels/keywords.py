"""The SMS keyword format `112 JENIS [Desa …] keterangan`: pure functions.

The keyword is matched against the jurisdiction's incident types (the seeded code, keywords and
Indonesian name), in tiers so that the intended type wins: an exact code, then a listed keyword,
then a word of the code, then a word of the name, then a close spelling (KEBAKRAN). Within a
tier the type listed first in the catalogue wins (KECELAKAAN: traffic before sea).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Literal

PREFIX = re.compile(r"^\s*112(?!\d)[\s#:.,;*_\-]*(?P<rest>.*)$", re.DOTALL)
KEYWORD = re.compile(r"^(?P<word>[^\s#:.,;*]+)[\s#:.,;*]*(?P<rest>.*)$", re.DOTALL)
# Common spellings that are not in the catalogue's keywords.
ALIASES = {"ambulan": "ambulans", "ambulance": "ambulans", "damkar": "kebakaran", "pemadam": "kebakaran"}
# Words that say "emergency" without saying which: never taken for a type.
GENERIC = {"darurat", "gawat", "tolong", "sos", "help", "emergency", "penting", "lapor"}
SUGGESTED = ("KEBAKARAN", "KECELAKAAN", "SAKIT", "HAMIL", "BANJIR", "LONGSOR", "TENGGELAM")
FUZZY_CUTOFF = 0.85
MIN_FUZZY_LENGTH = 5

Kind = Literal["keyword", "free_text", "unknown_keyword"]


@dataclass(frozen=True)
class TypeTerms:
    """What an incident type can be called by SMS (from the catalogue)."""

    code: str
    name_id: str
    keywords: str = ""


@dataclass(frozen=True)
class SmsReport:
    kind: Kind
    keyword: str | None = None  # as the sender wrote it
    type_code: str | None = None
    rest: str = ""  # the words after the keyword


def _word(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _code_words(t: TypeTerms) -> set[str]:
    return {_word(w) for w in t.code.split("_")}


def _name_words(t: TypeTerms) -> set[str]:
    return {_word(w) for w in re.split(r"[\s/()\-]+", t.name_id)}


TIERS: tuple[Callable[[TypeTerms], set[str]], ...] = (
    lambda t: {_word(t.code)},
    lambda t: {_word(w) for w in t.keywords.split()},
    _code_words,
    _name_words,
)


def _pick(word: str, candidates: list[TypeTerms]) -> str:
    """Among types that share a word, the one whose code or name also has it; else the first listed."""
    def rank(item: tuple[int, TypeTerms]) -> tuple[bool, bool, int]:
        index, t = item
        return word in _code_words(t), word in _name_words(t), -index
    return max(enumerate(candidates), key=rank)[1].code


def _fuzzy(word: str, types: Sequence[TypeTerms]) -> str | None:
    vocabulary: dict[str, str] = {}
    for terms_of in TIERS:
        for itype in types:
            for term in sorted(terms_of(itype)):
                if len(term) >= MIN_FUZZY_LENGTH:
                    vocabulary.setdefault(term, itype.code)
    close = get_close_matches(word, list(vocabulary), n=1, cutoff=FUZZY_CUTOFF)
    return vocabulary[close[0]] if close else None


def resolve(keyword: str, types: Sequence[TypeTerms]) -> str | None:
    """The incident type code a keyword means in this catalogue, or None."""
    word = _word(keyword)
    word = _word(ALIASES.get(word, word))
    if len(word) < 3 or word in GENERIC:
        return None
    for terms_of in TIERS:
        candidates = [t for t in types if word in terms_of(t)]
        if candidates:
            return _pick(word, candidates)
    return _fuzzy(word, types) if len(word) >= MIN_FUZZY_LENGTH else None


def parse(text: str, types: Sequence[TypeTerms]) -> SmsReport:
    """Free text, `112 KEYWORD rest` with a known keyword, or with an unknown one."""
    head = PREFIX.match(text or "")
    if head is None:
        return SmsReport(kind="free_text", rest=(text or "").strip())
    body = head.group("rest").strip()
    parts = KEYWORD.match(body)
    if parts is None:
        return SmsReport(kind="free_text", rest=body)
    keyword, rest = parts.group("word"), parts.group("rest").strip()
    code = resolve(keyword, types)
    if code is None:
        return SmsReport(kind="unknown_keyword", keyword=keyword, rest=rest)
    return SmsReport(kind="keyword", keyword=keyword, type_code=code, rest=rest)


def suggestions(types: Sequence[TypeTerms], limit: int = 6) -> list[str]:
    """A few keywords that work in this catalogue, for the reply to an unknown one."""
    return [word for word in SUGGESTED if resolve(word, types) is not None][:limit]
