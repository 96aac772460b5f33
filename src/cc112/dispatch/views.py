"""Agency console and responder pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from cc112.accounts import policy
from cc112.agencies.models import Agency, Unit
from cc112.deps import DbSession
from cc112.dispatch import service as dispatch
from cc112.dispatch.models import ACTIVE, Assignment
from cc112.errors import Invalid
from cc112.events import service as events
from cc112.events.models import Event
from cc112.incidents import present
from cc112.incidents.models import Incident
from cc112.incidents.schemas import AssignmentStatusIn
from cc112.web.pages import PageUser, require_role
from cc112.web.templating import render

router = APIRouter(include_in_schema=False)


async def _agency_view(db: DbSession, user, *, active_only: bool):  # type: ignore[no-untyped-def]
    rows = await dispatch.list_for_agency(db=db, actor=user, active_only=active_only, limit=100)
    reads = await present.assignments_read(db, rows)
    incident_rows = list(await db.scalars(select(Incident).where(Incident.id.in_({a.incident_id for a in rows}))))
    incidents = {i.id: i for i in await present.incidents_read(db, incident_rows)}
    escalated = set(await db.scalars(select(Event.assignment_id).where(
        Event.kind == "assignment.escalated", Event.assignment_id.in_([a.id for a in rows]))))
    return reads, incidents, escalated


@router.get("/agency", response_class=HTMLResponse)
async def agency_page(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """The agency dispatcher's console."""
    require_role(user, "agency_dispatcher", "supervisor")
    agency = await db.get(Agency, user.agency_id) if user.agency_id else None
    units = list(await db.scalars(select(Unit).where(Unit.agency_id == user.agency_id).order_by(Unit.code))) if agency else []
    others = list(await db.scalars(select(Agency).where(Agency.jurisdiction_id == user.jurisdiction_id)
                                   .order_by(Agency.code)))
    return render(request, "agency.html", agency=agency, units=units, others=others,
                  last_event_id=await events.last_id(db),
                  tile_url=request.app.state.settings.map_tile_url)


@router.get("/agency/assignments", response_class=HTMLResponse)
async def agency_assignments(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """This agency's assignments, newest first, escalations marked."""
    require_role(user, "agency_dispatcher", "supervisor")
    reads, incidents, escalated = await _agency_view(db, user, active_only=True)
    units = list(await db.scalars(select(Unit).where(Unit.agency_id == user.agency_id).order_by(Unit.code))) if user.agency_id else []
    others = list(await db.scalars(select(Agency).where(Agency.jurisdiction_id == user.jurisdiction_id).order_by(Agency.code)))
    return render(request, "_agency_assignments.html", assignments=reads, incidents=incidents, escalated=escalated,
                  units=units, others=others)


@router.post("/agency/assignments/{assignment_id}/status", response_class=HTMLResponse)
async def agency_set_status(
    request: Request, assignment_id: int, db: DbSession, user: PageUser,
    status: Annotated[str, Form(max_length=16)], reason: Annotated[str, Form(max_length=300)] = "",
    unit: Annotated[str, Form(max_length=32)] = "", note: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    """Acknowledge, decline with reason, assign a unit, move along."""
    if status not in ("acknowledged", "declined", "en_route", "on_scene", "completed"):
        raise Invalid("unknown status", field="status")
    if status == "declined" and not reason.strip():
        raise Invalid("write why you decline, so the supervisor can reroute", field="reason")
    await dispatch.set_status(db=db, assignment_id=assignment_id, actor=user, status_in=AssignmentStatusIn(
        status=status, reason=reason or None, unit=unit or None, note=note or None))  # type: ignore[arg-type]
    await db.flush()
    if request.url.path.startswith("/responder"):
        return await responder_current(request, db, user)
    return await agency_assignments(request, db, user)


@router.post("/agency/incidents/{incident_id}/support", response_class=HTMLResponse)
async def agency_support(request: Request, incident_id: int, db: DbSession, user: PageUser,
                         agency: Annotated[str, Form(max_length=32)]) -> HTMLResponse:
    """Ask another agency to support on an incident of ours."""
    policy.require(user, "assignment.support")
    await dispatch.request_support(db=db, incident_id=incident_id, agency_code=agency, actor=user)
    await db.flush()
    return await agency_assignments(request, db, user)


@router.get("/responder", response_class=HTMLResponse)
async def responder_page(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """The responder's phone page: current assignment and big buttons."""
    require_role(user, "responder", "agency_dispatcher")
    return render(request, "responder.html", last_event_id=await events.last_id(db))


@router.get("/responder/current", response_class=HTMLResponse)
async def responder_current(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """The current assignment of the responder's agency (most urgent first)."""
    require_role(user, "responder", "agency_dispatcher")
    rows = list(await db.scalars(
        select(Assignment).join(Incident, Incident.id == Assignment.incident_id)
        .where(Assignment.agency_id == user.agency_id, Assignment.status.in_(ACTIVE))
        .order_by(Incident.priority, Assignment.requested_at).limit(5)))
    reads = await present.assignments_read(db, rows)
    incident_rows = list(await db.scalars(select(Incident).where(Incident.id.in_({a.incident_id for a in rows}))))
    incidents = {i.id: i for i in await present.incidents_read(db, incident_rows)}
    return render(request, "_responder_current.html", assignments=reads, incidents=incidents)


@router.post("/responder/assignments/{assignment_id}/status", response_class=HTMLResponse)
async def responder_set_status(request: Request, assignment_id: int, db: DbSession, user: PageUser,
                               status: Annotated[str, Form(max_length=16)]) -> HTMLResponse:
    """En route, on scene, completed — one tap."""
    return await agency_set_status(request, assignment_id, db, user, status=status)


@router.post("/responder/position", status_code=204)
async def responder_position(db: DbSession, user: PageUser, assignment: Annotated[int, Form()],
                             lat: Annotated[float, Form(ge=-90, le=90, allow_inf_nan=False)],
                             lon: Annotated[float, Form(ge=-180, le=180, allow_inf_nan=False)]) -> None:
    """The phone's position while on duty moves the assignment's unit on the map."""
    policy.require(user, "unit.position")
    row = await db.get(Assignment, assignment)
    if row is None or row.unit_id is None or (user.agency_id and row.agency_id != user.agency_id):
        return None
    await dispatch.report_position(db=db, unit_id=row.unit_id, lat=lat, lon=lon, actor=user)
    return None
