"""Turn alerts into their staff API shape (usernames, incident tickets, references) in batches."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts.models import User
from cc112.alerts import cap
from cc112.alerts import service as alerts
from cc112.alerts.models import Alert
from cc112.alerts.schemas import AlertRead, AreaRead, InfoRead
from cc112.geo.models import Jurisdiction
from cc112.incidents.models import Incident


def cap_path(identifier: str) -> str:
    return f"/alerts/cap/{identifier}.xml"


async def alerts_read(db: AsyncSession, rows: list[Alert], *, base_url: str) -> list[AlertRead]:
    if not rows:
        return []
    user_ids = {i for a in rows for i in (a.composed_by_id, a.approved_by_id, a.rejected_by_id) if i}
    users = {u.id: u.username for u in await db.scalars(select(User).where(User.id.in_(user_ids)))}
    incident_ids = {a.incident_id for a in rows if a.incident_id}
    tickets: dict[int, str] = {}
    if incident_ids:
        tickets = dict((await db.execute(
            select(Incident.id, Incident.ticket).where(Incident.id.in_(incident_ids)))).all())
    zones = dict((await db.execute(select(Jurisdiction.id, Jurisdiction.timezone).where(
        Jurisdiction.id.in_({a.jurisdiction_id for a in rows})))).all())
    ids = [a.id for a in rows]
    later = {a.references_id: a.identifier for a in await db.scalars(
        select(Alert).where(Alert.references_id.in_(ids), Alert.state == "published"))}
    out = []
    for a in rows:
        zone = zones[a.jurisdiction_id]
        earlier = await db.get(Alert, a.references_id) if a.references_id else None
        out.append(AlertRead(
            id=a.id, identifier=a.identifier, sender=a.sender, status=a.status, msg_type=a.msg_type,  # type: ignore[arg-type]
            state=a.state, references=await alerts.references_text(db, a, zone) if a.references_id else None,  # type: ignore[arg-type]
            references_identifier=earlier.identifier if earlier else None, incident_id=a.incident_id,
            incident_ticket=tickets.get(a.incident_id) if a.incident_id else None, category=a.category,
            urgency=a.urgency, severity=a.severity, certainty=a.certainty, response_type=a.response_type,
            note=a.note, web=a.web, expires_at=a.expires_at,
            info=[InfoRead(**i) for i in a.infos], areas=[AreaRead(**x) for x in a.areas],
            composed_by=users.get(a.composed_by_id, "?"), composed_at=a.composed_at,
            approved_by=users.get(a.approved_by_id) if a.approved_by_id else None,
            sent=cap.cap_time(a.sent_at, zone) if a.sent_at else None, sent_at=a.sent_at,
            rejected_by=users.get(a.rejected_by_id) if a.rejected_by_id else None, rejected_at=a.rejected_at,
            reject_reason=a.reject_reason, superseded_by=later.get(a.id),
            cap_url=base_url.rstrip("/") + cap_path(a.identifier) if a.identifier and a.state == "published" else None,
        ))
    return out
