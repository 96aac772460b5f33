"""A report as the public may see it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency
from cc112.catalog.models import IncidentType
from cc112.dispatch.models import Assignment
from cc112.incidents.models import Incident
from cc112.public import service
from cc112.public.models import Feedback
from cc112.public.schemas import PublicEvent, ReportStatus
from cc112.web.labels import LABELS

PUBLIC_STATUS = {  # what a citizen reads for each internal status
    "received": "Diterima, menunggu verifikasi operator", "verified": "Diverifikasi, menunggu pengiriman petugas",
    "dispatched": "Petugas sudah diminta menangani", "on_scene": "Petugas di lokasi",
    "resolved": "Sudah ditangani", "closed": "Selesai", "cancelled": "Dibatalkan", "merged": "Digabung",
}


async def report_status(db: AsyncSession, incident: Incident) -> ReportStatus:
    itype = await db.get(IncidentType, incident.incident_type_id)
    assert itype is not None
    agencies = list(await db.scalars(
        select(Agency.name).join(Assignment, Assignment.agency_id == Agency.id)
        .where(Assignment.incident_id == incident.id, Assignment.status.not_in(("declined", "cancelled")))
        .distinct()))
    feedback = await db.scalar(select(Feedback).where(Feedback.incident_id == incident.id))
    timeline = [PublicEvent(at=ev.at, status=ev.kind, text=text, agency=agency or None)
                for ev, text, agency in await service.public_timeline(db, incident)]
    return ReportStatus(
        ticket=incident.ticket, category=itype.code, category_name=itype.name_id, status=incident.status,
        status_text=PUBLIC_STATUS.get(incident.status, LABELS.get(incident.status, incident.status)),
        kecamatan=await service.region_name(db, incident.region_id),
        address=None if itype.is_sensitive else incident.address,
        created_at=incident.created_at, updated_at=incident.updated_at, agencies=sorted(agencies),
        timeline=timeline, can_give_feedback=incident.status in ("resolved", "closed") and feedback is None,
        feedback={"rating": feedback.rating, "not_fixed": feedback.not_fixed} if feedback else None,
    )
