"""Turn incidents into their API shape, loading related rows in batches."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency, Unit
from cc112.agencies.service import targets_in_force
from cc112.catalog.models import IncidentType, RoutingRule
from cc112.clock import now
from cc112.contacts.models import Contact
from cc112.dispatch.models import ACTIVE, Assignment
from cc112.geo.models import Region
from cc112.incidents.models import Incident
from cc112.incidents.schemas import AssignmentRead, IncidentRead, MapIncident, ProposedAgency, RegionRef, TypeRef


async def _by_id(db: AsyncSession, model: type, ids: set[int]) -> dict[int, object]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: row for row in await db.scalars(select(model).where(model.id.in_(ids)))}


def assignment_read(a: Assignment, agency: Agency, unit: Unit | None, targets: dict, priority: int) -> AssignmentRead:  # type: ignore[type-arg]
    target = targets.get((a.agency_id, priority))
    ack_due = scene_due = None
    if target is not None:
        ack_due = a.requested_at + timedelta(seconds=target.acknowledge_seconds)
        scene_due = a.requested_at + timedelta(seconds=target.on_scene_seconds)
    return AssignmentRead(
        id=a.id, incident_id=a.incident_id, agency=agency.code, agency_name=agency.name,
        unit=unit.code if unit else None, role=a.role, status=a.status, requested_at=a.requested_at,
        acknowledged_at=a.acknowledged_at, en_route_at=a.en_route_at, on_scene_at=a.on_scene_at,
        completed_at=a.completed_at, declined_at=a.declined_at, decline_reason=a.decline_reason,
        note=a.note, acknowledge_due_at=ack_due, on_scene_due_at=scene_due,
    )


async def assignments_read(db: AsyncSession, rows: list[Assignment]) -> list[AssignmentRead]:
    incidents = await _by_id(db, Incident, {a.incident_id for a in rows})
    agencies = await _by_id(db, Agency, {a.agency_id for a in rows})
    units = await _by_id(db, Unit, {a.unit_id for a in rows if a.unit_id})
    targets = await targets_in_force(db, agency_ids={a.agency_id for a in rows}, at=now())
    return [
        assignment_read(a, agencies[a.agency_id], units.get(a.unit_id) if a.unit_id else None,  # type: ignore[arg-type]
                        targets, incidents[a.incident_id].priority)  # type: ignore[attr-defined]
        for a in rows
    ]


async def incidents_read(db: AsyncSession, rows: list[Incident]) -> list[IncidentRead]:
    if not rows:
        return []
    ids = [i.id for i in rows]
    types = await _by_id(db, IncidentType, {i.incident_type_id for i in rows})
    regions = await _by_id(db, Region, {i.region_id for i in rows if i.region_id} | {i.desa_id for i in rows if i.desa_id})
    masters = await _by_id(db, Incident, {i.merged_into_id for i in rows if i.merged_into_id})
    assignments = list(await db.scalars(select(Assignment).where(Assignment.incident_id.in_(ids)).order_by(Assignment.id)))
    contacts = (await db.execute(select(Contact.id, Contact.incident_id).where(Contact.incident_id.in_(ids)))).all()
    rules = (await db.execute(select(RoutingRule).where(RoutingRule.incident_type_id.in_({i.incident_type_id for i in rows})))).scalars().all()
    agencies = await _by_id(db, Agency, {a.agency_id for a in assignments} | {r.agency_id for r in rules})
    units = await _by_id(db, Unit, {a.unit_id for a in assignments if a.unit_id})
    targets = await targets_in_force(db, agency_ids={a.agency_id for a in assignments}, at=now())
    out = []
    for inc in rows:
        own = [a for a in assignments if a.incident_id == inc.id]
        live_agencies = {a.agency_id for a in own if a.status in ACTIVE + ("completed",)}
        itype = types[inc.incident_type_id]
        region = regions.get(inc.region_id) if inc.region_id else None
        desa = regions.get(inc.desa_id) if inc.desa_id else None
        proposals = sorted(
            (r for r in rules if r.incident_type_id == inc.incident_type_id),
            key=lambda r: (r.role != "primary", agencies[r.agency_id].code),  # type: ignore[attr-defined]
        )
        out.append(IncidentRead(
            id=inc.id, ticket=inc.ticket, type=TypeRef.model_validate(itype), priority=inc.priority,
            status=inc.status, lat=inc.lat, lon=inc.lon, location_accuracy_m=inc.location_accuracy_m,
            region=RegionRef.model_validate(region) if region else None,
            desa=RegionRef.model_validate(desa) if desa else None,
            address=inc.address, landmark=inc.landmark, description=inc.description,
            people_involved=inc.people_involved, hazards=inc.hazards, is_exercise=inc.is_exercise,
            merged_into=masters[inc.merged_into_id].ticket if inc.merged_into_id else None,  # type: ignore[attr-defined]
            close_reason=inc.close_reason, created_at=inc.created_at, updated_at=inc.updated_at,
            verified_at=inc.verified_at, first_dispatched_at=inc.first_dispatched_at,
            first_on_scene_at=inc.first_on_scene_at, resolved_at=inc.resolved_at, closed_at=inc.closed_at,
            contact_ids=sorted(cid for cid, iid in contacts if iid == inc.id),
            assignments=[assignment_read(a, agencies[a.agency_id], units.get(a.unit_id) if a.unit_id else None,  # type: ignore[arg-type]
                                         targets, inc.priority) for a in own],
            proposed_agencies=[ProposedAgency(agency=agencies[r.agency_id].code, name=agencies[r.agency_id].name,  # type: ignore[attr-defined]
                                              role=r.role, assigned=r.agency_id in live_agencies) for r in proposals],
        ))
    return out


async def map_read(db: AsyncSession, rows: list[Incident]) -> list[MapIncident]:
    types = await _by_id(db, IncidentType, {i.incident_type_id for i in rows})
    regions = await _by_id(db, Region, {i.region_id for i in rows if i.region_id})
    pairs = (await db.execute(
        select(Assignment.incident_id, Agency.code).join(Agency, Agency.id == Assignment.agency_id)
        .where(Assignment.incident_id.in_([i.id for i in rows]), Assignment.status.in_(ACTIVE + ("completed",)))
    )).all() if rows else []
    return [
        MapIncident(
            id=i.id, ticket=i.ticket, type=types[i.incident_type_id].code,  # type: ignore[attr-defined]
            type_name=types[i.incident_type_id].name_id, priority=i.priority, status=i.status,  # type: ignore[attr-defined]
            lat=i.lat, lon=i.lon, region=regions[i.region_id].name if i.region_id else None,  # type: ignore[attr-defined]
            agencies=sorted({code for iid, code in pairs if iid == i.id}), created_at=i.created_at,
        )
        for i in rows
    ]
