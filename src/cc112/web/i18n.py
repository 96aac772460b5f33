"""Translations (Babel .po catalogs, Bahasa Indonesia is the source language) and WITA times."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time
from babel.messages.pofile import read_po

LANGUAGES = ("id", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
current_language: ContextVar[str] = ContextVar("cc112_language", default="id")
current_zone: ContextVar[str] = ContextVar("cc112_zone", default="Asia/Makassar")


@lru_cache
def catalog(language: str) -> dict[str, str]:
    """msgid -> translation for one language; the source language needs none."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        po = read_po(fh, locale=language)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}


def gettext(message: str) -> str:
    return catalog(current_language.get()).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def local_time(value: datetime | None, fmt: str = "short") -> str:
    """A time in the jurisdiction's zone, with its abbreviation (WITA)."""
    if value is None:
        return "—"
    zone = ZoneInfo(current_zone.get())
    locale = "id_ID" if current_language.get() == "id" else "en_GB"
    if fmt == "time":
        text = format_time(value, "HH:mm:ss", tzinfo=zone, locale=locale)
    else:
        text = format_datetime(value, "d MMM yyyy HH:mm", tzinfo=zone, locale=locale)
    return f"{text} {zone_abbreviation(current_zone.get())}"


def zone_abbreviation(zone: str) -> str:
    return {"Asia/Makassar": "WITA", "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
            "Asia/Jayapura": "WIT"}.get(zone, zone)
