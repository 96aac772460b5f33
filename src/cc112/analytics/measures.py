"""Every measure leaders, the monthly report and open data use (DESIGN.md definitions).

Intervals come from the timestamps recorded with each Event, in the same transaction.
Exercises and merged duplicates are never counted; cancelled incidents are counted as
incidents but their stood-down assignments have no response to measure.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from cc112.agencies.models import Agency, AgencyTarget
from cc112.analytics.period import Period
from cc112.analytics.sql import Dialect
from cc112.analytics.stats import mean, mean_of_slowest, percentile, timing
from cc112.catalog.models import IncidentType
from cc112.clock import now
from cc112.contacts.models import Contact
from cc112.dispatch.models import Assignment
from cc112.geo.models import Region
from cc112.incidents.models import Incident
from cc112.public.models import Feedback

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


async def incident_breakdown(db: AsyncSession, scope: Scope) -> dict[str, Any]:
    """Counts by type, priority, kecamatan, local day, and hour × weekday."""
    d = Dialect(db.bind.dialect.name, scope.zone)
    cond = incident_conditions(scope)
    total, cancelled = (await db.execute(select(func.count(), func.count().filter(Incident.status == "cancelled"))
                                         .select_from(Incident).where(*cond))).one()
    by_type = (await db.execute(
        select(IncidentType.code, IncidentType.name_id, IncidentType.name_en, func.count())
        .join(Incident, Incident.incident_type_id == IncidentType.id).where(*cond)
        .group_by(IncidentType.code, IncidentType.name_id, IncidentType.name_en).order_by(func.count().desc()))).all()
    by_priority = dict((await db.execute(select(Incident.priority, func.count()).where(*cond)
                                         .group_by(Incident.priority))).all())
    by_region = (await db.execute(
        select(Region.code, Region.name, func.count()).join(Incident, Incident.region_id == Region.id).where(*cond)
        .group_by(Region.code, Region.name).order_by(func.count().desc()))).all()
    outside = int(await db.scalar(select(func.count()).select_from(Incident).where(*cond, Incident.region_id.is_(None))) or 0)
    day = d.local_day(Incident.created_at)
    per_day = dict((await db.execute(select(day, func.count()).where(*cond).group_by(day))).all())
    hour, wday = d.local_hour(Incident.created_at), d.local_weekday(Incident.created_at)
    heat = [[0] * 24 for _ in range(7)]
    for w, h, n in (await db.execute(select(wday, hour, func.count()).where(*cond).group_by(wday, hour))).all():
        heat[int(w)][int(h)] = int(n)
    days = [(scope.period.first_day + timedelta(days=i)).isoformat() for i in range(scope.period.days)]
    return {
        "total": int(total), "cancelled": int(cancelled),
        "by_type": [{"code": c, "name": n, "name_en": e, "count": int(k)} for c, n, e, k in by_type],
        "by_priority": {f"P{p}": int(by_priority.get(p, 0)) for p in (1, 2, 3, 4)},
        "by_kecamatan": [{"code": c, "name": n, "count": int(k)} for c, n, k in by_region],
        "outside_area": outside,
        "by_day": [{"day": day_, "count": int(per_day.get(day_, 0))} for day_ in days],
        "hour_weekday": heat,
    }


class Targets:
    """Targets per agency and priority with their history: the one in force at a moment."""

    def __init__(self, rows: list[AgencyTarget]) -> None:
        self._by: dict[tuple[int, int], list[AgencyTarget]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: r.valid_from):
            self._by[(row.agency_id, row.priority)].append(row)
        self._starts = {k: [r.valid_from.timestamp() for r in v] for k, v in self._by.items()}

    def at(self, agency_id: int, priority: int, epoch: float) -> AgencyTarget | None:
        starts = self._starts.get((agency_id, priority))
        if not starts:
            return None
        i = bisect.bisect_right(starts, epoch) - 1
        return self._by[(agency_id, priority)][i] if i >= 0 else None

    @classmethod
    async def load(cls, db: AsyncSession, jurisdiction_id: int) -> Targets:
        rows = await db.scalars(select(AgencyTarget).join(Agency, Agency.id == AgencyTarget.agency_id)
                                .where(Agency.jurisdiction_id == jurisdiction_id))
        return cls(list(rows))


async def _assignment_rows(db: AsyncSession, scope: Scope) -> list[Any]:
    d = Dialect(db.bind.dialect.name, scope.zone)
    later = aliased(Assignment)
    reassigned = exists().where(later.incident_id == Assignment.incident_id, later.id != Assignment.id,
                                later.requested_at >= Assignment.declined_at)
    stmt = (select(Assignment.agency_id, Incident.priority, Assignment.status, d.epoch(Assignment.requested_at),
                   d.seconds(Assignment.requested_at, Assignment.acknowledged_at),
                   d.seconds(Incident.created_at, Assignment.on_scene_at),
                   d.seconds(Incident.created_at, Assignment.completed_at),
                   and_(Assignment.status == "declined", reassigned), d.epoch(Incident.created_at))
            .join(Incident, Incident.id == Assignment.incident_id).where(*incident_conditions(scope)))
    if scope.agency_id:
        stmt = stmt.where(Assignment.agency_id == scope.agency_id)
    return list((await db.execute(stmt)).all())


def _summarise(rows: list[Any], targets: Targets, now_epoch: float) -> dict[str, Any]:
    """Times against targets. An assignment counts once its step is done or its deadline has passed:
    one still on its way within target is not (yet) a miss; one that never got there is."""
    live = [r for r in rows if r[2] not in ("declined", "cancelled")]

    def pairs(idx: int, attr: str, since: int) -> list[tuple[float | None, float | None]]:
        out = []
        for r in live:
            target = targets.at(r[0], r[1], r[3])
            seconds = getattr(target, attr) if target else None
            # due when the interval's own start (requested, or the incident's creation) + target has passed
            if r[idx] is None and seconds is not None and r[since] + seconds > now_epoch:
                continue  # not due yet
            out.append((r[idx], seconds))
        return out

    measured = {name: pairs(idx, attr, since) for name, idx, attr, since in (
        ("acknowledge", 4, "acknowledge_seconds", 3), ("response", 5, "on_scene_seconds", 8),
        ("resolution", 6, "resolve_seconds", 8))}
    return {
        "assignments": len(rows),
        **{name: timing(values, len(values)).as_dict() for name, values in measured.items()},
        "declined": sum(1 for r in rows if r[2] == "declined"),
        "reassigned": sum(1 for r in rows if r[7]),
    }


async def scorecard(db: AsyncSession, scope: Scope) -> list[dict[str, Any]]:
    """Per agency (and per priority within it): times against targets, declines, reassignments."""
    rows = await _assignment_rows(db, scope)
    targets = await Targets.load(db, scope.jurisdiction_id)
    # Judged as of now, not the period's end: a step still missing long after its deadline is a miss
    # even when the deadline fell after the period (else never finishing beats finishing late).
    now_epoch = now().timestamp()
    agencies = {a.id: a for a in await db.scalars(select(Agency).where(Agency.jurisdiction_id == scope.jurisdiction_id))}
    by_agency: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        by_agency[r[0]].append(r)
    out = []
    for agency_id in sorted(by_agency, key=lambda a: agencies[a].code):
        mine = by_agency[agency_id]
        entry = {"agency": agencies[agency_id].code, "name": agencies[agency_id].name,
                 **_summarise(mine, targets, now_epoch)}
        entry["by_priority"] = {f"P{p}": _summarise([r for r in mine if r[1] == p], targets, now_epoch)
                                for p in (1, 2, 3, 4) if any(r[1] == p for r in mine)}
        out.append(entry)
    return out


async def jurisdiction_times(db: AsyncSession, scope: Scope) -> dict[str, Any]:
    """Incident-level response (created → first on scene) and resolution (created → resolved)."""
    d = Dialect(db.bind.dialect.name, scope.zone)
    rows = (await db.execute(select(d.seconds(Incident.created_at, Incident.first_on_scene_at),
                                    d.seconds(Incident.created_at, Incident.resolved_at))
                             .where(*incident_conditions(scope), Incident.status != "cancelled"))).all()
    response = sorted(r[0] for r in rows if r[0] is not None)
    resolution = sorted(r[1] for r in rows if r[1] is not None)
    return {"incidents": len(rows),
            "response": {"measured": len(response), "p50_s": _round(percentile(response, 0.5)),
                         "p90_s": _round(percentile(response, 0.9))},
            "resolution": {"measured": len(resolution), "p50_s": _round(percentile(resolution, 0.5)),
                           "p90_s": _round(percentile(resolution, 0.9))}}


async def contact_stats(db: AsyncSession, scope: Scope) -> dict[str, Any]:
    """European 112 contact statistics: false share, answer times, abandon rate, channels."""
    d = Dialect(db.bind.dialect.name, scope.zone)
    cond = [Contact.jurisdiction_id == scope.jurisdiction_id, Contact.received_at >= scope.period.start,
            Contact.received_at < scope.period.end, Contact.is_exercise.is_(False)]
    rows = (await db.execute(select(Contact.channel, Contact.classification,
                                    d.seconds(Contact.received_at, Contact.answered_at)).where(*cond))).all()
    total = len(rows)
    by_class: dict[str, int] = defaultdict(int)
    by_channel: dict[str, int] = defaultdict(int)
    for channel, klass, _ in rows:
        by_class[klass or "unclassified"] += 1
        by_channel[channel] += 1
    answers = sorted(max(0.0, r[2]) for r in rows if r[2] is not None)
    false = by_class.get("prank", 0) + by_class.get("ghost", 0)
    return {
        "total": total, "by_classification": dict(by_class), "by_channel": dict(by_channel),
        "false_contacts": false, "false_share": _round(false / total, 4) if total else None,
        "answered": len(answers), "mean_answer_s": _round(mean(answers)),
        "share_answered_within_10s": _round(sum(1 for a in answers if a <= ANSWER_TARGET_S) / len(answers), 4)
        if answers else None,
        "mean_slowest_10pct_answer_s": _round(mean_of_slowest(answers)),
        "abandoned": by_class.get("abandoned", 0),
        "abandon_rate": _round(by_class.get("abandoned", 0) / total, 4) if total else None,
    }


async def ratings(db: AsyncSession, scope: Scope) -> dict[str, Any]:
    """Citizen ratings on incidents in scope."""
    rows = (await db.execute(select(Feedback.rating, Feedback.not_fixed).join(Incident, Incident.id == Feedback.incident_id)
                             .where(*incident_conditions(scope)))).all()
    values = [r[0] for r in rows]
    return {"count": len(values), "mean": _round(mean(values), 2),
            "distribution": {str(s): values.count(s) for s in range(1, 6)},
            "share_4_or_5": _round(sum(1 for v in values if v >= 4) / len(values), 4) if values else None,
            "not_fixed": sum(1 for r in rows if r[1])}


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
