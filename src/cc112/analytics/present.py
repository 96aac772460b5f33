"""What leaders read, on the dashboard and in the monthly report: one goal, met / not met, trends.

Both the page and the PDF are built from `gather()`, so they never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.analytics import measures
from cc112.analytics import service as analytics
from cc112.analytics.measures import Scope
from cc112.catalog.models import IncidentType
from cc112.geo.service import kecamatan_index
from cc112.web import i18n

# The one goal every time measure is held to: 90 % of cases within their target time
# (NFPA 1710 / 1225 style). Change it here and the dashboard, the CSV-backed tables and the PDF follow.
TARGET_SHARE_GOAL = 0.90
GOAL_LABEL = f"Sasaran: {round(TARGET_SHARE_GOAL * 100)} % kasus dalam waktu target (gaya NFPA 1710/1225)"
MEASURES = ("acknowledge", "response", "resolution")
MEASURE_LABELS = {"acknowledge": "Konfirmasi", "response": "Tiba di lokasi", "resolution": "Penyelesaian"}
WEEKDAYS = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOTSPOT_LIMIT = 15


@dataclass
class Verdict:
    """One measure of one agency (or the contact answer time) against the goal."""

    share: float | None  # share within target, 0..1; None when nothing was due
    expected: int = 0
    within: int = 0
    p50_s: float | None = None
    p90_s: float | None = None
    previous_share: float | None = None

    @property
    def met(self) -> bool | None:
        return None if self.share is None else self.share >= TARGET_SHARE_GOAL - 1e-9

    @property
    def trend_pp(self) -> float | None:
        """Change against the previous period, in percentage points (positive is better)."""
        if self.share is None or self.previous_share is None:
            return None
        return round((self.share - self.previous_share) * 100, 1)

    @property
    def shortfall_pp(self) -> float | None:
        """How far below the goal, in percentage points (0 when met)."""
        if self.share is None:
            return None
        return max(0.0, round((TARGET_SHARE_GOAL - self.share) * 100, 1))

    @property
    def missed(self) -> int:
        """Cases that did not make their target."""
        return self.expected - self.within


@dataclass
class AgencyRow:
    code: str
    name: str
    assignments: int
    declined: int
    reassigned: int
    measures: dict[str, Verdict] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """Met when every measure with data meets the goal; None when none has data."""
        verdicts = [v.met for v in self.measures.values() if v.met is not None]
        return None if not verdicts else all(verdicts)


def verdict(current: dict[str, Any], previous: dict[str, Any] | None) -> Verdict:
    return Verdict(share=current["share_within"], expected=current["expected"], within=current["within_target"],
                   p50_s=current["p50_s"], p90_s=current["p90_s"],
                   previous_share=previous["share_within"] if previous else None)


def agency_rows(cards: list[dict[str, Any]], previous: list[dict[str, Any]]) -> list[AgencyRow]:
    """The scorecard: each agency's measures against the goal, with the previous period's share."""
    before = {c["agency"]: c for c in previous}
    rows = []
    for card in cards:
        prev = before.get(card["agency"])
        row = AgencyRow(card["agency"], card["name"], card["assignments"], card["declined"], card["reassigned"])
        for name in MEASURES:
            row.measures[name] = verdict(card[name], prev[name] if prev else None)
        rows.append(row)
    return rows


def misses(rows: list[AgencyRow]) -> list[dict[str, Any]]:
    """Agencies × measures below the goal, the largest shortfall first."""
    out = [{"agency": r.code, "name": r.name, "measure": m, "label": MEASURE_LABELS[m], "verdict": v}
           for r in rows for m, v in r.measures.items() if v.met is False]
    return sorted(out, key=lambda x: -(x["verdict"].shortfall_pp or 0))


class Format:
    """Numbers, shares, durations and dates in the reader's language (Indonesian decimal comma)."""

    def __init__(self, lang: str | None = None) -> None:
        self._lang = lang

    @property
    def lang(self) -> str:
        return self._lang or i18n.current_language.get()

    @property
    def locale(self) -> str:
        return "id_ID" if self.lang == "id" else "en_GB"

    def num(self, value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        return format_decimal(round(value, digits), format="#,##0" + ("." + "0" * digits if digits else ""),
                              locale=self.locale)

    def pct(self, share: float | None, digits: int = 1) -> str:
        return "—" if share is None else f"{self.num(share * 100, digits)} %"

    def pp(self, delta: float | None) -> str:
        """A change in percentage points, signed."""
        if delta is None:
            return ""
        sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
        return f"{sign}{self.num(abs(delta), 1)} {'poin' if self.lang == 'id' else 'pts'}"

    def dur(self, seconds: float | None) -> str:
        """12 d, 4 m 05 d, 3 j 20 m (English: s, m, h)."""
        if seconds is None:
            return "—"
        s = int(round(seconds))
        sec, hour = ("d", "j") if self.lang == "id" else ("s", "h")
        if s < 60:
            return f"{s} {sec}"
        if s < 3600:
            return f"{s // 60} m {s % 60:02d} {sec}"
        return f"{s // 3600} {hour} {s % 3600 // 60:02d} m"

    def day(self, value: date | str, pattern: str = "d MMM yyyy") -> str:
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return format_date(value, pattern, locale=self.locale)

    def month(self, value: str, pattern: str = "MMMM yyyy") -> str:
        return format_date(date.fromisoformat(value + "-01"), pattern, locale=self.locale)

    def range(self, first: date, last: date) -> str:
        if first == last:
            return self.day(first)
        return f"{self.day(first)} – {self.day(last)}"

    def weekdays(self) -> tuple[str, ...]:
        return WEEKDAYS if self.lang == "id" else WEEKDAYS_EN


def previous_scope(scope: Scope) -> Scope:
    return Scope(scope.jurisdiction_id, scope.period.previous(scope.zone), scope.zone, scope.agency_id,
                 scope.type_code, scope.region_id)


def heat_cells(grid: list[list[int]]) -> list[list[dict[str, Any]]]:
    """Hour × weekday counts with a 0..1 shade (square root, so quiet hours still show)."""
    top = max((n for row in grid for n in row), default=0)
    return [[{"count": n, "shade": round(math.sqrt(n / top), 3) if top else 0.0} for n in row] for row in grid]


async def gather(db: AsyncSession, scope: Scope, *, hotspot_limit: int = HOTSPOT_LIMIT) -> dict[str, Any]:
    """Everything the dashboard and the monthly report show, for one scope."""
    before = previous_scope(scope)
    breakdown = await measures.incident_breakdown(db, scope)
    cards = await measures.scorecard(db, scope)
    rows = agency_rows(cards, await measures.scorecard(db, before))
    contacts = await measures.contact_stats(db, scope)
    contacts_before = await measures.contact_stats(db, before)
    types = {t.code: t for t in await db.scalars(select(IncidentType)
                                                 .where(IncidentType.jurisdiction_id == scope.jurisdiction_id))}
    centroids = await kecamatan_index.load(db, scope.jurisdiction_id)
    counts = {k["code"]: k["count"] for k in breakdown["by_kecamatan"]}
    hotspots = await analytics.hotspots(db, scope, limit=hotspot_limit)
    for cell in hotspots:
        near = await kecamatan_index.nearest(db, scope.jurisdiction_id, cell["lat"], cell["lon"])
        cell["kecamatan"] = near.name if near else "—"
        for t in cell["top_types"]:
            known = types.get(t["code"])
            t["name"], t["name_en"] = (known.name_id, known.name_en) if known else (t["code"], t["code"])
    return {
        "scope": scope, "previous_period": before.period,
        "incidents": breakdown, "heat": heat_cells(breakdown["hour_weekday"]),
        "monthly": await measures.monthly_counts(db, scope),
        "scorecard": rows, "misses": misses(rows),
        "jurisdiction": await measures.jurisdiction_times(db, scope),
        "contacts": contacts,
        "answer": Verdict(share=contacts["share_answered_within_10s"], expected=contacts["answered"],
                          previous_share=contacts_before["share_answered_within_10s"]),
        "contacts_before": contacts_before,
        "ratings": await measures.ratings(db, scope),
        "hotspots": hotspots,
        "kecamatan": [{"code": c.code, "name": c.name, "lat": c.lat, "lon": c.lon, "count": counts.get(c.code, 0)}
                      for c in sorted(centroids, key=lambda c: c.name)],
        "spikes": await analytics.spikes(db, scope),
        "types": types,
    }
