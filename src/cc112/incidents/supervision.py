"""Supervisor view (what needs attention first) and the wall screen."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from cc112.accounts.models import User
from cc112.clock import now
from cc112.contacts.models import FALSE_CLASSES, Contact
from cc112.deps import DbSession
from cc112.dispatch.models import ACTIVE, Assignment
from cc112.events import service as events
from cc112.events.models import Event
from cc112.geo.service import distance_km
from cc112.incidents import present
from cc112.incidents import service as incidents
from cc112.incidents.models import OPEN_STATUSES, Incident
from cc112.web.pages import PageUser, require_role
from cc112.web.templating import render

router = APIRouter(include_in_schema=False)
DUPLICATE_KM = 1.0
DUPLICATE_MINUTES = 45


async def _open(db: DbSession, user: User):  # type: ignore[no-untyped-def]
    _, rows = await incidents.list_(db=db, actor=user, status=list(OPEN_STATUSES), type_code=None, priority=None,
                                    region_code=None, agency_code=None, is_exercise=None, q=None, limit=300, offset=0)
    return sorted(await present.incidents_read(db, rows), key=lambda i: (i.priority, i.created_at))


def duplicate_candidates(items):  # type: ignore[no-untyped-def]
    """Open incidents of one type, close in place and time: likely the same emergency."""
    pairs = []
    for n, a in enumerate(items):
        for b in items[n + 1:]:
            if a.type.code != b.type.code or a.lat is None or b.lat is None:
                continue
            near = distance_km(a.lat, a.lon, b.lat, b.lon) <= DUPLICATE_KM
            close_in_time = abs((a.created_at - b.created_at).total_seconds()) <= DUPLICATE_MINUTES * 60
            if near and close_in_time:
                older, newer = sorted((a, b), key=lambda i: i.created_at)
                pairs.append((newer, older))
    return pairs


@router.get("/supervisor", response_class=HTMLResponse)
async def supervisor_page(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """Supervisor: overdue and declined first, duplicates, workload, the queue."""
    require_role(user, "supervisor", "admin")
    return render(request, "supervisor.html", last_event_id=await events.last_id(db))


@router.get("/supervisor/attention", response_class=HTMLResponse)
async def attention(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """Escalated and declined assignments of open incidents, duplicates, operator workload."""
    require_role(user, "supervisor", "admin")
    items = await _open(db, user)
    by_id = {i.id: i for i in items}
    escalated_ids = set(await db.scalars(select(Event.assignment_id).where(
        Event.kind == "assignment.escalated", Event.jurisdiction_id == user.jurisdiction_id,
        Event.incident_id.in_(list(by_id)))))
    overdue, declined = [], []
    for i in items:
        for a in i.assignments:
            if a.id in escalated_ids and a.status in ACTIVE:
                overdue.append((i, a))
            elif a.status == "declined" and not any(b.agency != a.agency and b.status in ACTIVE + ("completed",)
                                                    for b in i.assignments if b.role == a.role):
                declined.append((i, a))
    since = now() - timedelta(hours=1)
    workload = (await db.execute(
        select(User.username, func.count(Contact.id),
               func.count(Contact.id).filter(Contact.classification.in_(FALSE_CLASSES)))
        .join(Contact, Contact.operator_id == User.id)
        .where(Contact.jurisdiction_id == user.jurisdiction_id, Contact.received_at >= since)
        .group_by(User.username).order_by(func.count(Contact.id).desc()))).all()
    unclassified = (await db.execute(
        select(User.username, func.count(Contact.id)).join(Contact, Contact.operator_id == User.id)
        .where(Contact.jurisdiction_id == user.jurisdiction_id, Contact.classification.is_(None),
               Contact.incident_id.is_(None), Contact.received_at >= now() - timedelta(hours=12))
        .group_by(User.username))).all()
    return render(request, "_attention.html", overdue=overdue, declined=declined,
                  duplicates=duplicate_candidates(items), workload=workload, unclassified=dict(unclassified),
                  open_count=len(items))


@router.get("/wall", response_class=HTMLResponse)
async def wall_page(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """The wall screen: big, live, no interaction needed."""
    return render(request, "wall.html", tile_url=request.app.state.settings.map_tile_url,
                  last_event_id=await events.last_id(db))


@router.get("/wall/board", response_class=HTMLResponse)
async def wall_board(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """Counters and the open incidents for the wall."""
    items = await _open(db, user)
    day_start = now() - timedelta(hours=24)
    contacts_total, contacts_false = (await db.execute(
        select(func.count(Contact.id), func.count(Contact.id).filter(Contact.classification.in_(FALSE_CLASSES)))
        .where(Contact.jurisdiction_id == user.jurisdiction_id, Contact.received_at >= day_start))).one()
    active = int(await db.scalar(select(func.count(Assignment.id)).join(Incident, Incident.id == Assignment.incident_id)
                                 .where(Incident.jurisdiction_id == user.jurisdiction_id,
                                        Assignment.status.in_(ACTIVE))) or 0)
    return render(request, "_wall_board.html", items=items[:14], p1=sum(1 for i in items if i.priority == 1),
                  p2=sum(1 for i in items if i.priority == 2), rest=sum(1 for i in items if i.priority > 2),
                  contacts_total=contacts_total, contacts_false=contacts_false, active=active)
