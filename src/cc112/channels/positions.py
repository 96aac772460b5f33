"""AML positions: attached to the caller's latest contact, or held for the next one.

A handset sends its AML SMS a few seconds after dialling 112, so the call-taker's contact may
not exist yet: the position is then held and joins the first contact from that number within
`sms_aml_window_seconds`. The console map learns of it through an intake-only event that never
carries the number (nor IMSI/IMEI).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts.models import User
from cc112.channels import aml
from cc112.channels.models import SmsMessage
from cc112.clock import now
from cc112.config import Settings
from cc112.contacts.models import Contact
from cc112.events import service as events

# Locations an operator entered or confirmed are not overwritten by a handset's estimate.
REPLACEABLE_SOURCES = (None, "aml", "cell")
KEPT = "contact_location_kept"
NO_SENDER = "sender_unknown"


async def latest_contact(db: AsyncSession, *, jurisdiction_id: int, number: str, window_s: int) -> Contact | None:
    """The newest contact from this number received within the window."""
    return await db.scalar(
        select(Contact)
        .where(Contact.jurisdiction_id == jurisdiction_id, Contact.caller_number == number,
               Contact.received_at >= now() - timedelta(seconds=window_s))
        .order_by(Contact.received_at.desc(), Contact.id.desc()).limit(1)
    )


async def receive(*, db: AsyncSession, message: SmsMessage, actor: User, settings: Settings) -> None:
    """Read an AML SMS: keep it (raw and flagged when faulty), attach or hold its position."""
    parsed = aml.parse(message.text)
    message.kind = "aml"
    message.flags = list(parsed.flags)
    message.detail = "; ".join(parsed.problems)[:500] or None
    if not parsed.has_position:
        message.status = "unlocated"
        return
    message.lat, message.lon, message.accuracy_m = parsed.lat, parsed.lon, parsed.radius_m
    message.position = parsed.public()
    if message.sender is None:
        message.status = "unlocated"
        message.flags = [*message.flags, NO_SENDER]
        return
    contact = await latest_contact(db, jurisdiction_id=message.jurisdiction_id, number=message.sender,
                                   window_s=settings.sms_aml_window_seconds)
    if contact is None:
        message.status = "held"
        await db.flush()
        await events.record(
            db, kind="aml.received", jurisdiction_id=message.jurisdiction_id, actor=actor, audience="intake",
            payload={"sms_id": message.id, "source": "aml", "attached": False, **(message.position or {})},
        )
        return
    await attach(db=db, message=message, contact=contact, actor=actor)


async def attach(*, db: AsyncSession, message: SmsMessage, contact: Contact, actor: User | None) -> None:
    """Give the contact the AML position (unless an operator's location is there) and tell the console."""
    message.contact_id, message.incident_id, message.status = contact.id, contact.incident_id, "attached"
    if contact.lat is None or contact.location_source in REPLACEABLE_SOURCES:
        contact.lat, contact.lon = message.lat, message.lon
        contact.location_accuracy_m, contact.location_source = message.accuracy_m, "aml"
    else:
        message.flags = [*message.flags, KEPT]
    await db.flush()
    await events.record(
        db, kind="contact.located", jurisdiction_id=contact.jurisdiction_id, actor=actor,
        contact_id=contact.id, incident_id=contact.incident_id, audience="intake", is_exercise=contact.is_exercise,
        payload={"sms_id": message.id, "source": "aml", "attached": True, "applied": KEPT not in message.flags,
                 **(message.position or {})},
    )


async def attach_held(*, db: AsyncSession, contact: Contact, settings: Settings, actor: User | None) -> int:
    """A new contact picks up the AML positions its number sent just before; how many it took."""
    if not contact.caller_number:
        return 0
    held = list(await db.scalars(
        select(SmsMessage)
        .where(SmsMessage.jurisdiction_id == contact.jurisdiction_id, SmsMessage.direction == "inbound",
               SmsMessage.kind == "aml", SmsMessage.status == "held", SmsMessage.sender == contact.caller_number,
               SmsMessage.created_at >= now() - timedelta(seconds=settings.sms_aml_window_seconds))
        .order_by(SmsMessage.created_at, SmsMessage.id)
    ))
    for message in held:  # oldest first: the newest position is the one left on the contact
        await attach(db=db, message=message, contact=contact, actor=actor)
    return len(held)
