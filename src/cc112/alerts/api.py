"""Alert routes for staff: compose, edit, approve, reject, list, read (supervisors; leaders and admins read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from cc112.alerts import present
from cc112.alerts import service as alerts
from cc112.alerts.models import Alert
from cc112.alerts.schemas import AlertCreate, AlertEdit, AlertPage, AlertRead, AlertState, RejectIn
from cc112.deps import CurrentUser, DbSession

router = APIRouter(prefix="/api/v1", tags=["alerts"])


async def _one(request: Request, db: DbSession, alert: Alert) -> AlertRead:
    return (await present.alerts_read(db, [alert], base_url=str(request.base_url)))[0]


@router.post("/alerts", status_code=201, response_model=AlertRead)
async def compose_alert(request: Request, alert_in: AlertCreate, db: DbSession, user: CurrentUser) -> AlertRead:
    """Compose a draft CAP alert (or an Update/Cancel of a published one); another supervisor approves it."""
    return await _one(request, db, await alerts.compose(db=db, alert_in=alert_in, actor=user))


@router.get("/alerts", response_model=AlertPage)
async def list_alerts(
    request: Request, db: DbSession, user: CurrentUser,
    state: AlertState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AlertPage:
    """Alerts of your jurisdiction (drafts, published, rejected), newest first."""
    total, rows = await alerts.list_(db=db, actor=user, state=state, limit=limit, offset=offset)
    return AlertPage(total=total, limit=limit, offset=offset,
                     items=await present.alerts_read(db, rows, base_url=str(request.base_url)))


@router.get("/alerts/{alert_id}", response_model=AlertRead)
async def get_alert(request: Request, alert_id: int, db: DbSession, user: CurrentUser) -> AlertRead:
    """One alert with its texts, areas, approval and CAP link."""
    return await _one(request, db, await alerts.get(db=db, alert_id=alert_id, actor=user))


@router.patch("/alerts/{alert_id}", response_model=AlertRead)
async def edit_alert(request: Request, alert_id: int, alert_in: AlertEdit, db: DbSession,
                     user: CurrentUser) -> AlertRead:
    """Change your own draft (only the fields given)."""
    return await _one(request, db, await alerts.edit(db=db, alert_id=alert_id, alert_in=alert_in, actor=user))


@router.post("/alerts/{alert_id}/approve", response_model=AlertRead)
async def approve_alert(request: Request, alert_id: int, db: DbSession, user: CurrentUser) -> AlertRead:
    """Approve another supervisor's draft: it is published at /alerts/cap/{identifier}.xml and in the feed."""
    return await _one(request, db, await alerts.approve(db=db, alert_id=alert_id, actor=user))


@router.post("/alerts/{alert_id}/reject", response_model=AlertRead)
async def reject_alert(request: Request, alert_id: int, reject_in: RejectIn, db: DbSession,
                       user: CurrentUser) -> AlertRead:
    """Reject a draft with a reason; it is kept and never published."""
    return await _one(request, db, await alerts.reject(db=db, alert_id=alert_id, reject_in=reject_in, actor=user))

