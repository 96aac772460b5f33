"""Assignments: dispatch agencies, their status changes, and the incident status they imply."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts import policy
from cc112.accounts.models import User
from cc112.agencies.models import Agency, Unit
from cc112.catalog import cache as refdata
from cc112.catalog.cache import AgencyInfo
from cc112.clock import now
from cc112.dispatch.models import ACTIVE, TRANSITIONS, Assignment
from cc112.errors import Conflict, DomainError, Invalid, InvalidTransition, NotFound
from cc112.events import service as events
from cc112.incidents import service as incidents
from cc112.incidents.models import OPEN_STATUSES, Incident
from cc112.incidents.schemas import AssignmentStatusIn

_TIMESTAMP = {
    "acknowledged": "acknowledged_at", "en_route": "en_route_at", "on_scene": "on_scene_at",
    "completed": "completed_at", "declined": "declined_at",
}
_UNIT_STATUS = {"acknowledged": "assigned", "en_route": "en_route", "on_scene": "on_scene",
                "completed": "available", "declined": "available", "cancelled": "available"}


async def _agency(db: AsyncSession, jurisdiction_id: int, code: str, field: str = "agency") -> AgencyInfo:
    agency = (await refdata.snapshot(db, jurisdiction_id)).agencies_by_code.get(code.strip().upper())
    if agency is None:
        raise Invalid(f"unknown agency {code!r}; see /api/v1/agencies", field=field)
    return agency


async def _unit(db: AsyncSession, agency: Agency | AgencyInfo, code: str) -> Unit:
    unit = await db.scalar(select(Unit).where(Unit.agency_id == agency.id, Unit.code == code.strip().upper()))
    if unit is None:
        raise Invalid(f"unit {code!r} does not belong to {agency.code}", field="unit")
    return unit


async def _routing_role(db: AsyncSession, incident: Incident, agency_id: int) -> str:
    snap = await refdata.snapshot(db, incident.jurisdiction_id)
    return snap.routing_role(incident.incident_type_id, agency_id) or "support"


async def _record(db: AsyncSession, incident: Incident, assignment: Assignment, kind: str,
                  actor: User | None, agency_code: str, **payload: object) -> None:
    await events.record(
        db, kind=kind, jurisdiction_id=incident.jurisdiction_id, actor=actor, incident_id=incident.id,
        assignment_id=assignment.id, audience="agency", is_exercise=incident.is_exercise,
        agency_ids=sorted(await incidents.assigned_agency_ids(db, incident.id)),
        payload={"ticket": incident.ticket, "agency": agency_code, "assignment_status": assignment.status,
                 "incident_status": incident.status, "priority": incident.priority, **payload},
    )


async def assign(
    *, db: AsyncSession, incident_id: int, agency_code: str, unit_code: str | None, actor: User,
    role: str | None = None, incident: Incident | None = None,
) -> Assignment:
    """Request one agency (optionally one unit) for an open incident."""
    if incident is None:
        incident = await incidents.lock(db, incident_id, actor)
    if incident.status not in OPEN_STATUSES:
        raise InvalidTransition(f"incident {incident.ticket} is {incident.status}; only open incidents can be dispatched")
    agency = await _agency(db, incident.jurisdiction_id, agency_code)
    unit = await _unit(db, agency, unit_code) if unit_code else None
    existing = await db.scalar(select(Assignment.id).where(
        Assignment.incident_id == incident.id, Assignment.agency_id == agency.id, Assignment.status.in_(ACTIVE)))
    if existing is not None:
        raise Conflict(f"{agency.code} is already assigned to {incident.ticket}", field="agency")
    at = now()
    assignment = Assignment(
        incident_id=incident.id, agency_id=agency.id, unit_id=unit.id if unit else None,
        role=role or await _routing_role(db, incident, agency.id), status="requested", version=1,
        requested_by_id=actor.id, requested_at=at,
    )
    db.add(assignment)
    await db.flush()
    if unit is not None:
        unit.status = "assigned"
    if incident.status in ("received", "verified"):
        await incidents.set_status(db, incident, "dispatched", expect=("received", "verified"))
        if incident.verified_at is None:
            incident.verified_at = at
    if incident.first_dispatched_at is None:
        incident.first_dispatched_at = at
    await _record(db, incident, assignment, "assignment.requested", actor, agency.code,
                  unit=unit.code if unit else None, role=assignment.role)
    return assignment


async def dispatch(*, db: AsyncSession, incident_id: int, agency_codes: list[str], actor: User) -> list[Assignment]:
    """Request several agencies in one action (all or none)."""
    codes = list(dict.fromkeys(c.strip().upper() for c in agency_codes))
    incident = await incidents.lock(db, incident_id, actor)
    try:
        return [
            await assign(db=db, incident_id=incident.id, agency_code=code, unit_code=None, actor=actor,
                         incident=incident)
            for code in codes
        ]
    except DomainError as exc:
        if exc.field == "agency":  # this request's field is called "agencies"
            exc.field = "agencies"
        raise


def derive_incident_status(statuses: list[str], current: str) -> str:
    """Incident status from its assignments (DESIGN.md): first on scene, all completed, …"""
    live = [s for s in statuses if s not in ("declined", "cancelled")]
    if not live:
        return "verified" if current in ("dispatched", "on_scene") else current
    if all(s == "completed" for s in live):
        return "resolved"
    if any(s in ("on_scene", "completed") for s in live):
        return "on_scene"
    return "dispatched"


async def _rederive(db: AsyncSession, incident: Incident) -> None:
    statuses = list(await db.scalars(select(Assignment.status).where(Assignment.incident_id == incident.id)))
    new = derive_incident_status(statuses, incident.status)
    if new == incident.status:
        return
    await incidents.set_status(db, incident, new, expect=(incident.status,))
    at = now()
    if new == "on_scene" and incident.first_on_scene_at is None:
        incident.first_on_scene_at = at
    if new == "resolved":
        incident.resolved_at = at


async def set_status(
    *, db: AsyncSession, assignment_id: int, status_in: AssignmentStatusIn, actor: User
) -> Assignment:
    """Move an assignment along its lifecycle (compare-and-set) and re-derive the incident."""
    incident_id = await db.scalar(select(Assignment.incident_id).where(Assignment.id == assignment_id))
    if incident_id is None:
        raise NotFound("assignment not found")
    incident = await incidents.lock(db, incident_id, actor)  # incident first: one lock order everywhere
    assignment = await db.scalar(
        select(Assignment).where(Assignment.id == assignment_id).execution_options(populate_existing=True))
    assert assignment is not None
    agency = (await refdata.snapshot(db, incident.jurisdiction_id)).agencies_by_id[assignment.agency_id]
    if actor.role in policy.AGENCY_ROLES and actor.agency_id != agency.id:
        raise NotFound("assignment not found")
    policy.check_assignment_status(actor, agency.id, status_in.status)
    new, old = status_in.status, assignment.status
    if new not in TRANSITIONS[old]:
        raise InvalidTransition(f"assignment of {agency.code} is {old}; it cannot become {new}")
    values: dict[str, object] = {"status": new, "version": Assignment.version + 1}
    if new in _TIMESTAMP:
        values[_TIMESTAMP[new]] = now()
    if new == "declined":
        values["decline_reason"] = status_in.reason
    if status_in.note:
        values["note"] = status_in.note
    if status_in.unit:
        values["unit_id"] = (await _unit(db, agency, status_in.unit)).id
    result = await db.execute(
        update(Assignment).where(Assignment.id == assignment.id, Assignment.status == old).values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("this assignment was changed by someone else; reload and retry")
    await db.refresh(assignment)
    if assignment.unit_id and new in _UNIT_STATUS:
        await db.execute(update(Unit).where(Unit.id == assignment.unit_id).values(status=_UNIT_STATUS[new]))
    await _rederive(db, incident)
    await _record(db, incident, assignment, f"assignment.{new}", actor, agency.code,
                  **({"reason": status_in.reason} if status_in.reason else {}),
                  **({"note": status_in.note} if status_in.note else {}))
    return assignment


async def cancel_active(*, db: AsyncSession, incident: Incident, actor: User, reason: str) -> None:
    """Stand down every active assignment of an incident (incident already locked)."""
    active = list(await db.scalars(
        select(Assignment).where(Assignment.incident_id == incident.id, Assignment.status.in_(ACTIVE))))
    for assignment in active:
        assignment.status = "cancelled"
        assignment.note = reason
        assignment.version += 1
        if assignment.unit_id:
            await db.execute(update(Unit).where(Unit.id == assignment.unit_id).values(status="available"))
    await db.flush()
    snap = await refdata.snapshot(db, incident.jurisdiction_id)
    for assignment in active:
        agency = snap.agencies_by_id.get(assignment.agency_id)
        await _record(db, incident, assignment, "assignment.cancelled", actor, agency.code if agency else "?",
                      reason=reason)


async def list_for_agency(*, db: AsyncSession, actor: User, active_only: bool, limit: int) -> list[Assignment]:
    stmt = select(Assignment).join(Incident, Incident.id == Assignment.incident_id).where(
        Incident.jurisdiction_id == actor.jurisdiction_id)
    if actor.role in policy.AGENCY_ROLES:
        stmt = stmt.where(Assignment.agency_id == actor.agency_id)
    if active_only:
        stmt = stmt.where(Assignment.status.in_(ACTIVE))
    return list(await db.scalars(stmt.order_by(Assignment.requested_at.desc()).limit(limit)))


ROAD_FACTOR = 1.35  # roads wind along the coast and hills: straight line × 1.35
RURAL_SPEED_KMH = {"ambulance": 45.0, "fire_truck": 35.0, "patrol_car": 50.0, "rescue_boat": 30.0}


async def suggest_units(db: AsyncSession, *, incident: Incident, agency_ids: set[int], per_agency: int = 3
                        ) -> dict[int, list[tuple[Unit, float, int]]]:
    """Nearest available units of each agency: (unit, straight-line km, estimated minutes)."""
    from cc112.geo.service import distance_km

    result: dict[int, list[tuple[Unit, float, int]]] = {a: [] for a in agency_ids}
    if incident.lat is None or incident.lon is None or not agency_ids:
        return result
    units = await db.scalars(select(Unit).where(Unit.agency_id.in_(agency_ids), Unit.status == "available"))
    for unit in units:
        lat, lon = (unit.lat, unit.lon) if unit.lat is not None and unit.lon is not None else (unit.home_lat, unit.home_lon)
        km = distance_km(incident.lat, incident.lon, lat, lon)
        minutes = round(km * ROAD_FACTOR / RURAL_SPEED_KMH.get(unit.kind, 40.0) * 60) + 2
        result[unit.agency_id].append((unit, km, minutes))
    for agency_id in result:
        result[agency_id] = sorted(result[agency_id], key=lambda t: t[1])[:per_agency]
    return result


async def request_support(*, db: AsyncSession, incident_id: int, agency_code: str, actor: User) -> Assignment:
    """An agency dispatcher on an incident asks another agency to support."""
    incident = await incidents.lock(db, incident_id, actor)
    if actor.role in policy.AGENCY_ROLES:
        mine = await incidents.assigned_agency_ids(db, incident.id, active_only=True)
        if actor.agency_id not in mine:
            raise NotFound("incident not found (not assigned to your agency)")
    return await assign(db=db, incident_id=incident.id, agency_code=agency_code, unit_code=None, actor=actor,
                        role="support", incident=incident)


async def report_position(*, db: AsyncSession, unit_id: int, lat: float, lon: float, actor: User) -> Unit:
    """A responder's phone reports the unit's position."""
    unit = await db.get(Unit, unit_id)
    agency = await db.get(Agency, unit.agency_id) if unit else None
    if unit is None or agency is None or agency.jurisdiction_id != actor.jurisdiction_id:
        raise NotFound("unit not found")
    if actor.role in policy.AGENCY_ROLES and actor.agency_id != agency.id:
        raise NotFound("unit not found")
    unit.lat, unit.lon, unit.position_at = lat, lon, now()
    await events.record(db, kind="unit.position", jurisdiction_id=agency.jurisdiction_id, actor=actor,
                        agency_ids=[agency.id], audience="agency",
                        payload={"unit": unit.code, "agency": agency.code, "status": unit.status,
                                 "lat": round(lat, 5), "lon": round(lon, 5)})
    return unit
