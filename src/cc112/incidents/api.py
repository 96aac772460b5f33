"""Incident routes: create, read, lifecycle, merge, timeline, shared map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from cc112.accounts import policy
from cc112.accounts.models import User
from cc112.deps import AppSettings, CurrentUser, DbSession
from cc112.events import service as events
from cc112.events.models import Event
from cc112.incidents import present
from cc112.incidents import service as incidents
from cc112.incidents.models import OPEN_STATUSES, Incident
from cc112.incidents.schemas import (
    CancelIn,
    IncidentCreate,
    IncidentPage,
    IncidentRead,
    IncidentStatus,
    MapIncident,
    MergeIn,
    ReasonIn,
    TimelineEntry,
)

router = APIRouter(prefix="/api/v1", tags=["incidents"])


async def _one(db: DbSession, incident: Incident) -> IncidentRead:
    return (await present.incidents_read(db, [incident]))[0]


@router.post("/incidents", status_code=201, response_model=IncidentRead)
async def create_incident(incident_in: IncidentCreate, db: DbSession, user: CurrentUser,
                          settings: AppSettings) -> IncidentRead:
    """Open an incident (optionally recording its call); the response proposes agencies from routing rules."""
    policy.require(user, "incident.create")
    if incident_in.contact is not None:
        policy.require(user, "contact.create")
    incident = await incidents.create(db=db, incident_in=incident_in, actor=user, settings=settings)
    return await _one(db, incident)


@router.get("/incidents", response_model=IncidentPage)
async def list_incidents(
    db: DbSession, user: CurrentUser,
    status: Annotated[list[IncidentStatus] | None, Query()] = None,
    open: bool = False,
    type: Annotated[str | None, Query(max_length=40)] = None,
    priority: Annotated[int | None, Query(ge=1, le=4)] = None,
    region: Annotated[str | None, Query(max_length=20, description="kecamatan code")] = None,
    agency: Annotated[str | None, Query(max_length=32)] = None,
    exercise: bool | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> IncidentPage:
    """Incidents visible to you, newest first, with filters and paging."""
    policy.require(user, "incident.read")
    statuses = list(status or []) + (list(OPEN_STATUSES) if open else [])
    total, rows = await incidents.list_(
        db=db, actor=user, status=statuses or None, type_code=type, priority=priority, region_code=region,
        agency_code=agency, is_exercise=exercise, q=q, limit=limit, offset=offset)
    return IncidentPage(total=total, limit=limit, offset=offset, items=await present.incidents_read(db, rows))


@router.get("/incidents/{incident_id}", response_model=IncidentRead)
async def get_incident(incident_id: int, db: DbSession, user: CurrentUser) -> IncidentRead:
    """One incident with its assignments and routing proposal."""
    policy.require(user, "incident.read")
    return await _one(db, await incidents.get(db=db, incident_id=incident_id, actor=user))


@router.get("/incidents/{incident_id}/timeline", response_model=list[TimelineEntry])
async def incident_timeline(incident_id: int, db: DbSession, user: CurrentUser) -> list[TimelineEntry]:
    """Every recorded change of the incident, oldest first."""
    policy.require(user, "incident.read")
    incident = await incidents.get(db=db, incident_id=incident_id, actor=user)
    rows = list(await db.scalars(select(Event).where(Event.incident_id == incident.id).order_by(Event.id)))
    actors = {u.id: u.username for u in await db.scalars(
        select(User).where(User.id.in_({e.actor_id for e in rows if e.actor_id})))}
    return [
        TimelineEntry(id=e.id, at=e.at, kind=e.kind, actor=actors.get(e.actor_id) if e.actor_id else None,
                      agency_ids=list(e.agency_ids or []), payload=e.payload or {})
        for e in rows if events.can_see(user, events.event_to_dict(e))
    ]


@router.post("/incidents/{incident_id}/verify", response_model=IncidentRead)
async def verify_incident(incident_id: int, db: DbSession, user: CurrentUser) -> IncidentRead:
    """Confirm an unverified report."""
    policy.require(user, "incident.verify")
    return await _one(db, await incidents.verify(db=db, incident_id=incident_id, actor=user))


@router.post("/incidents/{incident_id}/close", response_model=IncidentRead)
async def close_incident(incident_id: int, db: DbSession, user: CurrentUser, body: ReasonIn | None = None) -> IncidentRead:
    """Close a resolved incident."""
    policy.require(user, "incident.close")
    reason = body.reason if body else ""
    return await _one(db, await incidents.close(db=db, incident_id=incident_id, actor=user, reason=reason))


@router.post("/incidents/{incident_id}/cancel", response_model=IncidentRead)
async def cancel_incident(incident_id: int, cancel_in: CancelIn, db: DbSession, user: CurrentUser) -> IncidentRead:
    """Cancel an open incident with a reason; active assignments are stood down."""
    policy.require(user, "incident.cancel")
    return await _one(db, await incidents.cancel(db=db, incident_id=incident_id, cancel_in=cancel_in, actor=user))


@router.post("/incidents/{incident_id}/merge", response_model=IncidentRead)
async def merge_incident(incident_id: int, merge_in: MergeIn, db: DbSession, user: CurrentUser) -> IncidentRead:
    """Merge this incident (a duplicate) into another; it is kept and marked merged."""
    policy.require(user, "incident.merge")
    return await _one(db, await incidents.merge(db=db, incident_id=incident_id, merge_in=merge_in, actor=user))


@router.get("/map/incidents", response_model=list[MapIncident])
async def map_incidents(db: DbSession, user: CurrentUser,
                        limit: Annotated[int, Query(ge=1, le=2000)] = 500) -> list[MapIncident]:
    """The shared picture of open incidents for every staff role: no personal data."""
    policy.require(user, "map.read")
    rows = list(await db.scalars(
        select(Incident).where(Incident.jurisdiction_id == user.jurisdiction_id, Incident.status.in_(OPEN_STATUSES))
        .order_by(Incident.priority, Incident.created_at).limit(limit)))
    return await present.map_read(db, rows)
