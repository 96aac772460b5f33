"""The public datasets, computed from the leaders' measures (cc112.analytics) and then protected.

Every published number is a count or a measure for one calendar month (local time) and one cell
of a table; each month is suppressed on its own, from that month's data alone, so the same month
looks the same in every download and window. Sums over several months are only ever shown when
they can be added up from published monthly numbers (and are empty otherwise).
Only full months are published: running counts of the current month would reveal single new
incidents from one day to the next.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.analytics import measures
from cc112.analytics import service as analytics
from cc112.analytics.period import Period
from cc112.analytics.period import parse as parse_period
from cc112.analytics.sql import Dialect
from cc112.catalog.models import IncidentType
from cc112.clock import now
from cc112.config import Settings
from cc112.contacts.models import CHANNELS
from cc112.errors import Invalid, NotFound
from cc112.geo.models import Jurisdiction, Region
from cc112.incidents.models import Incident
from cc112.opendata.suppression import Line, protect

log = logging.getLogger("cc112.opendata")

WINDOW_MONTHS = 12
SENSITIVE = "sensitif"  # domestic violence, child abuse, mental-health crises: one group, never alone
OUTSIDE = ""  # the "kecamatan" of incidents located outside every kecamatan (or not located)
TIMINGS = ("acknowledge", "response", "resolution")


@dataclass
class Window:
    """The months to publish, for one jurisdiction, with the suppression threshold."""

    jurisdiction: Jurisdiction
    months: list[Period]
    min_cell: int

    @property
    def labels(self) -> list[str]:
        return [p.label for p in self.months]

    @property
    def zone(self) -> str:
        return self.jurisdiction.timezone


async def window(*, db: AsyncSession, settings: Settings, month: str | None = None) -> Window:
    """The last 12 full months, or one full month (YYYY-MM)."""
    jur = await db.scalar(select(Jurisdiction).where(Jurisdiction.code == settings.jurisdiction))
    if jur is None:
        raise NotFound(f"jurisdiction {settings.jurisdiction} is not set up")
    this_month = now().astimezone(ZoneInfo(jur.timezone)).date().replace(day=1)
    latest = (this_month - timedelta(days=1)).strftime("%Y-%m")
    if month:
        period = parse_period("month", jur.timezone, month=month)
        if period.label > latest:
            raise Invalid(f"only full months are published; the latest is {latest}", field="month")
        return Window(jur, [period], settings.opendata_min_cell)
    labels = [latest]
    while len(labels) < WINDOW_MONTHS:
        year, mon = int(labels[0][:4]), int(labels[0][5:])
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
        labels.insert(0, f"{year:04d}-{mon:02d}")
    return Window(jur, [parse_period("month", jur.timezone, month=m) for m in labels], settings.opendata_min_cell)


async def _scope(db: AsyncSession, w: Window, period: Period) -> measures.Scope:
    return await analytics.build_scope(db, jurisdiction_id=w.jurisdiction.id, period="month", month=period.label)


def _withheld(value: float | int | None, enough: bool) -> tuple[Any, bool]:
    """(published value, suppressed?) — a value from too few items is withheld."""
    if value is None:
        return None, False
    return (value, False) if enough else (None, True)


# --- incidents -----------------------------------------------------------------------------


@dataclass
class IncidentMonth:
    """One month's cross-tab type × kecamatan with its margins, and what is suppressed."""

    month: str
    cells: dict[tuple[str, str], int]
    by_type: dict[str, int]
    by_kecamatan: dict[str, int]
    total: int
    hidden: set[tuple[str, ...]] = field(default_factory=set)

    def value(self, *key: str) -> int | None:
        """A published count (None when suppressed)."""
        if key in self.hidden:
            return None
        kind, rest = key[0], key[1:]
        if kind == "cell":
            return self.cells.get((rest[0], rest[1]), 0)
        if kind == "type":
            return self.by_type.get(rest[0], 0)
        if kind == "kec":
            return self.by_kecamatan.get(rest[0], 0)
        return self.total

    def protect(self, min_cell: int) -> None:
        values: dict[tuple[str, ...], int] = {("cell", t, k): n for (t, k), n in self.cells.items()}
        values |= {("type", t): n for t, n in self.by_type.items()}
        values |= {("kec", k): n for k, n in self.by_kecamatan.items()}
        values[("total",)] = self.total
        lines = [Line(("type", t), tuple(("cell", t, k) for (t2, k) in self.cells if t2 == t)) for t in self.by_type]
        lines += [
            Line(("kec", k), tuple(("cell", t, k) for (t, k2) in self.cells if k2 == k)) for k in self.by_kecamatan
        ]
        lines += [
            Line(("total",), tuple(("type", t) for t in self.by_type)),
            Line(("total",), tuple(("kec", k) for k in self.by_kecamatan)),
        ]
        self.hidden = protect(values, lines, min_cell=min_cell)


@dataclass
class IncidentTables:
    months: list[IncidentMonth]
    types: dict[str, tuple[str, str]]  # code -> (name_id, name_en), including the sensitive group
    kecamatan: dict[str, Region]


async def incident_tables(db: AsyncSession, w: Window) -> IncidentTables:
    """Per month: counts by type and kecamatan (the leaders' incident_breakdown), the cross-tab
    under the same conditions (measures.incident_conditions), all suppressed together."""
    types = {
        t.code: t
        for t in await db.scalars(select(IncidentType).where(IncidentType.jurisdiction_id == w.jurisdiction.id))
    }
    group = {code: SENSITIVE if t.is_sensitive else code for code, t in types.items()}
    crosstab = await _crosstab(db, w)
    months = []
    for period in w.months:
        breakdown = await measures.incident_breakdown(db, await _scope(db, w, period))
        by_type: dict[str, int] = defaultdict(int)
        for row in breakdown["by_type"]:
            by_type[group.get(row["code"], row["code"])] += row["count"]
        by_kec = {row["code"]: row["count"] for row in breakdown["by_kecamatan"]}
        if breakdown["outside_area"]:
            by_kec[OUTSIDE] = breakdown["outside_area"]
        cells: dict[tuple[str, str], int] = defaultdict(int)
        for (type_code, kec), n in crosstab.get(period.label, {}).items():
            cells[(group.get(type_code, type_code), kec)] += n
        month = IncidentMonth(period.label, dict(cells), dict(by_type), by_kec, breakdown["total"])
        if sum(cells.values()) != month.total:  # a write between the two reads; the margins win
            log.warning("open data %s: cross-tab %d ≠ total %d", period.label, sum(cells.values()), month.total)
        month.protect(w.min_cell)
        months.append(month)
    names = {code: (t.name_id, t.name_en) for code, t in types.items() if not t.is_sensitive}
    names[SENSITIVE] = (
        "Kasus sensitif (KDRT, kekerasan anak, krisis kejiwaan)",
        "Sensitive cases (domestic violence, child abuse, mental-health crisis)",
    )
    kecamatan = {
        r.code: r
        for r in await db.scalars(
            select(Region)
            .where(Region.jurisdiction_id == w.jurisdiction.id, Region.level == "kecamatan")
            .order_by(Region.code)
        )
    }
    return IncidentTables(months, names, kecamatan)


async def _crosstab(db: AsyncSession, w: Window) -> dict[str, dict[tuple[str, str], int]]:
    """month -> (type code, kecamatan code) -> incidents, for the whole window in one query."""
    first, last = w.months[0], w.months[-1]
    span = Period(first.start, last.end, f"{first.label}…{last.label}", first.first_day, last.last_day)
    scope = measures.Scope(jurisdiction_id=w.jurisdiction.id, period=span, zone=w.zone)
    month = Dialect(db.get_bind().dialect.name, w.zone).local_month(Incident.__table__.c.created_at)
    stmt = (
        select(month, IncidentType.code, Region.code, func.count())
        .select_from(Incident)
        .join(IncidentType, IncidentType.id == Incident.incident_type_id)
        .outerjoin(Region, Region.id == Incident.region_id)
        .where(*measures.incident_conditions(scope))
        .group_by(month, IncidentType.code, Region.code)
    )
    out: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for label, type_code, kec, n in (await db.execute(stmt)).all():
        out[label][(type_code, kec or OUTSIDE)] = int(n)
    return out


# --- agencies ------------------------------------------------------------------------------


async def agency_rows(db: AsyncSession, w: Window) -> list[dict[str, Any]]:
    """Per month and agency: the leaders' scorecard, with counts and times from too few hidden."""
    rows = []
    for period in w.months:
        for card in await measures.scorecard(db, await _scope(db, w, period)):
            row: dict[str, Any] = {"month": period.label, "agency_code": card["agency"], "agency_name": card["name"]}
            hidden: list[str] = []
            row["assignments"], off = _withheld(card["assignments"], not 0 < card["assignments"] < w.min_cell)
            hidden += ["assignments"] if off else []
            for name in TIMINGS:
                t = card[name]
                for key, value, enough in (
                    ("measured", t["measured"], not 0 < t["measured"] < w.min_cell),
                    ("p50_s", t["p50_s"], t["measured"] >= w.min_cell),
                    ("p90_s", t["p90_s"], t["measured"] >= w.min_cell),
                    ("share_within_target", t["share_within"], t["expected"] >= w.min_cell),
                ):
                    row[f"{name}_{key}"], off = _withheld(value, enough)
                    hidden += [f"{name}_{key}"] if off else []
            row["suppressed"] = hidden
            rows.append(row)
    return rows


async def targets(db: AsyncSession, w: Window) -> list[dict[str, Any]]:
    """The targets in force at the end of the window, per agency and priority (public facts)."""
    table = await measures.Targets.load(db, w.jurisdiction.id)
    from cc112.agencies.models import Agency

    at = w.months[-1].end.timestamp() - 1
    out = []
    for agency in await db.scalars(
        select(Agency).where(Agency.jurisdiction_id == w.jurisdiction.id).order_by(Agency.code)
    ):
        for priority in (1, 2, 3, 4):
            target = table.at(agency.id, priority, at)
            if target:
                out.append(
                    {
                        "agency_code": agency.code,
                        "agency_name": agency.name,
                        "priority": priority,
                        "acknowledge_s": target.acknowledge_seconds,
                        "on_scene_s": target.on_scene_seconds,
                        "resolve_s": target.resolve_seconds,
                    }
                )
    return out


# --- contacts ------------------------------------------------------------------------------


async def contact_rows(db: AsyncSession, w: Window) -> list[dict[str, Any]]:
    """Per month: the leaders' contact statistics. Channel counts are protected against the total
    (their line); shares and means need a denominator of at least min_cell."""
    rows = []
    for period in w.months:
        stats = await measures.contact_stats(db, await _scope(db, w, period))
        total, answered = stats["total"], stats["answered"]
        values: dict[tuple[str, ...], int] = {("channel", c): stats["by_channel"].get(c, 0) for c in CHANNELS}
        values[("total",)] = total
        hidden = protect(values, [Line(("total",), tuple(("channel", c) for c in CHANNELS))], min_cell=w.min_cell)
        row: dict[str, Any] = {"month": period.label, "total": None if ("total",) in hidden else total}
        suppressed = ["total"] if ("total",) in hidden else []
        for key, value, enough in (
            ("answered", answered, not 0 < answered < w.min_cell),
            ("false_share", stats["false_share"], total >= w.min_cell),
            ("abandon_rate", stats["abandon_rate"], total >= w.min_cell),
            ("mean_answer_s", stats["mean_answer_s"], answered >= w.min_cell),
            ("share_answered_within_10s", stats["share_answered_within_10s"], answered >= w.min_cell),
            ("mean_slowest_10pct_answer_s", stats["mean_slowest_10pct_answer_s"], answered >= w.min_cell),
        ):
            row[key], off = _withheld(value, enough)
            suppressed += [key] if off else []
        for channel in CHANNELS:
            hide = ("channel", channel) in hidden
            row[f"channel_{channel}"] = None if hide else values[("channel", channel)]
            suppressed += [f"channel_{channel}"] if hide else []
        row["suppressed"] = suppressed
        rows.append(row)
    return rows


# --- hotspots ------------------------------------------------------------------------------


async def hotspot_rows(db: AsyncSession, w: Window) -> list[dict[str, Any]]:
    """Per month: H3 cells (resolution 7, about 5 km²) from the leaders' hotspots, with at least
    min_cell incidents. Smaller cells are left out entirely, so that an empty-looking hexagon and
    a hexagon with one incident look the same."""
    rows = []
    for period in w.months:
        cells = await analytics.hotspots(db, await _scope(db, w, period), limit=1_000_000)
        for cell in sorted(cells, key=lambda c: c["cell"]):
            if cell["count"] >= w.min_cell:
                rows.append(
                    {
                        "month": period.label,
                        "h3_cell": cell["cell"],
                        "h3_resolution": analytics.HOTSPOT_RESOLUTION,
                        "cell_lat": cell["lat"],
                        "cell_lon": cell["lon"],
                        "count": cell["count"],
                        "boundary": cell["boundary"],
                    }
                )
    return rows
