"""Contacts in their API shape: masked unless the viewer may see personal data (audited)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts import audit, policy
from cc112.accounts.models import User
from cc112.contacts import phone
from cc112.contacts.models import CallerBlock, Contact
from cc112.contacts.schemas import ContactRead
from cc112.db import Database


def contact_read(c: Contact, *, full: bool, block: CallerBlock | None = None) -> ContactRead:
    return ContactRead(
        id=c.id, channel=c.channel,
        caller_number=c.caller_number if full else phone.mask(c.caller_number),
        caller_masked=not full, caller_name=c.caller_name if full else None,
        received_at=c.received_at, answered_at=c.answered_at, ended_at=c.ended_at,
        classification=c.classification, lat=c.lat, lon=c.lon,
        location_accuracy_m=c.location_accuracy_m, location_source=c.location_source,
        location_text=c.location_text, summary=c.summary, caller_blocked=c.caller_blocked,
        blocked_until=block.blocked_until if block else None, incident_id=c.incident_id,
        is_exercise=c.is_exercise,
    )


async def audit_personal_view(database: Database, *, actor: User, contacts: list[Contact], purpose: str) -> None:
    """Every view of unmasked caller data leaves an audit entry (own transaction, before the response)."""
    if not any(c.caller_number or c.caller_name for c in contacts) or not policy.may_view_personal(actor):
        return
    async with database.session_scope() as session:
        await record_personal_view(session, actor=actor, contacts=contacts, purpose=purpose)


async def record_personal_view(session: AsyncSession, *, actor: User, contacts: list[Contact], purpose: str) -> None:
    """The audit entry in a transaction already open (a write request: a second writer would wait on it)."""
    shown = [c.id for c in contacts if c.caller_number or c.caller_name]
    if not shown or not policy.may_view_personal(actor):
        return
    await audit.append(
        session, actor=actor, action="personal.viewed", object_type="contact",
        object_id=shown[0] if len(shown) == 1 else f"{len(shown)} contacts",
        jurisdiction_id=actor.jurisdiction_id, detail={"contact_ids": shown[:200], "purpose": purpose},
    )
