"""Citizen reports: submission (unverified, never auto-dispatched), tracking, feedback."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts.service import system_actor
from cc112.agencies.models import Agency
from cc112.catalog.models import IncidentType
from cc112.clock import now
from cc112.config import Settings
from cc112.contacts import phone as phones
from cc112.contacts import service as contacts
from cc112.contacts.schemas import ContactCreate
from cc112.errors import Conflict, Invalid, InvalidTransition, NotFound
from cc112.events import service as events
from cc112.events.models import Event
from cc112.geo.models import Region
from cc112.incidents import service as incidents
from cc112.incidents.models import Incident
from cc112.incidents.schemas import IncidentCreate
from cc112.public import photos
from cc112.public.models import Feedback, Photo, PublicTicket
from cc112.public.schemas import ReportCreate

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over a bad line


@dataclass
class Submitted:
    incident: Incident
    tracking_code: str


def _code_hash(settings: Settings, ticket: str, code: str) -> str:
    return hmac.new(settings.secret_key.encode(), f"{ticket}:{code.strip().upper()}".encode(), hashlib.sha256).hexdigest()


async def public_type(db: AsyncSession, jurisdiction_id: int, code: str) -> IncidentType:
    itype = await db.scalar(select(IncidentType).where(
        IncidentType.jurisdiction_id == jurisdiction_id, IncidentType.code == code, IncidentType.is_public.is_(True)))
    if itype is None:
        raise Invalid(f"unknown category {code!r}; see /api/v1/public/categories", field="category")
    return itype


async def submit(*, db: AsyncSession, report_in: ReportCreate, settings: Settings, source: str,
                 photo: photos.CleanPhoto | None = None) -> Submitted:
    """A citizen's report: an unverified contact and incident for an operator to confirm."""
    if report_in.website:
        raise Invalid("this field must stay empty", field="website")
    actor = await system_actor(db, settings.jurisdiction)
    await public_type(db, actor.jurisdiction_id, report_in.category)
    number = phones.normalise(report_in.phone, field="phone")
    contact = await contacts.create(db=db, actor=actor, settings=settings, contact_in=ContactCreate(
        channel="web" if report_in.channel == "web" else "app", caller_number=number,
        lat=report_in.lat, lon=report_in.lon, location_accuracy_m=report_in.accuracy_m,
        location_source="gps" if report_in.lat is not None else None,
        location_text=report_in.address, summary=report_in.description,
    ))
    contact.operator_id = None  # nobody has handled it yet
    incident = await incidents.create(db=db, actor=actor, verified=False, incident_in=IncidentCreate(
        type=report_in.category, lat=report_in.lat, lon=report_in.lon, location_accuracy_m=report_in.accuracy_m,
        region_code=report_in.region_code if report_in.lat is None else None, address=report_in.address,
        description=report_in.description, contact_id=contact.id,
    ))
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    db.add(PublicTicket(incident_id=incident.id, tracking_code_hash=_code_hash(settings, incident.ticket, code),
                        reporter_number=number, source=source, created_at=now()))
    if photo is not None:
        name = photos.store(photo, settings.data_dir / "uploads")
        db.add(Photo(incident_id=incident.id, stored_name=name, content_type=photo.content_type, width=photo.width,
                     height=photo.height, size_bytes=len(photo.data), sha256=photo.sha256, created_at=now()))
    await db.flush()
    return Submitted(incident, code)


async def find(*, db: AsyncSession, settings: Settings, ticket: str, code: str) -> tuple[Incident, PublicTicket]:
    """The incident behind a ticket, only with its tracking code (404 either way otherwise)."""
    incident = await db.scalar(select(Incident).where(Incident.ticket == ticket.strip().upper()))
    row = await db.scalar(select(PublicTicket).where(PublicTicket.incident_id == incident.id)) if incident else None
    if incident is None or row is None or not hmac.compare_digest(
            row.tracking_code_hash, _code_hash(settings, incident.ticket, code)):
        raise NotFound("no report with this ticket number and tracking code; check both and try again")
    return incident, row


PUBLIC_TEXT = {
    "incident.created": "Laporan diterima oleh 112",
    "incident.verified": "Laporan diverifikasi operator 112",
    "assignment.requested": "{agency} diminta menangani",
    "assignment.acknowledged": "{agency} mengonfirmasi",
    "assignment.en_route": "{agency} dalam perjalanan",
    "assignment.on_scene": "{agency} tiba di lokasi",
    "assignment.completed": "{agency} selesai menangani",
    "incident.closed": "Laporan ditutup",
    "incident.cancelled": "Laporan dibatalkan",
    "incident.merged": "Digabung dengan laporan lain tentang kejadian yang sama",
    "incident.reopened": "Dibuka kembali setelah masukan pelapor",
}


async def public_timeline(db: AsyncSession, incident: Incident) -> list[tuple[Event, str, str]]:
    """What the public may read of the timeline: agency names and statuses, no people."""
    names = {a.code: a.name for a in await db.scalars(select(Agency).where(Agency.jurisdiction_id == incident.jurisdiction_id))}
    rows = await db.scalars(select(Event).where(Event.incident_id == incident.id).order_by(Event.id))
    out = []
    for ev in rows:
        template = PUBLIC_TEXT.get(ev.kind)
        if template:
            agency = names.get(str(ev.payload.get("agency")), str(ev.payload.get("agency", "")))
            out.append((ev, template.format(agency=agency), agency))
    return out


async def region_name(db: AsyncSession, region_id: int | None) -> str | None:
    region = await db.get(Region, region_id) if region_id else None
    return region.name if region else None


async def give_feedback(*, db: AsyncSession, incident: Incident, rating: int, comment: str, not_fixed: bool) -> Feedback:
    """Once resolved: a rating and comment; "not fixed" reopens the ticket for the supervisor."""
    if incident.status not in ("resolved", "closed"):
        raise InvalidTransition("feedback opens once the report is resolved; please check back later")
    if await db.scalar(select(Feedback.id).where(Feedback.incident_id == incident.id)) is not None:
        raise Conflict("feedback for this report was already given; thank you")
    feedback = Feedback(incident_id=incident.id, jurisdiction_id=incident.jurisdiction_id, rating=rating,
                        comment=comment.strip(), not_fixed=not_fixed, created_at=now())
    db.add(feedback)
    await db.flush()
    await events.record(db, kind="feedback.received", jurisdiction_id=incident.jurisdiction_id, actor=None,
                        incident_id=incident.id, is_exercise=incident.is_exercise,
                        payload={"ticket": incident.ticket, "rating": rating, "not_fixed": not_fixed})
    if not_fixed:
        await incidents.reopen(db=db, incident_id=incident.id, reason="pelapor: masalah belum teratasi")
    return feedback


def photo_path(settings: Settings, stored_name: str) -> Path:
    return settings.data_dir / "uploads" / stored_name
