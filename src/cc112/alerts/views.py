"""Alert pages for supervisors: compose, drafts awaiting a second supervisor, published alerts.
Leaders and administrators read. The public CAP XML and Atom feed routes are included here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select

from cc112.accounts import policy
from cc112.accounts.models import User
from cc112.alerts import feeds, present
from cc112.alerts import service as alerts
from cc112.alerts.models import Alert
from cc112.alerts.schemas import AlertCreate, RejectIn
from cc112.clock import now
from cc112.deps import DbSession
from cc112.errors import Invalid
from cc112.geo.models import Region
from cc112.incidents import service as incidents
from cc112.incidents.models import Incident
from cc112.web.pages import PageUser, require_role
from cc112.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(feeds.router)
READERS = ("supervisor", "leader", "admin")
CHANGED = {"HX-Trigger": "alerts-changed"}


def _invalid(exc: ValidationError) -> Invalid:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if not isinstance(p, int))
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return Invalid(f"{where}: {message}" if where else message, field=where or None)


async def _kecamatan(db: DbSession, user: User) -> list[Region]:
    return list(await db.scalars(select(Region).where(Region.jurisdiction_id == user.jurisdiction_id,
                                                      Region.level == "kecamatan").order_by(Region.name)))


def _radius(circle: str | None) -> str:
    return circle.split()[-1] if circle else ""


async def _prefill(db: DbSession, earlier: Alert | None, msg_type: str) -> dict[str, Any]:
    """Form values: empty for a new alert, the earlier alert's for its Update or Cancel."""
    if earlier is None:
        return {"msg_type": "Alert", "status": "Actual", "kecamatan": [], "id": {}, "en": {}}
    ticket = None
    if earlier.incident_id:
        incident = await db.get(Incident, earlier.incident_id)
        ticket = incident.ticket if incident else None
    kec = [a for a in earlier.areas if a["kind"] == "kecamatan"]
    values: dict[str, Any] = {
        "msg_type": msg_type, "references": earlier.identifier, "status": earlier.status, "incident": ticket,
        "category": earlier.category, "urgency": earlier.urgency, "severity": earlier.severity,
        "certainty": earlier.certainty, "response_type": earlier.response_type, "web": earlier.web,
        "kecamatan": [a["region_code"] for a in kec], "radius_km": _radius(kec[0]["circle"]) if kec else "",
        "polygons": "\n".join(a["polygon"] for a in earlier.areas if a["kind"] == "polygon"),
        "polygon_desc": next((a["desc"] for a in earlier.areas if a["kind"] == "polygon"), ""),
        "circles": "\n".join(a["circle"] for a in earlier.areas if a["kind"] == "circle"),
        "circle_desc": next((a["desc"] for a in earlier.areas if a["kind"] == "circle"), ""),
        "id": earlier.info("id-ID") or {}, "en": earlier.info("en-US") or {},
    }
    if msg_type == "Cancel":
        values["response_type"] = "AllClear"
    return values


async def _form(request: Request, db: DbSession, user: PageUser, *, earlier: Alert | None = None,
                msg_type: str = "Alert", done: Alert | None = None) -> HTMLResponse:
    return render(request, "_alert_form.html", kecamatan=await _kecamatan(db, user),
                  f=await _prefill(db, earlier, msg_type), done=done)


@router.get("/alerts", response_class=HTMLResponse)
async def alerts_page(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """Public alerts: compose, drafts awaiting approval, published."""
    require_role(user, *READERS)
    return render(request, "alerts.html", can_compose=policy.allowed(user, "alert.compose"),
                  kecamatan=await _kecamatan(db, user), f=await _prefill(db, None, "Alert"), done=None)


@router.get("/alerts/lists", response_class=HTMLResponse)
async def alerts_lists(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """Drafts awaiting a second supervisor, published and rejected alerts."""
    require_role(user, *READERS)
    base = str(request.base_url)
    lists = {}
    for state, limit in (("draft", 50), ("published", 30), ("rejected", 10)):
        _, rows = await alerts.list_(db=db, actor=user, state=state, limit=limit, offset=0)
        lists[state] = await present.alerts_read(db, rows, base_url=base)
    return render(request, "_alerts_lists.html", drafts=lists["draft"], published=lists["published"],
                  rejected=lists["rejected"], can_approve=policy.allowed(user, "alert.approve"),
                  can_compose=policy.allowed(user, "alert.compose"))


@router.get("/alerts/compose", response_class=HTMLResponse)
async def compose_form(request: Request, db: DbSession, user: PageUser, references: int | None = None,
                       msg_type: str = "Alert") -> HTMLResponse:
    """The compose form, empty or prefilled for an Update or Cancel of a published alert."""
    policy.require(user, "alert.compose")
    earlier = await alerts.get(db=db, alert_id=references, actor=user) if references else None
    if earlier is not None and earlier.state != "published":
        raise Invalid("only a published alert can be updated or cancelled")
    return await _form(request, db, user, earlier=earlier, msg_type=msg_type if earlier else "Alert")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


async def _alert_in(db: DbSession, user: User, form: dict[str, str], kecamatan: list[str]) -> AlertCreate:
    """The compose form as the API's input (so both are checked by the same rules)."""
    data: dict[str, Any] = {k: form.get(k) or None for k in (
        "msg_type", "references", "status", "category", "urgency", "severity", "certainty", "response_type",
        "note", "web")}
    data["msg_type"] = data["msg_type"] or "Alert"
    if form.get("incident"):
        data["incident_id"] = (await incidents.get_by_ref(db=db, ref=form["incident"], actor=user)).id
    if (form.get("expires_hours") or "").strip():
        try:
            hours = float(form["expires_hours"])
        except ValueError:
            raise Invalid("expires_hours: give a number of hours", field="expires_hours")
        if not 0 < hours <= 24 * 30:
            raise Invalid("expires_hours: between 0 and 720 hours", field="expires_hours")
        data["expires_at"] = now() + timedelta(hours=hours)
    data["info"] = []
    for lang, suffix in (("id-ID", "id"), ("en-US", "en")):
        text = {k: (form.get(f"{k}_{suffix}") or "").strip() for k in ("event", "headline", "description",
                                                                         "instruction")}
        if lang == "id-ID" or any(text.values()):
            data["info"].append({"language": lang, **{k: v or None for k, v in text.items()}})
    areas: list[dict[str, Any]] = []
    radius = (form.get("radius_km") or "").strip()
    for code in kecamatan:
        areas.append({"kecamatan": code, **({"radius_km": radius} if radius else {})})
    areas += [{"polygon": p, "description": form.get("polygon_desc") or None} for p in _lines(form.get("polygons", ""))]
    areas += [{"circle": c, "description": form.get("circle_desc") or None} for c in _lines(form.get("circles", ""))]
    data["areas"] = areas or None
    try:
        return AlertCreate.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc)


@router.post("/alerts/compose", response_class=HTMLResponse)
async def compose_submit(request: Request, db: DbSession, user: PageUser) -> HTMLResponse:
    """Save the composed alert as a draft for a second supervisor to approve."""
    policy.require(user, "alert.compose")
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items() if isinstance(v, str)}
    kecamatan = [str(v) for v in raw.getlist("kecamatan") if isinstance(v, str) and v]
    alert = await alerts.compose(db=db, alert_in=await _alert_in(db, user, form, kecamatan), actor=user)
    response = await _form(request, db, user, done=alert)
    response.headers.update(CHANGED)
    return response


@router.post("/alerts/{alert_id}/approve", response_class=HTMLResponse)
async def approve_submit(request: Request, alert_id: int, db: DbSession, user: PageUser) -> HTMLResponse:
    """Approve and publish another supervisor's draft."""
    alert = await alerts.approve(db=db, alert_id=alert_id, actor=user)
    return render(request, "_alert_done.html", headers=CHANGED, alert=alert,
                  url=present.cap_path(alert.identifier or ""))


@router.post("/alerts/{alert_id}/reject", response_class=HTMLResponse)
async def reject_submit(request: Request, alert_id: int, db: DbSession, user: PageUser) -> HTMLResponse:
    """Reject a draft with a reason."""
    raw = await request.form()
    try:
        reject_in = RejectIn(reason=str(raw.get("reason") or ""))
    except ValidationError as exc:
        raise _invalid(exc)
    alert = await alerts.reject(db=db, alert_id=alert_id, reject_in=reject_in, actor=user)
    return render(request, "_alert_done.html", headers=CHANGED, alert=alert, url=None)
