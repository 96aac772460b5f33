"""Turn incidents into their API shape, loading related rows in batches (reference data cached)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Unit
from cc112.catalog import cache as refdata
from cc112.catalog.cache import AgencyInfo, Snapshot
from cc112.contacts.models import Contact
from cc112.dispatch.models import ACTIVE, Assignment
from cc112.geo.models import Region
from cc112.incidents.models import Incident
from cc112.incidents.schemas import AssignmentRead, IncidentRead, MapIncident, ProposedAgency, RegionRef, TypeRef


async def _by_id(db: AsyncSession, model: type, ids: set[int | None]) -> dict[int, object]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.id: row for row in await db.scalars(select(model).where(model.id.in_(wanted)))}


def assignment_read(a: Assignment, agency: AgencyInfo, unit: Unit | None, snap: Snapshot, priority: int) -> AssignmentRead:
    """An assignment with its deadlines from the target in force when it was requested."""
    target = snap.target_at(a.agency_id, priority, a.requested_at)
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
    if not rows:
        return []
    incidents = await _by_id(db, Incident, {a.incident_id for a in rows})
    units = await _by_id(db, Unit, {a.unit_id for a in rows})
    jurisdiction_id = next(iter(incidents.values())).jurisdiction_id  # type: ignore[attr-defined]
    snap = await refdata.snapshot(db, jurisdiction_id)
    return [
        assignment_read(a, snap.agencies_by_id[a.agency_id], units.get(a.unit_id) if a.unit_id else None,  # type: ignore[arg-type]
                        snap, incidents[a.incident_id].priority)  # type: ignore[attr-defined]
        for a in rows
    ]


def _proposals(snap: Snapshot, inc: Incident, live_agencies: set[int]) -> list[ProposedAgency]:
    rules = sorted(snap.rules_by_type.get(inc.incident_type_id, []),
                   key=lambda r: (r[1] != "primary", snap.agencies_by_id[r[0]].code))
    return [ProposedAgency(agency=snap.agencies_by_id[aid].code, name=snap.agencies_by_id[aid].name, role=role,
                           assigned=aid in live_agencies) for aid, role in rules]


async def incidents_read(db: AsyncSession, rows: list[Incident]) -> list[IncidentRead]:
    if not rows:
        return []
    ids = [i.id for i in rows]
    snap = await refdata.snapshot(db, rows[0].jurisdiction_id)
    regions = await _by_id(db, Region, {i.region_id for i in rows} | {i.desa_id for i in rows})
    masters = await _by_id(db, Incident, {i.merged_into_id for i in rows})
    assignments = list(await db.scalars(select(Assignment).where(Assignment.incident_id.in_(ids)).order_by(Assignment.id)))
    contacts = (await db.execute(select(Contact.id, Contact.incident_id).where(Contact.incident_id.in_(ids)))).all()
    units = await _by_id(db, Unit, {a.unit_id for a in assignments})
    out = []
    for inc in rows:
        own = [a for a in assignments if a.incident_id == inc.id]
        live_agencies = {a.agency_id for a in own if a.status in ACTIVE + ("completed",)}
        itype = snap.types_by_id[inc.incident_type_id]
        region = regions.get(inc.region_id) if inc.region_id else None
        desa = regions.get(inc.desa_id) if inc.desa_id else None
        out.append(IncidentRead(
            id=inc.id, ticket=inc.ticket, type=TypeRef(code=itype.code, name_id=itype.name_id, name_en=itype.name_en),
            priority=inc.priority, status=inc.status, lat=inc.lat, lon=inc.lon,  # type: ignore[arg-type]
            location_accuracy_m=inc.location_accuracy_m,
            region=RegionRef.model_validate(region) if region else None,
            desa=RegionRef.model_validate(desa) if desa else None,
            address=inc.address, landmark=inc.landmark, description=inc.description,
            people_involved=inc.people_involved, hazards=inc.hazards, is_exercise=inc.is_exercise,
            merged_into=masters[inc.merged_into_id].ticket if inc.merged_into_id else None,  # type: ignore[attr-defined]
            close_reason=inc.close_reason, created_at=inc.created_at, updated_at=inc.updated_at,
            verified_at=inc.verified_at, first_dispatched_at=inc.first_dispatched_at,
            first_on_scene_at=inc.first_on_scene_at, resolved_at=inc.resolved_at, closed_at=inc.closed_at,
            contact_ids=sorted(cid for cid, iid in contacts if iid == inc.id),
            assignments=[assignment_read(a, snap.agencies_by_id[a.agency_id],
                                         units.get(a.unit_id) if a.unit_id else None,  # type: ignore[arg-type]
                                         snap, inc.priority) for a in own],
            proposed_agencies=_proposals(snap, inc, live_agencies),
        ))
    return out


async def map_read(db: AsyncSession, rows: list[Incident]) -> list[MapIncident]:
    if not rows:
        return []
    snap = await refdata.snapshot(db, rows[0].jurisdiction_id)
    regions = await _by_id(db, Region, {i.region_id for i in rows})
    pairs = (await db.execute(
        select(Assignment.incident_id, Assignment.agency_id)
        .where(Assignment.incident_id.in_([i.id for i in rows]), Assignment.status.in_(ACTIVE + ("completed",)))
    )).all()
    return [
        MapIncident(
            id=i.id, ticket=i.ticket, type=snap.types_by_id[i.incident_type_id].code,
            type_name=snap.types_by_id[i.incident_type_id].name_id, priority=i.priority, status=i.status,
            lat=i.lat, lon=i.lon, region=regions[i.region_id].name if i.region_id else None,  # type: ignore[attr-defined]
            agencies=sorted({snap.agencies_by_id[aid].code for iid, aid in pairs if iid == i.id}),
            created_at=i.created_at,
        )
        for i in rows
    ]
