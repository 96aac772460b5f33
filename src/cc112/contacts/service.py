"""Contacts: intake, classification, prank blocking, caller history."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts.models import User
from cc112.clock import now
from cc112.config import Settings
from cc112.contacts import phone
from cc112.contacts.models import CallerBlock, Contact
from cc112.contacts.schemas import ContactClassify, ContactCreate
from cc112.errors import NotFound
from cc112.events import service as events
from cc112.incidents.models import Incident


async def active_block(db: AsyncSession, *, jurisdiction_id: int, number: str | None) -> CallerBlock | None:
    if not number:
        return None
    return await db.scalar(
        select(CallerBlock)
        .where(
            CallerBlock.jurisdiction_id == jurisdiction_id,
            CallerBlock.caller_number == number,
            CallerBlock.blocked_until > now(),
        )
        .order_by(CallerBlock.blocked_until.desc())
        .limit(1)
    )


async def count_pranks(db: AsyncSession, *, jurisdiction_id: int, number: str, since: datetime) -> int:
    return int(
        await db.scalar(
            select(func.count(Contact.id)).where(
                Contact.jurisdiction_id == jurisdiction_id,
                Contact.caller_number == number,
                Contact.classification == "prank",
                Contact.received_at >= since,
            )
        )
        or 0
    )


async def _apply_prank_rule(db: AsyncSession, contact: Contact, settings: Settings, actor: User | None) -> None:
    """After enough pranks in the window the number is flagged (never dropped)."""
    if contact.classification != "prank" or not contact.caller_number:
        return
    at = now()
    pranks = await count_pranks(
        db, jurisdiction_id=contact.jurisdiction_id, number=contact.caller_number,
        since=at - timedelta(hours=settings.prank_window_hours),
    )
    if pranks < settings.prank_block_threshold:
        return
    until = at + timedelta(hours=settings.prank_block_hours)
    block = await active_block(db, jurisdiction_id=contact.jurisdiction_id, number=contact.caller_number)
    if block is None:
        db.add(CallerBlock(
            jurisdiction_id=contact.jurisdiction_id, caller_number=contact.caller_number,
            blocked_from=at, blocked_until=until,
            reason=f"{pranks} prank contacts within {settings.prank_window_hours} h",
        ))
    else:
        block.blocked_until = until
    contact.caller_blocked = True
    await events.record(
        db, kind="caller.blocked", jurisdiction_id=contact.jurisdiction_id, actor=actor,
        contact_id=contact.id, audience="intake",
        payload={"pranks": pranks, "blocked_until": until.isoformat()},
    )


async def create(*, db: AsyncSession, contact_in: ContactCreate, actor: User, settings: Settings) -> Contact:
    """Record one inbound contact; a blocked number is flagged, not refused."""
    number = phone.normalise(contact_in.caller_number)
    block = await active_block(db, jurisdiction_id=actor.jurisdiction_id, number=number)
    contact = Contact(
        jurisdiction_id=actor.jurisdiction_id,
        channel=contact_in.channel,
        caller_number=number,
        caller_name=contact_in.caller_name or None,
        received_at=contact_in.received_at or now(),
        answered_at=contact_in.answered_at,
        ended_at=contact_in.ended_at,
        classification=contact_in.classification,
        lat=contact_in.lat,
        lon=contact_in.lon,
        location_accuracy_m=contact_in.location_accuracy_m,
        location_source=contact_in.location_source or ("typed" if contact_in.lat is not None else None),
        location_text=contact_in.location_text,
        summary=contact_in.summary,
        caller_blocked=block is not None,
        operator_id=actor.id,
        is_exercise=contact_in.is_exercise,
    )
    db.add(contact)
    await db.flush()
    await events.record(
        db, kind="contact.received", jurisdiction_id=contact.jurisdiction_id, actor=actor,
        contact_id=contact.id, audience="intake", is_exercise=contact.is_exercise,
        payload={"channel": contact.channel, "classification": contact.classification,
                 "caller_blocked": contact.caller_blocked, "has_location": contact.lat is not None},
    )
    from cc112.channels.positions import attach_held  # the AML position its handset sent just before

    await attach_held(db=db, contact=contact, settings=settings, actor=actor)
    await _apply_prank_rule(db, contact, settings, actor)
    return contact


async def get(*, db: AsyncSession, contact_id: int, actor: User) -> Contact:
    contact = await db.get(Contact, contact_id)
    if contact is None or contact.jurisdiction_id != actor.jurisdiction_id:
        raise NotFound("contact not found")
    return contact


async def classify(
    *, db: AsyncSession, contact_id: int, classify_in: ContactClassify, actor: User, settings: Settings
) -> Contact:
    """Set (or correct) a contact's classification; pranks may block the number."""
    contact = await get(db=db, contact_id=contact_id, actor=actor)
    old = contact.classification
    contact.classification = classify_in.classification
    if classify_in.answered_at:
        contact.answered_at = classify_in.answered_at
    if classify_in.ended_at:
        contact.ended_at = classify_in.ended_at
    if classify_in.summary is not None:
        contact.summary = classify_in.summary
    await db.flush()
    await events.record(
        db, kind="contact.classified", jurisdiction_id=contact.jurisdiction_id, actor=actor,
        contact_id=contact.id, audience="intake", is_exercise=contact.is_exercise,
        payload={"from": old, "to": contact.classification},
    )
    await _apply_prank_rule(db, contact, settings, actor)
    return contact


async def list_(
    *, db: AsyncSession, actor: User, classification: str | None, channel: str | None,
    since: datetime | None, limit: int, offset: int,
) -> tuple[int, list[Contact]]:
    stmt = select(Contact).where(Contact.jurisdiction_id == actor.jurisdiction_id)
    if classification:
        stmt = stmt.where(Contact.classification == classification)
    if channel:
        stmt = stmt.where(Contact.channel == channel)
    if since:
        stmt = stmt.where(Contact.received_at >= since)
    total = int(await db.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = await db.scalars(stmt.order_by(Contact.received_at.desc(), Contact.id.desc()).limit(limit).offset(offset))
    return total, list(rows)


async def history(
    *, db: AsyncSession, raw_number: str, actor: User, settings: Settings, limit: int = 50
) -> tuple[str, int, int, CallerBlock | None, list[Contact], list[str]]:
    """Everything this centre knows about one number: contacts, pranks, block, tickets."""
    number = phone.normalise(raw_number, field="number")
    if number is None:
        raise NotFound("no history for a withheld number")
    base = select(Contact).where(
        Contact.jurisdiction_id == actor.jurisdiction_id, Contact.caller_number == number
    )
    total = int(await db.scalar(select(func.count()).select_from(base.subquery())) or 0)
    contacts = list(await db.scalars(base.order_by(Contact.received_at.desc()).limit(limit)))
    pranks = await count_pranks(
        db, jurisdiction_id=actor.jurisdiction_id, number=number,
        since=now() - timedelta(hours=settings.prank_window_hours),
    )
    block = await active_block(db, jurisdiction_id=actor.jurisdiction_id, number=number)
    tickets = list(await db.scalars(
        select(Incident.ticket).join(Contact, Contact.incident_id == Incident.id)
        .where(Contact.caller_number == number, Contact.jurisdiction_id == actor.jurisdiction_id)
        .distinct().limit(limit)
    ))
    return number, total, pranks, block, contacts, tickets
