"""Call-taker console pages: intake, queue, incident detail, coordination thread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from cc112.accounts import policy
from cc112.agencies.models import Agency
from cc112.catalog.models import IncidentType
from cc112.clock import now
from cc112.contacts import service as contacts
from cc112.contacts.models import Contact
from cc112.contacts.present import audit_personal_view, contact_read
from cc112.contacts.schemas import ContactCreate
from cc112.deps import AppSettings, DbSession
from cc112.dispatch import service as dispatch
from cc112.errors import Invalid
from cc112.events.models import Event
from cc112.geo.models import Region
from cc112.incidents import present
from cc112.incidents import service as incidents
from cc112.incidents.models import OPEN_STATUSES, Incident
from cc112.incidents.schemas import CancelIn, IncidentCreate, MergeIn
from cc112.web.pages import PageUser, require_role
from cc112.web.templating import render

router = APIRouter(include_in_schema=False)
INTAKE_ROLES = ("operator", "supervisor", "admin")
PROCESSING_TARGET_S = 60  # NFPA 1225: 90 % dispatched within 60 s of answer


async def _types(db: DbSession, jurisdiction_id: int) -> list[IncidentType]:
    return list(await db.scalars(select(IncidentType).where(IncidentType.jurisdiction_id == jurisdiction_id)
                                 .order_by(IncidentType.name_id)))


async def _regions(db: DbSession, jurisdiction_id: int) -> list[Region]:
    return list(await db.scalars(select(Region).where(Region.jurisdiction_id == jurisdiction_id)
                                 .order_by(Region.level.desc(), Region.name)))


@router.get("/console", response_class=HTMLResponse)
async def console_page(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """The call-taker console."""
    require_role(user, *INTAKE_ROLES)
    agencies = list(await db.scalars(select(Agency).where(Agency.jurisdiction_id == user.jurisdiction_id)
                                     .order_by(Agency.code)))
    from cc112.events.service import last_id

    return render(request, "console.html", types=await _types(db, user.jurisdiction_id),
                  last_event_id=await last_id(db),
                  regions=await _regions(db, user.jurisdiction_id), agencies=agencies,
                  tile_url=request.app.state.settings.map_tile_url, processing_target=PROCESSING_TARGET_S)


@router.get("/console/queue", response_class=HTMLResponse)
async def queue_fragment(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """Open incidents by priority and age, with each assignment's state and deadline."""
    total, rows = await incidents.list_(db=db, actor=user, status=list(OPEN_STATUSES), type_code=None, priority=None,
                                        region_code=None, agency_code=None, is_exercise=None, q=None, limit=200,
                                        offset=0)
    items = sorted(await present.incidents_read(db, rows), key=lambda i: (i.priority, i.created_at))
    return render(request, "_queue.html", items=items, total=total)


@router.get("/console/contacts", response_class=HTMLResponse)
async def waiting_contacts(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """Recent contacts not yet linked to an incident (e.g. SMS or app reports with a position)."""
    require_role(user, *INTAKE_ROLES)
    since = now() - timedelta(hours=2)
    rows = list(await db.scalars(
        select(Contact).where(Contact.jurisdiction_id == user.jurisdiction_id, Contact.incident_id.is_(None),
                              Contact.received_at >= since,
                              (Contact.classification.is_(None)) | (Contact.classification == "emergency"))
        .order_by(Contact.received_at.desc()).limit(20)))
    full = policy.may_view_personal(user)
    if full and rows:
        await audit_personal_view(request.app.state.db, actor=user, contacts=rows, purpose="console waiting list")
    return render(request, "_waiting.html", contacts=[contact_read(c, full=full) for c in rows])


@router.get("/console/caller", response_class=HTMLResponse)
async def caller_fragment(request: Request, db: DbSession, user: PageUser, settings: AppSettings,
                          phone: Annotated[str, Query(max_length=32)] = "") -> HTMLResponse:
    """Caller history, previous tickets and block status for the number being typed."""
    require_role(user, *INTAKE_ROLES)
    digits = sum(ch.isdigit() for ch in phone)
    if digits < 6:
        return render(request, "_caller.html", found=None)
    try:
        e164, total, pranks, block, rows, tickets = await contacts.history(
            db=db, raw_number=phone, actor=user, settings=settings, limit=5)
    except Invalid as exc:
        return render(request, "_caller.html", found=None, error=exc.message)
    if rows:
        await audit_personal_view(request.app.state.db, actor=user, contacts=rows, purpose="caller history (console)")
    return render(request, "_caller.html", found=True, number=e164, total=total, pranks=pranks, block=block,
                  contacts=rows, tickets=tickets, threshold=settings.prank_block_threshold)


@router.get("/console/routing", response_class=HTMLResponse)
async def routing_fragment(request: Request, db: DbSession, user: PageUser,
                           type: Annotated[str, Query(max_length=120)] = "") -> HTMLResponse:
    """The agencies the chosen type's rules propose, ticked, and its default priority."""
    itype = await _match_type(db, user.jurisdiction_id, type)
    rules = []
    if itype is not None:
        from cc112.catalog.models import RoutingRule

        rules = (await db.execute(select(Agency, RoutingRule.role).join(RoutingRule, RoutingRule.agency_id == Agency.id)
                                  .where(RoutingRule.incident_type_id == itype.id))).all()
        rules = sorted(rules, key=lambda r: (r[1] != "primary", r[0].code))
    return render(request, "_routing.html", itype=itype, rules=rules)


async def _match_type(db: DbSession, jurisdiction_id: int, text: str) -> IncidentType | None:
    text = text.strip().lower()
    if not text:
        return None
    for t in await _types(db, jurisdiction_id):
        if text in (t.code.lower(), t.name_id.lower(), t.name_en.lower(), f"{t.name_id} ({t.code})".lower()):
            return t
    return None


def _parse_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    # A browser clock far off is not trusted.
    return parsed if abs((now() - parsed).total_seconds()) < 3600 else None


@router.post("/console/intake", response_class=HTMLResponse)
async def intake_submit(
    request: Request, db: DbSession, user: PageUser, settings: AppSettings,
    phone: Annotated[str, Form(max_length=32)] = "", channel: Annotated[str, Form(max_length=16)] = "phone",
    classification: Annotated[str, Form(max_length=16)] = "emergency",
    type: Annotated[str, Form(max_length=120)] = "", region: Annotated[str, Form(max_length=200)] = "",
    lat: Annotated[str, Form(max_length=20)] = "", lon: Annotated[str, Form(max_length=20)] = "",
    priority: Annotated[str, Form(max_length=2)] = "", address: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=4000)] = "", received_at: Annotated[str, Form(max_length=40)] = "",
    contact_id: Annotated[str, Form(max_length=12)] = "", agencies: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Call → contact → (if an emergency) incident → dispatch, in one transaction."""
    require_role(user, "operator", "supervisor")
    started = _parse_time(received_at) or now()
    if contact_id.isdigit():
        contact = await contacts.get(db=db, contact_id=int(contact_id), actor=user)
    else:
        contact = await contacts.create(db=db, actor=user, settings=settings, contact_in=ContactCreate(
            channel=channel if channel in ("phone", "sms", "web", "app", "cctv", "walk_in", "radio") else "phone",  # type: ignore[arg-type]
            caller_number=phone or None, received_at=started, answered_at=started, ended_at=now(),
            classification=classification if classification != "emergency" else None,  # type: ignore[arg-type]
        ))
    if classification != "emergency":
        if contact.classification != classification:
            from cc112.contacts.schemas import ContactClassify

            await contacts.classify(db=db, contact_id=contact.id, actor=user, settings=settings,
                                    classify_in=ContactClassify(classification=classification))  # type: ignore[arg-type]
        return render(request, "_intake_done.html", headers={"HX-Trigger": "intake-done"},
                      message_kind="contact", classification=classification, ticket=None)
    itype = await _match_type(db, user.jurisdiction_id, type)
    if itype is None:
        raise Invalid("choose an incident type from the list", field="type")
    region_code = region.rsplit("—", 1)[-1].strip() if "—" in region else (region.strip() or None)
    incident = await incidents.create(db=db, actor=user, incident_in=IncidentCreate(
        type=itype.code, priority=int(priority) if priority.isdigit() else None,
        lat=float(lat) if lat else None, lon=float(lon) if lon else None,
        region_code=region_code if not lat else None, address=address or None, description=description,
        contact_id=contact.id,
    ))
    chosen = [a for a in (agencies or []) if a]
    if chosen:
        await dispatch.dispatch(db=db, incident_id=incident.id, agency_codes=chosen, actor=user)
    return render(request, "_intake_done.html", headers={"HX-Trigger": "intake-done"}, message_kind="incident",
                  ticket=incident.ticket, dispatched=chosen, incident_id=incident.id)


@router.get("/console/incident/{incident_id}", response_class=HTMLResponse)
async def incident_panel(request: Request, incident_id: int, db: DbSession, user: PageUser) -> HTMLResponse:
    """Incident detail: assignments with deadlines, units, merge/close, thread and timeline."""
    incident = await incidents.get(db=db, incident_id=incident_id, actor=user)
    view = (await present.incidents_read(db, [incident]))[0]
    assigned = {a.agency for a in view.assignments if a.status not in ("declined", "cancelled")}
    agency_rows = list(await db.scalars(select(Agency).where(Agency.jurisdiction_id == user.jurisdiction_id)))
    by_code = {a.code: a for a in agency_rows}
    suggestions = await dispatch.suggest_units(db, incident=incident, agency_ids={by_code[c].id for c in assigned if c in by_code})
    events_rows = list(await db.scalars(select(Event).where(Event.incident_id == incident.id).order_by(Event.id)))
    notes = [e for e in events_rows if e.kind == "incident.note"]
    from cc112.public.models import Photo

    photo_ids = list(await db.scalars(select(Photo.id).where(Photo.incident_id == incident.id).order_by(Photo.id)))
    return render(request, "_incident.html", i=view, agencies=agency_rows, assigned=assigned, photo_ids=photo_ids,
                  suggestions={a.code: suggestions.get(a.id, []) for a in agency_rows if a.id in suggestions},
                  notes=notes, timeline=[e for e in events_rows if e.kind != "incident.note"],
                  can_manage=user.role in ("operator", "supervisor"),
                  can_note=policy.allowed(user, "incident.note"))


@router.post("/console/incident/{incident_id}/dispatch", response_class=HTMLResponse)
async def panel_dispatch(request: Request, incident_id: int, db: DbSession, user: PageUser,
                         agencies: Annotated[list[str] | None, Form()] = None) -> HTMLResponse:
    """Dispatch more agencies from the detail panel."""
    policy.require(user, "assignment.create")
    if not agencies:
        raise Invalid("tick at least one agency", field="agencies")
    await dispatch.dispatch(db=db, incident_id=incident_id, agency_codes=agencies, actor=user)
    await db.flush()
    return await incident_panel(request, incident_id, db, user)


@router.post("/console/incident/{incident_id}/{action}", response_class=HTMLResponse)
async def panel_action(request: Request, incident_id: int, action: str, db: DbSession, user: PageUser,
                       reason: Annotated[str, Form(max_length=300)] = "",
                       into: Annotated[str, Form(max_length=32)] = "",
                       text: Annotated[str, Form(max_length=1000)] = "") -> HTMLResponse:
    """Close, cancel, merge, verify or write to the thread."""
    if action == "note":
        policy.require(user, "incident.note")
        await incidents.add_note(db=db, incident_id=incident_id, text=text, actor=user)
    elif action == "close":
        policy.require(user, "incident.close")
        await incidents.close(db=db, incident_id=incident_id, actor=user, reason=reason)
    elif action == "cancel":
        policy.require(user, "incident.cancel")
        await incidents.cancel(db=db, incident_id=incident_id, actor=user, cancel_in=CancelIn(reason=reason or "—"))
    elif action == "merge":
        policy.require(user, "incident.merge")
        await incidents.merge(db=db, incident_id=incident_id, actor=user, merge_in=MergeIn(into=into, reason=reason))
    elif action == "verify":
        policy.require(user, "incident.verify")
        await incidents.verify(db=db, incident_id=incident_id, actor=user)
    else:
        raise Invalid(f"unknown action {action!r}")
    await db.flush()
    return await incident_panel(request, incident_id, db, user)


@router.get("/console/map-data")
async def map_data(request: Request, db: DbSession, user: PageUser) -> dict[str, object]:
    """Open incidents, units and kecamatan points for the live map (no personal data)."""
    rows = list(await db.scalars(select(Incident).where(Incident.jurisdiction_id == user.jurisdiction_id,
                                                        Incident.status.in_(OPEN_STATUSES)).limit(500)))
    from cc112.agencies.service import list_units

    units = await list_units(db, jurisdiction_id=user.jurisdiction_id, agency_code=None, status=None)
    kec = list(await db.scalars(select(Region).where(Region.jurisdiction_id == user.jurisdiction_id,
                                                     Region.level == "kecamatan")))
    return {
        "incidents": [m.model_dump(mode="json") for m in await present.map_read(db, rows)],
        "units": [{"code": u.code, "name": u.name, "agency": a.code, "status": u.status, "kind": u.kind,
                   "lat": u.lat if u.lat is not None else u.home_lat, "lon": u.lon if u.lon is not None else u.home_lon}
                  for u, a in units],
        "kecamatan": [{"code": r.code, "name": r.name, "lat": r.lat, "lon": r.lon} for r in kec],
    }


@router.get("/console/photos/{photo_id}")
async def incident_photo(photo_id: int, db: DbSession, user: PageUser, settings: AppSettings) -> Response:
    """A report photo, for staff who may see its incident (never from the web root)."""
    from fastapi.responses import FileResponse

    from cc112.errors import NotFound
    from cc112.public.models import Photo
    from cc112.public.service import photo_path

    photo = await db.get(Photo, photo_id)
    if photo is None:
        raise NotFound("photo not found")
    await incidents.get(db=db, incident_id=photo.incident_id, actor=user)
    path = photo_path(settings, photo.stored_name)
    if not path.exists():
        raise NotFound("the photo file is missing from storage")
    return FileResponse(path, media_type=photo.content_type, headers={"Cache-Control": "private, max-age=3600"})
