"""Public JSON API for apps: file a report, follow it, rate the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy import select

from cc112.catalog.models import IncidentType
from cc112.deps import AppSettings, DbSession
from cc112.geo.models import Jurisdiction
from cc112.public import idempotency, photos, present, service
from cc112.public.schemas import Category, FeedbackCreate, ReportCreate, ReportReceipt, ReportStatus

router = APIRouter(prefix="/api/v1/public", tags=["public"])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def guard(request: Request, settings, phone: str | None) -> None:  # type: ignore[no-untyped-def]
    """Per-IP and per-number limits on citizen reports (shared through Redis when configured)."""
    limiter = request.app.state.limiter
    await limiter.check(settings.public_reports_per_ip, "report-ip", client_ip(request), what="reports from your network")
    if phone:
        from cc112.contacts.phone import normalise

        number = normalise(phone, field="phone")
        if number:
            await limiter.check(settings.public_reports_per_number, "report-no", number, what="reports from this number")


def receipt(submitted: service.Submitted) -> ReportReceipt:
    return ReportReceipt(
        ticket=submitted.incident.ticket, tracking_code=submitted.tracking_code, status=submitted.incident.status,
        message="Laporan diterima. Simpan nomor tiket dan kode pelacakan untuk mengikuti perkembangannya.")


@router.get("/categories", response_model=list[Category])
async def categories(db: DbSession, settings: AppSettings) -> list[Category]:
    """Incident types a citizen can report."""
    jur = await db.scalar(select(Jurisdiction).where(Jurisdiction.code == settings.jurisdiction))
    rows = await db.scalars(select(IncidentType).where(IncidentType.jurisdiction_id == (jur.id if jur else -1),
                                                       IncidentType.is_public.is_(True)).order_by(IncidentType.name_id))
    return [Category(code=t.code, name=t.name_id, name_en=t.name_en, sensitive=t.is_sensitive) for t in rows]


@router.post("/reports", status_code=201, response_model=ReportReceipt)
async def create_report(
    request: Request, report_in: ReportCreate, db: DbSession, settings: AppSettings,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> JSONResponse:
    """File a report (unverified until an operator confirms); retry safely with Idempotency-Key."""
    record, replay = await idempotency.begin(db, scope="public.report", key=idempotency_key,
                                             digest=idempotency.request_hash(report_in.model_dump()))
    if replay is not None:
        return JSONResponse(replay.body, status_code=replay.status_code, headers={"Idempotent-Replayed": "true"})
    await guard(request, settings, report_in.phone)
    submitted = await service.submit(db=db, report_in=report_in, settings=settings, source=report_in.channel)
    body = receipt(submitted).model_dump()
    await idempotency.finish(db, record, status_code=201, body=body)
    return JSONResponse(body, status_code=201)


@router.get("/reports/{ticket}", response_model=ReportStatus)
async def report_status(ticket: str, db: DbSession, settings: AppSettings,
                        code: Annotated[str, Query(min_length=4, max_length=16, description="tracking code")]) -> ReportStatus:
    """Status and public timeline of a report (ticket and tracking code); no personal data."""
    incident, _row = await service.find(db=db, settings=settings, ticket=ticket, code=code)
    return await present.report_status(db, incident)


@router.post("/reports/{ticket}/feedback", status_code=201, response_model=ReportStatus)
async def report_feedback(ticket: str, feedback_in: FeedbackCreate, db: DbSession, settings: AppSettings) -> ReportStatus:
    """Rate a resolved report 1–5; "not fixed" reopens it and alerts the supervisor."""
    if feedback_in.website:
        from cc112.errors import Invalid

        raise Invalid("this field must stay empty", field="website")
    incident, _row = await service.find(db=db, settings=settings, ticket=ticket, code=feedback_in.code)
    await service.give_feedback(db=db, incident=incident, rating=feedback_in.rating, comment=feedback_in.comment,
                                not_fixed=feedback_in.not_fixed)
    return await present.report_status(db, incident)


@router.post("/reports/{ticket}/photos", status_code=201)
async def report_photo(ticket: str, db: DbSession, settings: AppSettings,
                       code: Annotated[str, Form(min_length=4, max_length=16)],
                       photo: Annotated[UploadFile, File(description="JPEG, PNG or WebP, at most 10 MB")]) -> dict[str, str]:
    """Add a photo to a report (checked by content, re-encoded, location metadata removed)."""
    incident, _row = await service.find(db=db, settings=settings, ticket=ticket, code=code)
    photos.check_filename(photo.filename)
    data = await photo.read(settings.max_photo_bytes + 1)
    clean = photos.clean(data, max_bytes=settings.max_photo_bytes, max_pixels=settings.max_photo_pixels)
    from cc112.clock import now
    from cc112.public.models import Photo

    name = photos.store(clean, settings.data_dir / "uploads")
    db.add(Photo(incident_id=incident.id, stored_name=name, content_type=clean.content_type, width=clean.width,
                 height=clean.height, size_bytes=len(clean.data), sha256=clean.sha256, created_at=now()))
    return {"status": "stored", "message": "Foto diterima."}
