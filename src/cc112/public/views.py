"""The citizens' portal: report form (works without JavaScript), tracking page, feedback."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Header, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from cc112.catalog.models import IncidentType
from cc112.deps import AppSettings, DbSession
from cc112.errors import DomainError, Invalid
from cc112.geo.models import Jurisdiction, Region
from cc112.public import api as public_api
from cc112.public import idempotency, photos, present, service
from cc112.public.schemas import ReportCreate
from cc112.web.templating import render

router = APIRouter(include_in_schema=False)


async def _form_context(db: DbSession, settings) -> dict:  # type: ignore[no-untyped-def]
    jur = await db.scalar(select(Jurisdiction).where(Jurisdiction.code == settings.jurisdiction))
    jid = jur.id if jur else -1
    types = list(await db.scalars(select(IncidentType).where(IncidentType.jurisdiction_id == jid,
                                                             IncidentType.is_public.is_(True)).order_by(IncidentType.name_id)))
    kecamatan = list(await db.scalars(select(Region).where(Region.jurisdiction_id == jid, Region.level == "kecamatan")
                                      .order_by(Region.name)))
    desa = list(await db.scalars(select(Region).where(Region.jurisdiction_id == jid, Region.level != "kecamatan")
                                 .order_by(Region.name)))
    return {"types": types, "kecamatan": kecamatan, "desa": desa, "jurisdiction": jur}


@router.get("/", response_class=HTMLResponse)
async def portal(request: Request, db: DbSession, settings: AppSettings) -> HTMLResponse:
    """Public portal: report an emergency or a problem, follow a ticket."""
    return render(request, "portal.html", **await _form_context(db, settings))


def _error_fields(exc: ValidationError) -> dict[str, str]:
    out = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "form"
        out[field] = str(err["msg"]).removeprefix("Value error, ")
    return out


@router.post("/lapor")
async def submit_report(
    request: Request, db: DbSession, settings: AppSettings,
    category: Annotated[str, Form(max_length=40)] = "", description: Annotated[str, Form(max_length=2000)] = "",
    lat: Annotated[str, Form(max_length=20)] = "", lon: Annotated[str, Form(max_length=20)] = "",
    accuracy: Annotated[str, Form(max_length=20)] = "", region: Annotated[str, Form(max_length=20)] = "",
    address: Annotated[str, Form(max_length=300)] = "", phone: Annotated[str, Form(max_length=32)] = "",
    website: Annotated[str, Form(max_length=200)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> Response:
    """Receive the report form (multipart); JSON answer for the offline queue, a page otherwise."""
    wants_json = "application/json" in request.headers.get("accept", "")
    raw = {"category": category, "description": description.strip(), "region_code": region or None,
           "address": address or None, "phone": phone or None, "channel": "web", "website": website or None,
           "lat": _num(lat), "lon": _num(lon), "accuracy_m": _num(accuracy)}
    try:
        report_in = ReportCreate(**raw)
    except ValidationError as exc:
        errors = _error_fields(exc)
        if wants_json:
            return JSONResponse({"error": {"code": "validation_error", "message": "; ".join(errors.values()),
                                           "fields": [{"field": k, "message": v} for k, v in errors.items()]}}, 422)
        return render(request, "portal.html", status_code=422, errors=errors, values=raw,
                      **await _form_context(db, settings))
    try:
        clean = None
        if photo is not None and photo.filename:
            photos.check_filename(photo.filename)
            data = await photo.read(settings.max_photo_bytes + 1)
            clean = photos.clean(data, max_bytes=settings.max_photo_bytes, max_pixels=settings.max_photo_pixels)
        digest = idempotency.request_hash({**report_in.model_dump(), "photo": clean.sha256 if clean else None})
        record, replay = await idempotency.begin(db, scope="public.report", key=idempotency_key, digest=digest)
        if replay is not None:
            body = replay.body
        else:
            await public_api.guard(request, settings, report_in.phone)
            submitted = await service.submit(db=db, report_in=report_in, settings=settings, source="web", photo=clean)
            body = public_api.receipt(submitted).model_dump()
            await idempotency.finish(db, record, status_code=201, body=body)
    except DomainError as exc:
        if wants_json:
            raise
        field = exc.field or "form"
        return render(request, "portal.html", status_code=exc.status_code, errors={field: exc.message}, values=raw,
                      **await _form_context(db, settings))
    if wants_json:
        return JSONResponse(body, status_code=201)
    return RedirectResponse(f"/lacak/{body['ticket']}?kode={quote(body['tracking_code'])}&baru=1", status_code=303)


def _num(value: str) -> float | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise Invalid(f"{value!r} is not a number", field="lat")


@router.get("/lacak", response_class=HTMLResponse)
async def track_form(request: Request, tiket: str = "", kode: str = "") -> Response:
    """Find a report by ticket number and tracking code."""
    if tiket and kode:
        return RedirectResponse(f"/lacak/{quote(tiket.strip().upper())}?kode={quote(kode.strip().upper())}", 303)
    return render(request, "track_form.html", ticket=tiket, code=kode)


@router.get("/lacak/{ticket}", response_class=HTMLResponse)
async def track(request: Request, ticket: str, db: DbSession, settings: AppSettings, kode: str = "",
                baru: str = "") -> HTMLResponse:
    """A report's status and public timeline."""
    try:
        incident, _row = await service.find(db=db, settings=settings, ticket=ticket, code=kode)
    except DomainError as exc:
        return render(request, "track_form.html", status_code=404, error=exc.message, ticket=ticket, code=kode)
    return render(request, "track.html", r=await present.report_status(db, incident), code=kode.upper(), new=bool(baru),
                  texts=service.PUBLIC_TEXT)


@router.post("/lacak/{ticket}/masukan", response_class=HTMLResponse)
async def feedback(request: Request, ticket: str, db: DbSession, settings: AppSettings,
                   kode: Annotated[str, Form(max_length=16)], rating: Annotated[int, Form(ge=1, le=5)],
                   comment: Annotated[str, Form(max_length=1000)] = "", not_fixed: Annotated[str, Form(max_length=5)] = "",
                   website: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Rate the service once the report is resolved."""
    if website:
        raise Invalid("this field must stay empty", field="website")
    incident, _row = await service.find(db=db, settings=settings, ticket=ticket, code=kode)
    await service.give_feedback(db=db, incident=incident, rating=rating, comment=comment, not_fixed=bool(not_fixed))
    return RedirectResponse(f"/lacak/{incident.ticket}?kode={quote(kode)}", status_code=303)


@router.get("/peringatan", response_class=HTMLResponse)
async def public_alerts(request: Request, db: DbSession, settings: AppSettings) -> HTMLResponse:
    """Published public warnings (CAP), newest first; no staff names."""
    from cc112.alerts.service import list_published

    rows = await list_published(db=db, jurisdiction_code=settings.jurisdiction, exercise=None, limit=30)
    lang = "en" if request.cookies.get("cc112_lang") == "en" else "id"
    items = []
    for alert in rows:
        infos = {str(i.get("language", ""))[:2]: i for i in alert.infos or []}
        info = infos.get(lang) or infos.get("id") or (alert.infos or [{}])[0]
        items.append({"alert": alert, "info": info, "areas": [a.get("desc", "") for a in alert.areas or []]})
    return render(request, "alerts_public.html", items=items)
