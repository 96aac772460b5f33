"""Every measure leaders, the monthly report and open data use (DESIGN.md definitions).

Intervals come from the timestamps recorded with each Event, in the same transaction.
Exercises and merged duplicates are never counted; cancelled incidents are counted as
incidents but their stood-down assignments have no response to measure.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, exists, false, func, literal, or_, select, true, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from cc112.agencies.models import Agency, AgencyTarget
from cc112.analytics import partials
from cc112.analytics.period import Period
from cc112.analytics.sql import Dialect
from cc112.analytics.stats import Timing, mean_of_slowest
from cc112.catalog.models import IncidentType
from cc112.clock import now
from cc112.contacts.models import Contact
from cc112.dispatch.models import Assignment
from cc112.geo.models import Region
from cc112.incidents.models import Incident
from cc112.public.models import Feedback

ROLLUP_LAYOUT = 3  # raise when analytics.rollups stores something new: older rollups are then rebuilt
ANSWER_TARGET_S = 10  # share answered within 10 s (European 112 reporting; NFPA 1225)


@dataclass
class Scope:
    jurisdiction_id: int
    period: Period
    zone: str
    agency_id: int | None = None
    type_code: str | None = None
    region_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def incident_conditions(scope: Scope, *, in_period: bool = True) -> list[Any]:
    """Incidents in scope: created in the period, not exercises, not merged duplicates."""
    cond = [Incident.jurisdiction_id == scope.jurisdiction_id, Incident.is_exercise.is_(False),
            Incident.status != "merged"]
    if in_period:
        cond += [Incident.created_at >= scope.period.start, Incident.created_at < scope.period.end]
    if scope.type_code:
        cond.append(Incident.incident_type_id.in_(select(IncidentType.id).where(IncidentType.code == scope.type_code)))
    if scope.region_id:
        cond.append(Incident.region_id == scope.region_id)
    if scope.agency_id:
        # An alias, so the subquery never correlates with an outer query's own assignments.
        mine = aliased(Assignment)
        cond.append(exists().where(mine.incident_id == Incident.id, mine.agency_id == scope.agency_id))
    return cond


async def incident_counts(db: AsyncSession, scope: Scope, d: Dialect) -> partials.IncidentCounts:
    """The scope's incidents counted in the tables.

    Two passes over the period's incidents (bench/analytics.py: a year of a busy jurisdiction is
    ~125 000 rows): one grouped by type × priority × kecamatan, one by UTC hour, which is turned
    into the local day, hour and weekday here.
    """
    cond = incident_conditions(scope)
    counts = partials.IncidentCounts()
    for type_id, priority, region_id, n, n_cancelled in await db.execute(
            select(Incident.incident_type_id, Incident.priority, Incident.region_id, func.count(),
                   func.count().filter(Incident.status == "cancelled"))
            .where(*cond).group_by(Incident.incident_type_id, Incident.priority, Incident.region_id)):
        counts.add_group(type_id, priority, region_id, int(n), int(n_cancelled))
    if d.hours_align:
        bucket = d.utc_hour(Incident.created_at)
        for utc_hour, n in await db.execute(select(bucket, func.count()).where(*cond).group_by(bucket)):
            counts.add_hour(*d.local_day_hour(utc_hour), int(n))
    else:
        day_, hour_ = d.local_day(Incident.created_at), d.local_hour(Incident.created_at)
        for day, hour, n in await db.execute(select(day_, hour_, func.count()).where(*cond).group_by(day_, hour_)):
            counts.add_hour(day, int(hour), int(n))
    return counts


async def incident_breakdown(db: AsyncSession, scope: Scope) -> dict[str, Any]:
    """Counts by type, priority, kecamatan, local day, and hour × weekday (settled days from their
    rollups, see analytics.rollups; the rest from the tables)."""
    d = Dialect(db.bind.dialect.name, scope.zone)
    from cc112.analytics import rollups

    counts = await rollups.incident_counts(db, scope, d) or await incident_counts(db, scope, d)
    total = cancelled = outside = 0
    by_type_id: dict[int, int] = defaultdict(int)
    by_priority: dict[int, int] = defaultdict(int)
    by_region_id: dict[int, int] = defaultdict(int)
    for (type_id, priority, region_id), (n, n_cancelled) in counts.groups.items():
        total, cancelled = total + n, cancelled + n_cancelled
        by_type_id[type_id] += n
        by_priority[priority] += n
        if region_id is None:
            outside += n
        else:
            by_region_id[region_id] += n
    types = (await db.execute(select(IncidentType.id, IncidentType.code, IncidentType.name_id, IncidentType.name_en)
                              .where(IncidentType.id.in_(list(by_type_id))))).all()
    by_type = sorted(((code, name, name_en, by_type_id[i]) for i, code, name, name_en in types),
                     key=lambda t: (-t[3], t[0]))
    regions = (await db.execute(select(Region.id, Region.code, Region.name)
                                .where(Region.id.in_(list(by_region_id))))).all()
    by_region = sorted(((code, name, by_region_id[i]) for i, code, name in regions), key=lambda r: (-r[2], r[0]))
    days = [(scope.period.first_day + timedelta(days=i)).isoformat() for i in range(scope.period.days)]
    return {
        "total": int(total), "cancelled": int(cancelled),
        "by_type": [{"code": c, "name": n, "name_en": e, "count": int(k)} for c, n, e, k in by_type],
        "by_priority": {f"P{p}": int(by_priority.get(p, 0)) for p in (1, 2, 3, 4)},
        "by_kecamatan": [{"code": c, "name": n, "count": int(k)} for c, n, k in by_region],
        "outside_area": outside,
        "by_day": [{"day": day_, "count": int(counts.days.get(day_, 0))} for day_ in days],
        "hour_weekday": counts.heat,
    }


class Targets:
    """Targets per agency and priority with their history: the one in force at a moment."""

    def __init__(self, rows: list[AgencyTarget]) -> None:
        self._by: dict[tuple[int, int], list[AgencyTarget]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: r.valid_from):
            self._by[(row.agency_id, row.priority)].append(row)
        self._starts = {k: [r.valid_from.timestamp() for r in v] for k, v in self._by.items()}
        self._seconds = {k: [(r.acknowledge_seconds, r.on_scene_seconds, r.resolve_seconds) for r in v]
                         for k, v in self._by.items()}
        # what rollups were judged against (and how they are laid out): any added or changed target
        # makes them stale
        self.version = hashlib.blake2b(repr((ROLLUP_LAYOUT, sorted(
            (r.agency_id, r.priority, r.valid_from.isoformat(), r.acknowledge_seconds, r.on_scene_seconds,
             r.resolve_seconds) for r in rows))).encode(), digest_size=20).hexdigest()
        self.longest = max((max(s) for v in self._seconds.values() for s in v), default=0)  # seconds

    def at(self, agency_id: int, priority: int, epoch: float) -> AgencyTarget | None:
        starts = self._starts.get((agency_id, priority))
        if not starts:
            return None
        i = bisect.bisect_right(starts, epoch) - 1
        return self._by[(agency_id, priority)][i] if i >= 0 else None

    def seconds_at(self, agency_id: int, priority: int, epoch: float) -> tuple[int | None, int | None, int | None]:
        """(acknowledge, on scene, resolve) seconds of the target in force at `epoch` (Nones if none)."""
        starts = self._starts.get((agency_id, priority))
        i = bisect.bisect_right(starts, epoch) - 1 if starts else -1
        return self._seconds[(agency_id, priority)][i] if i >= 0 else (None, None, None)

    @classmethod
    async def load(cls, db: AsyncSession, jurisdiction_id: int) -> Targets:
        rows = await db.scalars(select(AgencyTarget).join(Agency, Agency.id == AgencyTarget.agency_id)
                                .where(Agency.jurisdiction_id == jurisdiction_id))
        return cls(list(rows))


def _assignment_stmt(scope: Scope, d: Dialect) -> Any:
    later = aliased(Assignment)
    reassigned = exists().where(later.incident_id == Assignment.incident_id, later.id != Assignment.id,
                                later.requested_at >= Assignment.declined_at)
    stmt = (select(Assignment.agency_id.label("agency_id"), Incident.priority.label("priority"),
                   Assignment.status.label("status"), d.epoch(Assignment.requested_at).label("requested"),
                   # a crew may set off without acknowledging (requested → en_route): that is its answer
                   d.seconds(Assignment.requested_at,
                             func.coalesce(Assignment.acknowledged_at, Assignment.en_route_at)).label("acknowledge"),
                   d.seconds(Incident.created_at, Assignment.on_scene_at).label("response"),
                   d.seconds(Incident.created_at, Assignment.completed_at).label("resolution"),
                   # CASE, not AND: the look-up runs for declined assignments only
                   case((Assignment.status == "declined", reassigned), else_=false()).label("reassigned"),
                   d.epoch(Incident.created_at).label("created"))
            .join(Incident, Incident.id == Assignment.incident_id).where(*incident_conditions(scope)))
    if scope.agency_id:
        stmt = stmt.where(Assignment.agency_id == scope.agency_id)
    return stmt


Summaries = dict[int, dict[int | None, dict[str, Any]]]  # agency → priority (None: all) → summary


async def timing_partials(db: AsyncSession, scope: Scope, d: Dialect, now_epoch: float,
                          targets: Targets | None = None) -> partials.Partials:
    """The scope's assignments counted from the tables, one piece per agency × priority."""
    targets = targets or await Targets.load(db, scope.jurisdiction_id)
    out: partials.Partials = {}
    for r in await db.execute(_assignment_stmt(scope, d)):
        key = (r[0], r[1])
        part = out.get(key)
        if part is None:
            part = out[key] = partials.TimingPartial()
        # the target in force when it was requested: (acknowledge, on scene, resolve) seconds
        part.add(r, targets.seconds_at(r[0], r[1], r[3]), now_epoch)
    return out


async def _summaries_in_python(db: AsyncSession, scope: Scope, d: Dialect, now_epoch: float) -> Summaries:
    return partials.summaries(await timing_partials(db, scope, d, now_epoch))


async def _summaries_in_database(db: AsyncSession, scope: Scope, d: Dialect, now_epoch: float) -> Summaries:
    """PostgreSQL: the same summaries, computed where the rows are (a year is ~220 000 assignments).

    percentile_disc(p) is the nearest rank ⌈p·n⌉ of stats.percentile (same double arithmetic);
    NULLs (steps not taken, assignments not live) are left out of it as the Python path leaves them out.
    """
    target = (select(AgencyTarget.acknowledge_seconds.label("acknowledge_target"),
                     AgencyTarget.on_scene_seconds.label("response_target"),
                     AgencyTarget.resolve_seconds.label("resolution_target"))
              .where(AgencyTarget.agency_id == Assignment.agency_id, AgencyTarget.priority == Incident.priority,
                     AgencyTarget.valid_from <= Assignment.requested_at)  # the target in force when requested
              .order_by(AgencyTarget.valid_from.desc()).limit(1).lateral("target"))
    f = (_assignment_stmt(scope, d).outerjoin(target, true()).add_columns(*target.c)).subquery("f")
    live = f.c.status.notin_(("declined", "cancelled"))
    columns = [f.c.agency_id, f.c.priority, func.grouping(f.c.priority), func.count(),
               func.count().filter(f.c.status == "declined"), func.count().filter(f.c.reassigned)]
    for name, since in (("acknowledge", f.c.requested), ("response", f.c.created), ("resolution", f.c.created)):
        value, seconds = f.c[name], f.c[f"{name}_target"]
        done = and_(live, value.is_not(None))
        due = or_(value.is_not(None), seconds.is_(None), since + seconds <= now_epoch)
        columns += [func.count().filter(and_(live, due)), func.count().filter(done),
                    func.percentile_disc(0.5).within_group(case((done, value))),
                    func.percentile_disc(0.9).within_group(case((done, value))),
                    func.count().filter(and_(done, seconds.is_not(None), value <= seconds))]
    rows = await db.execute(select(*columns).group_by(
        func.grouping_sets(tuple_(f.c.agency_id, f.c.priority), tuple_(f.c.agency_id))))
    out: Summaries = defaultdict(dict)
    for agency_id, priority, all_priorities, n, declined, reassigned, *m in rows:
        summary: dict[str, Any] = {"assignments": n}
        for i, name in enumerate(("acknowledge", "response", "resolution")):
            expected, measured, p50, p90, within = m[5 * i:5 * i + 5]
            summary[name] = Timing(expected, measured, p50, p90, within,
                                   within / expected if expected else None).as_dict()
        summary |= {"declined": declined, "reassigned": reassigned}
        out[agency_id][None if all_priorities else priority] = summary
    return out


async def scorecard(db: AsyncSession, scope: Scope) -> list[dict[str, Any]]:
    """Per agency (and per priority within it): times against targets, declines, reassignments."""
    d = Dialect(db.bind.dialect.name, scope.zone)
    # Judged as of now, not the period's end: a step still missing long after its deadline is a miss
    # even when the deadline fell after the period (else never finishing beats finishing late).
    now_epoch = now().timestamp()
    from cc112.analytics import rollups

    # settled days from their rollups, the rest from the tables; or all from the tables
    summaries = await rollups.timing_summaries(db, scope, d, now_epoch)
    if summaries is None:
        summaries = await (_summaries_in_database if d.pg else _summaries_in_python)(db, scope, d, now_epoch)
    agencies = {a.id: a for a in await db.scalars(select(Agency)
                                                  .where(Agency.jurisdiction_id == scope.jurisdiction_id))}
    return [{"agency": agencies[agency_id].code, "name": agencies[agency_id].name, **summaries[agency_id][None],
             "by_priority": {f"P{p}": summaries[agency_id][p] for p in (1, 2, 3, 4) if p in summaries[agency_id]}}
            for agency_id in sorted(summaries, key=lambda a: agencies[a].code)]


def incident_time_columns(d: Dialect) -> tuple[Any, Any]:
    """An incident's response (created → first on scene) and resolution (created → resolved) seconds."""
    return (d.seconds(Incident.created_at, Incident.first_on_scene_at).label("response"),
            d.seconds(Incident.created_at, Incident.resolved_at).label("resolution"))


def incident_time_stmt(scope: Scope, d: Dialect) -> Any:
    """(response s, resolution s) of the scope's incidents (not cancelled: stood down, nothing to measure)."""
    return select(*incident_time_columns(d)).where(*incident_conditions(scope), Incident.status != "cancelled")


async def incident_time_rows(db: AsyncSession, scope: Scope, d: Dialect) -> list[tuple[Any, Any]]:
    """(response s, resolution s) per incident of the scope."""
    return [(r[0], r[1]) for r in await db.execute(incident_time_stmt(scope, d))]


async def jurisdiction_times(db: AsyncSession, scope: Scope) -> dict[str, Any]:
    """Incident-level response (created → first on scene) and resolution (created → resolved)."""
    d = Dialect(db.bind.dialect.name, scope.zone)
    from cc112.analytics import rollups

    stored = await rollups.incident_times(db, scope, d)  # settled days from their rollups, the rest from the tables
    if stored is not None:
        return stored
    if d.pg:  # nearest-rank percentiles in the database (see _summaries_in_database)
        f = incident_time_stmt(scope, d).subquery("f")
        n, *m = (await db.execute(select(func.count(), *(x for col in (f.c.response, f.c.resolution) for x in (
            func.count(col), func.percentile_disc(0.5).within_group(col),
            func.percentile_disc(0.9).within_group(col)))))).one()
        return {"incidents": n, **{name: {"measured": measured, "p50_s": _round(p50), "p90_s": _round(p90)}
                                   for name, (measured, p50, p90) in (("response", m[:3]), ("resolution", m[3:]))}}
    whole = partials.IncidentTimes()
    for response, resolution in await incident_time_rows(db, scope, d):
        whole.add(response, resolution)
    return whole.summary()


def _answer_seconds(d: Dialect) -> Any:
    """Answer time in seconds, answered "early" = 0 s; NULL when not answered (PostgreSQL's
    greatest() would turn NULL into 0, SQLite's max() keeps it)."""
    seconds = d.seconds(Contact.received_at, Contact.answered_at)
    if not d.pg:
        return func.max(seconds, 0.0)
    return case((Contact.answered_at.is_(None), None), else_=func.greatest(seconds, 0.0))


async def contact_rows(db: AsyncSession, jurisdiction_id: int, period: Period, d: Dialect) -> list[Any]:
    """(received at, channel, classification, answer s or None) of the period's contacts."""
    return list(await db.execute(select(Contact.received_at, Contact.channel, Contact.classification,
                                        _answer_seconds(d)).where(
        Contact.jurisdiction_id == jurisdiction_id, Contact.received_at >= period.start,
        Contact.received_at < period.end, Contact.is_exercise.is_(False))))


def contact_summary_of(part: partials.ContactPartial, slowest_tenth: list[float]) -> dict[str, Any]:
    """The statistics of counted contacts; slowest_tenth: the slowest 10 % of answer times, sorted."""
    by_class: dict[str, int] = defaultdict(int)
    by_channel: dict[str, int] = defaultdict(int)
    total = answered = 0
    for (channel, klass), (n, n_answered) in part.by.items():
        total, answered = total + n, answered + n_answered
        by_class[klass or "unclassified"] += n
        by_channel[channel] += n
    return _contact_result(total, answered, by_class, by_channel, part.answer_sum, part.within,
                           mean_of_slowest(slowest_tenth, share=1.0))


def _contact_result(total: int, answered: int, by_class: dict[str, int], by_channel: dict[str, int],
                    answer_sum: float, within: int, slowest: float | None) -> dict[str, Any]:
    false = by_class.get("prank", 0) + by_class.get("ghost", 0)
    return {
        "total": total, "by_classification": dict(by_class), "by_channel": dict(by_channel),
        "false_contacts": false, "false_share": _round(false / total, 4) if total else None,
        "answered": answered, "mean_answer_s": _round(answer_sum / answered) if answered else None,
        "share_answered_within_10s": _round(within / answered, 4) if answered else None,
        "mean_slowest_10pct_answer_s": _round(slowest) if answered else None,
        "abandoned": by_class.get("abandoned", 0),
        "abandon_rate": _round(by_class.get("abandoned", 0) / total, 4) if total else None,
    }


async def contact_stats(db: AsyncSession, scope: Scope) -> dict[str, Any]:
    """European 112 contact statistics: false share, answer times, abandon rate, channels.

    Settled days come from their rollups (analytics.rollups); otherwise counted in the database (a
    year is ~300 000 contacts): counts by channel and class, then the answer times, each computed
    once per contact, summed and counted; only the slowest tenth comes back, for its mean.
    """
    d = Dialect(db.bind.dialect.name, scope.zone)
    from cc112.analytics import rollups

    stored = await rollups.contact_summary(db, scope, d)
    if stored is not None:
        return stored
    cond = [Contact.jurisdiction_id == scope.jurisdiction_id, Contact.received_at >= scope.period.start,
            Contact.received_at < scope.period.end, Contact.is_exercise.is_(False)]
    rows = (await db.execute(select(Contact.channel, Contact.classification, func.count(),
                                    func.count(Contact.answered_at))
                             .where(*cond).group_by(Contact.channel, Contact.classification))).all()
    total = answered = 0
    by_class: dict[str, int] = defaultdict(int)
    by_channel: dict[str, int] = defaultdict(int)
    for channel, klass, n, n_answered in rows:
        total, answered = total + n, answered + n_answered
        by_class[klass or "unclassified"] += n
        by_channel[channel] += n
    answer_sum, within, slowest = 0.0, 0, None
    if answered:
        answers = (select(_answer_seconds(d).label("s")).where(*cond, Contact.answered_at.is_not(None))
                   .cte("answers").prefix_with("MATERIALIZED"))  # each answer time computed once
        k = math.ceil(0.1 * answered)  # as stats.mean_of_slowest
        top = select(answers.c.s).order_by(answers.c.s.desc()).limit(k).subquery("top")
        rows = (await db.execute(union_all(  # one statement: the sum, the count within target, the slowest tenth
            select(literal(0).label("part"), func.sum(answers.c.s).label("value")),
            select(literal(1), func.count()).where(answers.c.s <= ANSWER_TARGET_S),
            select(literal(2), top.c.s)))).all()
        answer_sum, within = (next(float(v) for part, v in rows if part == i) for i in (0, 1))
        slowest = mean_of_slowest(sorted(float(v) for part, v in rows if part == 2), share=1.0)
    return _contact_result(total, answered, by_class, by_channel, answer_sum, int(within), slowest)


async def ratings(db: AsyncSession, scope: Scope) -> dict[str, Any]:
    """Citizen ratings on incidents in scope."""
    rows = (await db.execute(select(Feedback.rating, Feedback.not_fixed, func.count())
                             .join(Incident, Incident.id == Feedback.incident_id)
                             .where(*incident_conditions(scope)).group_by(Feedback.rating, Feedback.not_fixed))).all()
    count = sum(n for _, _, n in rows)
    distribution = {str(s): sum(n for r, _, n in rows if r == s) for s in range(1, 6)}
    return {"count": count, "mean": _round(sum(r * n for r, _, n in rows) / count, 2) if count else None,
            "distribution": distribution,
            "share_4_or_5": _round(sum(n for r, _, n in rows if r >= 4) / count, 4) if count else None,
            "not_fixed": sum(n for _, not_fixed, n in rows if not_fixed)}


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


async def monthly_counts(db: AsyncSession, scope: Scope, *, months: int = 12) -> list[dict[str, Any]]:
    """Incidents per local month for the `months` months that end with the period's last month.

    The scope's filters (agency, type, kecamatan) apply; the last month ends where the period ends.
    """
    from datetime import UTC, datetime, time
    from zoneinfo import ZoneInfo

    d = Dialect(db.bind.dialect.name, scope.zone)  # type: ignore[union-attr]
    labels = [scope.period.last_day.replace(day=1)]
    while len(labels) < months:
        labels.insert(0, (labels[0] - timedelta(days=1)).replace(day=1))
    start = datetime.combine(labels[0], time.min, ZoneInfo(scope.zone)).astimezone(UTC)
    month = d.local_month(Incident.created_at)  # type: ignore[arg-type]
    counts: dict[str, int] = dict((await db.execute(  # type: ignore[arg-type]
        select(month, func.count()).where(*incident_conditions(scope, in_period=False), Incident.created_at >= start,
                                          Incident.created_at < scope.period.end).group_by(month))).all())
    return [{"month": m.strftime("%Y-%m"), "count": int(counts.get(m.strftime("%Y-%m"), 0))} for m in labels]
