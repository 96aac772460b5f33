"""Day rollups of the scorecard: a year of assignments read in milliseconds, same numbers.

A day is rolled up once it is *settled*: every assignment of its incidents has taken each step or
passed that step's deadline, so its counts no longer move with the clock. Each settled local day
keeps, per agency × priority, the counters and the sorted measured values of
`analytics.partials.TimingPartial`; a scorecard merges the stored days of its period with the
rest (today, unsettled or changed days) counted from the tables, and takes its percentiles over
the merged values — the answer is the one the tables give.

Staleness is ruled out rather than tolerated:
- a rollup records the targets it was judged against; after any target change it is ignored
  (and rebuilt);
- the builder advances an Event watermark; a day touched by an Event above the watermark is read
  from the tables until the builder has rebuilt it;
- the dashboard's type and kecamatan filters read the tables (the rollups are per agency).

The builder runs in the app (`CC112_ANALYTICS_ROLLUP_SECONDS`, one instance at a time on
PostgreSQL) and as `cc112 analytics rollup`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.analytics import partials
from cc112.analytics.models import DayRollup, RollupState
from cc112.analytics.period import _local_range
from cc112.analytics.sql import Dialect
from cc112.clock import now
from cc112.contacts.models import Contact
from cc112.db import Database
from cc112.dispatch.models import Assignment
from cc112.events.models import Event
from cc112.geo.models import Jurisdiction
from cc112.incidents.models import Incident

log = logging.getLogger(__name__)

TIMING = "timing"
MONTH = "timing_month"  # the same rows merged over a whole local month (day = its first day)
CONTACTS = "contacts"  # one row per local day: contact counts and sorted answer times
CONTACTS_MONTH = "contacts_month"
MONTH_OF = {TIMING: MONTH, CONTACTS: CONTACTS_MONTH}
CONTACTS_VERSION = "contacts-2"  # contact statistics depend on no target
INCIDENT_TIMES = -1  # the priority of the rows with incident-level times (agency 0: every incident)
INCIDENT_COUNTS = -2  # … and of the rows with incident counts (partials.IncidentCounts)
COMMIT_LAG = timedelta(seconds=60)  # an Event is taken into account once this old (transactions commit late)
DIRTY_LIMIT = 5000  # more changed incidents than this since the watermark: read the tables
BUILD_CHUNK_DAYS = 31
_LOCK = 0x112A  # PostgreSQL advisory lock: one builder at a time


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    out: list[tuple[date, date]] = []
    for day in sorted(days):
        if out and day == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def _local_day(created: datetime, zone: ZoneInfo) -> date:
    return created.astimezone(zone).date()


# ---------------------------------------------------------------- reading


def _changed(kind: str, jurisdiction_id: int, after: int, upto: int | None = None) -> Any:
    """When the incidents (timing) or contacts (contacts) touched by Events in (after, upto] began."""
    if kind == CONTACTS:
        stmt = select(Contact.received_at).join(Event, Event.contact_id == Contact.id)
    else:
        stmt = select(Incident.created_at).join(Event, Event.incident_id == Incident.id)
    stmt = stmt.where(Event.jurisdiction_id == jurisdiction_id, Event.id > after)
    return (stmt if upto is None else stmt.where(Event.id <= upto)).distinct()


async def _dirty_days(db: AsyncSession, kind: str, jurisdiction_id: int, watermark: int, zone: ZoneInfo
                      ) -> set[date] | None:
    """Local days changed after the watermark (None: too many to list)."""
    began = list(await db.scalars(_changed(kind, jurisdiction_id, watermark).limit(DIRTY_LIMIT + 1)))
    if len(began) > DIRTY_LIMIT:
        return None
    return {_local_day(c, zone) for c in began}


def _month_days(first: date) -> list[date]:
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return _days(first, nxt - timedelta(days=1))


class _Plan:
    """Which days of a scope come from month rollups, which from day rollups, and the runs of days
    read from the tables."""

    def __init__(self, kind: str, scope: Any, targets: Any, version: str, stored: set[date], months: set[date]
                 ) -> None:
        self.kind, self.scope, self.targets, self.version = kind, scope, targets, version
        first, last = scope.period.first_day, scope.period.last_day
        self.months = {m for m in months if m >= first and set(_month_days(m)) <= stored
                       and _month_days(m)[-1] <= last}
        self.day_runs = _runs(stored - {day for m in self.months for day in _month_days(m)})
        self.rest = _runs(set(_days(first, last)) - stored)

    def rest_scopes(self) -> list[Any]:
        from cc112.analytics.measures import Scope

        s = self.scope
        return [Scope(s.jurisdiction_id, _local_range(a, b, s.zone, "rest"), s.zone, s.agency_id)
                for a, b in self.rest]

    async def stored_rows(self, db: AsyncSession, condition: Any) -> list[Any]:
        """(day, agency, priority, data) of the stored months and days matching `condition`.

        One statement per month list and per run of days, so that each reads a range of the
        rollups' unique index (an OR of them reads the whole jurisdiction)."""
        s = self.scope
        base = select(DayRollup.day, DayRollup.agency_id, DayRollup.priority, DayRollup.data).where(
            DayRollup.jurisdiction_id == s.jurisdiction_id, condition, DayRollup.version == self.version)
        parts = [base.where(DayRollup.kind == MONTH_OF[self.kind], DayRollup.day.in_(sorted(self.months)))
                 ] if self.months else []
        parts += [base.where(DayRollup.kind == self.kind, DayRollup.day >= a, DayRollup.day <= b)
                  for a, b in self.day_runs]
        rows: list[Any] = []
        for stmt in parts:
            rows += list(await db.execute(stmt))
        return rows


def _marked(kind: str, jurisdiction_id: int, version: str) -> Any:
    """The days (or months) with a marker row: built with this version."""
    return select(DayRollup.day).where(DayRollup.jurisdiction_id == jurisdiction_id, DayRollup.kind == kind,
                                       DayRollup.agency_id == 0, DayRollup.priority == 0, DayRollup.version == version)


async def _plan(db: AsyncSession, scope: Any, kind: str = TIMING) -> _Plan | None:
    from cc112.analytics.measures import Targets

    if kind == TIMING and (scope.type_code or scope.region_id):
        return None  # timing rollups are per agency only
    state = await db.get(RollupState, scope.jurisdiction_id)
    if state is None:
        return None
    targets = await Targets.load(db, scope.jurisdiction_id) if kind == TIMING else None
    version = targets.version if targets else CONTACTS_VERSION
    first, last = scope.period.first_day, scope.period.last_day
    built = set(await db.scalars(_marked(kind, scope.jurisdiction_id, version)
                                 .where(DayRollup.day >= first, DayRollup.day <= last)))
    if not built:
        return None
    dirty = await _dirty_days(db, kind, scope.jurisdiction_id, state.event_watermark, ZoneInfo(scope.zone))
    if dirty is None or not built - dirty:
        return None
    months = set(await db.scalars(_marked(MONTH_OF[kind], scope.jurisdiction_id, version)
                                  .where(DayRollup.day >= first, DayRollup.day <= last)))
    return _Plan(kind, scope, targets, version, built - dirty, months)


async def timing_summaries(db: AsyncSession, scope: Any, d: Dialect, now_epoch: float
                           ) -> dict[int, dict[int | None, dict[str, Any]]] | None:
    """The scorecard's summaries from rollups plus the tables, or None when no rollup applies."""
    from cc112.analytics.measures import timing_partials

    plan = await _plan(db, scope)
    if plan is None:
        return None
    condition = DayRollup.priority > 0
    if scope.agency_id:
        condition = condition & (DayRollup.agency_id == scope.agency_id)
    parts: partials.Partials = {}
    for _day, agency_id, priority, data in await plan.stored_rows(db, condition):
        part = parts.get((agency_id, priority))
        if part is None:
            part = parts[(agency_id, priority)] = partials.TimingPartial()
        part.add_bytes(data)
    for rest in plan.rest_scopes():
        partials.merge_into(parts, await timing_partials(db, rest, d, now_epoch, plan.targets))
    return partials.summaries(parts)


async def incident_counts(db: AsyncSession, scope: Any, d: Dialect) -> partials.IncidentCounts | None:
    """measures.incident_counts from rollups plus the tables, or None when no rollup applies."""
    from cc112.analytics.measures import incident_counts as counted

    plan = await _plan(db, scope)
    if plan is None:
        return None
    whole = partials.IncidentCounts()
    condition = (DayRollup.priority == INCIDENT_COUNTS) & (DayRollup.agency_id == (scope.agency_id or 0))
    for *_, data in await plan.stored_rows(db, condition):
        whole.add_bytes(data)
    for rest in plan.rest_scopes():
        whole.merge(await counted(db, rest, d))
    return whole


async def incident_times(db: AsyncSession, scope: Any, d: Dialect) -> dict[str, Any] | None:
    """measures.jurisdiction_times from rollups plus the tables, or None when no rollup applies."""
    from cc112.analytics.measures import incident_time_rows

    plan = await _plan(db, scope)
    if plan is None:
        return None
    whole = partials.IncidentTimes()
    condition = (DayRollup.priority == INCIDENT_TIMES) & (DayRollup.agency_id == (scope.agency_id or 0))
    for *_, data in await plan.stored_rows(db, condition):
        whole.add_bytes(data)
    for rest in plan.rest_scopes():
        for response, resolution in await incident_time_rows(db, rest, d):
            whole.add(response, resolution)
    return whole.summary()


# ---------------------------------------------------------------- building


async def _lead(db: AsyncSession) -> bool:
    if db.bind.dialect.name != "postgresql":
        return True  # SQLite: one writer at a time anyway
    return bool(await db.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _LOCK}))


async def _advance(database: Database, jurisdiction_id: int, zone: ZoneInfo, at: datetime) -> bool:
    """Move the watermark up to Events old enough to be committed; drop the days they touched."""
    async with database.session_scope() as db:
        if not await _lead(db):
            return False
        state = await db.get(RollupState, jurisdiction_id)
        newest = await db.scalar(select(func.max(Event.id)).where(Event.jurisdiction_id == jurisdiction_id,
                                                                  Event.at < at - COMMIT_LAG)) or 0
        if state is None:  # nothing built yet: nothing to drop
            db.add(RollupState(jurisdiction_id=jurisdiction_id, event_watermark=newest, updated_at=at))
            return True
        if newest > state.event_watermark:
            for kind in (TIMING, CONTACTS):
                began = await db.scalars(_changed(kind, jurisdiction_id, state.event_watermark, newest))
                dirty = sorted({_local_day(c, zone) for c in began})
                months = sorted({day.replace(day=1) for day in dirty})
                for rows_kind, keys in ((kind, dirty), (MONTH_OF[kind], months)):
                    for i in range(0, len(keys), 500):
                        await db.execute(delete(DayRollup).where(
                            DayRollup.jurisdiction_id == jurisdiction_id, DayRollup.kind == rows_kind,
                            DayRollup.day.in_(keys[i:i + 500])))
            state.event_watermark = newest
        state.updated_at = at
        return True


async def _days_to_build(database: Database, jurisdiction_id: int, zone: ZoneInfo, at: datetime
                         ) -> tuple[list[date], Any]:
    from cc112.analytics.measures import Targets

    async with database.session(write=False) as db:
        targets = await Targets.load(db, jurisdiction_id)
        oldest = await db.scalar(select(func.min(Incident.created_at)).where(
            Incident.jurisdiction_id == jurisdiction_id, Incident.is_exercise.is_(False)))
        if oldest is None:
            return [], targets
        # up to yesterday: a day is stored once nothing in it is pending any more (see _build), which
        # for most days is long before the longest target has passed
        last = at.astimezone(zone).date() - timedelta(days=1)
        done = set(await db.scalars(_marked(TIMING, jurisdiction_id, targets.version)))
    # from the first of the oldest month, so that every month can be complete
    return [day for day in _days(_local_day(oldest, zone).replace(day=1), last) if day not in done], targets


async def _build(database: Database, jurisdiction_id: int, zone_name: str, days: list[date], targets: Any,
                 at: datetime) -> int:
    """Roll up these days (consecutive or not, within a month or so); returns how many settled."""
    from cc112.analytics.measures import Scope, _assignment_stmt, incident_conditions, incident_time_columns

    now_epoch = at.timestamp()
    wanted = set(days)
    per_day: dict[date, partials.Partials] = defaultdict(dict)
    async with database.session(write=False) as db:
        d = Dialect(db.bind.dialect.name, zone_name)
        scope = Scope(jurisdiction_id, _local_range(min(days), max(days), zone_name, "rollup"), zone_name)
        zone = ZoneInfo(zone_name)
        # the local day from the stored time itself (the epoch columns are rounded to milliseconds)
        for r in await db.execute(_assignment_stmt(scope, d).add_columns(Incident.created_at.label("at"))):
            day = r[9].astimezone(zone).date()  # the incident's local day
            if day not in wanted:
                continue
            groups = per_day[day]
            key = (r[0], r[1])
            part = groups.get(key)
            if part is None:
                part = groups[key] = partials.TimingPartial()
            part.add(r, targets.seconds_at(r[0], r[1], r[3]), now_epoch)
        # one pass over the incidents (joined to their assignments) for their times and their counts
        incidents: dict[date, dict[int, partials.IncidentTimes]] = defaultdict(dict)
        counts: dict[date, dict[int, partials.IncidentCounts]] = defaultdict(dict)
        seen: set[tuple[int, int]] = set()
        for incident_id, created_at, type_id, priority, region_id, status, response, resolution, agency_id in \
                await db.execute(select(Incident.id, Incident.created_at, Incident.incident_type_id, Incident.priority,
                                        Incident.region_id, Incident.status, *incident_time_columns(d),
                                        Assignment.agency_id)
                                 .outerjoin(Assignment, Assignment.incident_id == Incident.id)
                                 .where(*incident_conditions(scope))):
            local = created_at.astimezone(zone)
            day = local.date()
            if day not in wanted:
                continue
            for key in (0, agency_id):  # every incident, and the incidents of each agency assigned
                if key is None or (incident_id, key) in seen:
                    continue
                seen.add((incident_id, key))
                piece = counts[day].get(key)
                if piece is None:
                    piece = counts[day][key] = partials.IncidentCounts()
                piece.add_group(type_id, priority, region_id, 1, int(status == "cancelled"))
                piece.add_hour(day.isoformat(), local.hour, 1)
                if status != "cancelled":  # as measures.incident_time_stmt: stood down, nothing to measure
                    times = incidents[day].get(key)
                    if times is None:
                        times = incidents[day][key] = partials.IncidentTimes()
                    times.add(response, resolution)
    settled = [day for day in days if not any(p.pending for p in per_day[day].values())]
    if not settled:
        return 0
    async with database.session_scope() as db:
        if not await _lead(db):
            return 0
        await db.execute(delete(DayRollup).where(DayRollup.jurisdiction_id == jurisdiction_id,
                                                 DayRollup.kind == TIMING, DayRollup.day.in_(settled)))
        rows = []
        for day in settled:
            rows.append(dict(jurisdiction_id=jurisdiction_id, kind=TIMING, day=day, agency_id=0, priority=0,
                             version=targets.version, built_at=at, data=b""))
            rows += [dict(jurisdiction_id=jurisdiction_id, kind=TIMING, day=day, agency_id=agency_id,
                          priority=priority, version=targets.version, built_at=at, data=part.to_bytes())
                     for (agency_id, priority), part in sorted(per_day[day].items())]
            rows += [dict(jurisdiction_id=jurisdiction_id, kind=TIMING, day=day, agency_id=agency_id,
                          priority=INCIDENT_TIMES, version=targets.version, built_at=at, data=times.to_bytes())
                     for agency_id, times in sorted(incidents[day].items())]
            rows += [dict(jurisdiction_id=jurisdiction_id, kind=TIMING, day=day, agency_id=agency_id,
                          priority=INCIDENT_COUNTS, version=targets.version, built_at=at, data=piece.to_bytes())
                     for agency_id, piece in sorted(counts[day].items())]
        await db.execute(DayRollup.__table__.insert(), rows)
    return len(settled)


async def _build_months(database: Database, kind: str, jurisdiction_id: int, version: str, at: datetime) -> int:
    """Merge the day rollups of every complete month not yet merged (with this version)."""
    month_kind = MONTH_OF[kind]
    async with database.session(write=False) as db:
        days = set(await db.scalars(_marked(kind, jurisdiction_id, version)))
        done = set(await db.scalars(_marked(month_kind, jurisdiction_id, version)))
    months = sorted(m for m in {day.replace(day=1) for day in days} - done if set(_month_days(m)) <= days)
    for month in months:
        last = _month_days(month)[-1]
        merged: dict[tuple[int, int], Any] = {}
        async with database.session(write=False) as db:
            stmt = select(DayRollup.agency_id, DayRollup.priority, DayRollup.data).where(
                DayRollup.jurisdiction_id == jurisdiction_id, DayRollup.kind == kind, DayRollup.version == version,
                DayRollup.day >= month, DayRollup.day <= last)
            if kind == TIMING:
                stmt = stmt.where(DayRollup.priority != 0)  # not the markers
            for agency_id, priority, data in await db.execute(stmt):
                piece = merged.get((agency_id, priority))
                if piece is None:
                    piece = merged[(agency_id, priority)] = (
                        partials.ContactPartial() if kind == CONTACTS else
                        partials.IncidentTimes() if priority == INCIDENT_TIMES else
                        partials.IncidentCounts() if priority == INCIDENT_COUNTS else partials.TimingPartial())
                piece.add_bytes(data)
        rows = [dict(agency_id=a, priority=p, data=piece.to_bytes()) for (a, p), piece in sorted(merged.items())]
        if (0, 0) not in merged:
            rows.insert(0, dict(agency_id=0, priority=0, data=b"" if kind == TIMING else
                                partials.ContactPartial().to_bytes()))
        async with database.session_scope() as db:
            if not await _lead(db):
                return 0
            await db.execute(delete(DayRollup).where(DayRollup.jurisdiction_id == jurisdiction_id,
                                                     DayRollup.kind == month_kind, DayRollup.day == month))
            await db.execute(DayRollup.__table__.insert(), [
                dict(jurisdiction_id=jurisdiction_id, kind=month_kind, day=month, version=version, built_at=at,
                     **row) for row in rows])
    return len(months)


async def _contact_days_to_build(database: Database, jurisdiction_id: int, zone: ZoneInfo, at: datetime
                                 ) -> list[date]:
    async with database.session(write=False) as db:
        oldest = await db.scalar(select(func.min(Contact.received_at)).where(
            Contact.jurisdiction_id == jurisdiction_id, Contact.is_exercise.is_(False)))
        if oldest is None:
            return []
        done = set(await db.scalars(_marked(CONTACTS, jurisdiction_id, CONTACTS_VERSION)))
    last = at.astimezone(zone).date() - timedelta(days=1)  # later changes come with Events (see _advance)
    return [day for day in _days(_local_day(oldest, zone).replace(day=1), last) if day not in done]


async def _build_contacts(database: Database, jurisdiction_id: int, zone_name: str, days: list[date],
                          at: datetime) -> int:
    """One row per day (also an empty one: it marks the day as built)."""
    from cc112.analytics.measures import ANSWER_TARGET_S, contact_rows

    per_day: dict[date, partials.ContactPartial] = {day: partials.ContactPartial() for day in days}
    async with database.session(write=False) as db:
        d = Dialect(db.bind.dialect.name, zone_name)
        zone = ZoneInfo(zone_name)
        span = _local_range(min(days), max(days), zone_name, "rollup")
        for received, channel, klass, answer_s in await contact_rows(db, jurisdiction_id, span, d):
            part = per_day.get(received.astimezone(zone).date())
            if part is not None:
                part.add(channel, klass, answer_s, ANSWER_TARGET_S)
    async with database.session_scope() as db:
        if not await _lead(db):
            return 0
        await db.execute(delete(DayRollup).where(DayRollup.jurisdiction_id == jurisdiction_id,
                                                 DayRollup.kind == CONTACTS, DayRollup.day.in_(days)))
        await db.execute(DayRollup.__table__.insert(), [
            dict(jurisdiction_id=jurisdiction_id, kind=CONTACTS, day=day, agency_id=0, priority=0,
                 version=CONTACTS_VERSION, built_at=at, data=part.to_bytes()) for day, part in per_day.items()])
    return len(days)


async def contact_summary(db: AsyncSession, scope: Any, d: Dialect) -> dict[str, Any] | None:
    """measures.contact_stats from rollups plus the tables, or None when no rollup applies."""
    from cc112.analytics.measures import ANSWER_TARGET_S, contact_rows, contact_summary_of

    plan = await _plan(db, scope, CONTACTS)
    if plan is None:
        return None
    whole = partials.ContactPartial()
    runs: list[list[float]] = []
    for *_, data in await plan.stored_rows(db, DayRollup.priority == 0):
        part = partials.ContactPartial().add_bytes(data)
        runs.append(part.values)  # stored sorted: each piece's answer times stay a sorted run
        whole.merge_counts(part)
    for a, b in plan.rest:
        rest = partials.ContactPartial()
        for _received, channel, klass, answer_s in await contact_rows(
                db, scope.jurisdiction_id, _local_range(a, b, scope.zone, "rest"), d):
            rest.add(channel, klass, answer_s, ANSWER_TARGET_S)
        runs.append(sorted(rest.values))
        whole.merge_counts(rest)
    return contact_summary_of(whole, partials.slowest_share(runs, 0.1))


async def refresh(database: Database, *, at: datetime | None = None, max_days: int | None = 400) -> int:
    """One pass over every jurisdiction: take changes into account, build up to `max_days` days."""
    at = at or now()
    async with database.session(write=False) as db:
        jurisdictions = (await db.execute(select(Jurisdiction.id, Jurisdiction.timezone))).all()
    built = 0
    for jurisdiction_id, zone_name in jurisdictions:
        zone = ZoneInfo(zone_name)
        if not await _advance(database, jurisdiction_id, zone, at):
            continue  # another instance is at it
        todo, targets = await _days_to_build(database, jurisdiction_id, zone, at)
        if max_days is not None:
            todo = todo[:max(0, max_days - built)]
        for i in range(0, len(todo), BUILD_CHUNK_DAYS):
            built += await _build(database, jurisdiction_id, zone_name, todo[i:i + BUILD_CHUNK_DAYS], targets, at)
        built += await _build_months(database, TIMING, jurisdiction_id, targets.version, at)
        todo = await _contact_days_to_build(database, jurisdiction_id, zone, at)
        if max_days is not None:
            todo = todo[:max(0, max_days - built)]
        for i in range(0, len(todo), BUILD_CHUNK_DAYS):
            built += await _build_contacts(database, jurisdiction_id, zone_name, todo[i:i + BUILD_CHUNK_DAYS], at)
        built += await _build_months(database, CONTACTS, jurisdiction_id, CONTACTS_VERSION, at)
    return built


async def drop_all(database: Database) -> None:
    """Forget every rollup (and watermark): the dashboard reads the tables until rebuilt."""
    async with database.session_scope() as db:
        await db.execute(delete(RollupState))
        await db.execute(delete(DayRollup))


async def run_forever(database: Database, *, every_seconds: float) -> None:
    """The background loop started with the app: catch up quickly, then keep up."""
    while True:
        built = 0
        try:
            built = await refresh(database)
            if built:
                log.info("analytics rollups: %d day(s) built", built)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("analytics rollup pass failed")
        await asyncio.sleep(1.0 if built else every_seconds)
