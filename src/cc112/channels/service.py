"""Inbound SMS: store every message once, then act on it.

`112 KEBAKARAN Desa Hanga-Hanga rumah terbakar` becomes an unclassified SMS contact and an
UNVERIFIED incident (status received) of the matching type in that desa; free text and unknown
keywords become a contact for an operator to call back. AML messages locate a contact and are
never answered. Nothing is dispatched: a call-taker verifies first.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts.models import User
from cc112.accounts.service import system_actor
from cc112.catalog.models import IncidentType
from cc112.channels import aml, keywords, outbound, places, positions, replies
from cc112.channels.models import SmsMessage
from cc112.channels.schemas import InboundResult, InboundSms
from cc112.clock import now
from cc112.config import Settings
from cc112.contacts import phone
from cc112.contacts import service as contacts
from cc112.contacts.schemas import ContactCreate
from cc112.errors import Invalid
from cc112.geo.models import Jurisdiction, Region
from cc112.incidents import service as incidents
from cc112.incidents.models import Incident
from cc112.incidents.schemas import IncidentCreate

SENDER_INVALID = "sender_invalid"


async def get_inbound(db: AsyncSession, gateway_id: str) -> SmsMessage | None:
    return await db.scalar(
        select(SmsMessage).where(SmsMessage.direction == "inbound", SmsMessage.gateway_id == gateway_id)
    )


async def result_of(db: AsyncSession, message: SmsMessage, *, duplicate: bool = False) -> InboundResult:
    """The answer for one inbound message (the same again when the gateway repeats it)."""
    ticket = await db.scalar(select(Incident.ticket).where(Incident.id == message.incident_id)) \
        if message.incident_id else None
    replied = await db.scalar(select(SmsMessage.id).where(SmsMessage.reply_to_id == message.id).limit(1))
    return InboundResult(
        id=message.id, message_id=message.gateway_id or "", kind=message.kind, status=message.status,
        flags=list(message.flags or []), contact_id=message.contact_id, ticket=ticket,
        reply="queued" if replied else "none", duplicate=duplicate,
    )


def _sender(raw: str) -> tuple[str | None, list[str]]:
    """E.164, or None and a flag when the gateway's sender is not a number (e.g. an alphanumeric id)."""
    try:
        return phone.normalise(raw, field="sender"), []
    except Invalid:
        return None, [SENDER_INVALID]


def _sent_at(value: datetime | None, zone: str) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=ZoneInfo(zone))


async def _store(db: AsyncSession, sms_in: InboundSms, jur: Jurisdiction) -> SmsMessage | None:
    """Insert the inbound row; None when the same gateway id is already stored (a repeat)."""
    sender, flags = _sender(sms_in.sender)
    message = SmsMessage(
        jurisdiction_id=jur.id, direction="inbound", gateway_id=sms_in.message_id, sender=sender,
        text=sms_in.text, kind="aml" if aml.is_aml(sms_in.text) else "free_text", status="processed",
        flags=flags, created_at=now(), gateway_sent_at=_sent_at(sms_in.sent_at, jur.timezone), attempts=0,
    )
    try:
        async with db.begin_nested():  # a concurrent repeat loses here, not the whole request
            db.add(message)
            await db.flush()
    except IntegrityError:
        return None
    return message


async def receive(*, db: AsyncSession, sms_in: InboundSms, settings: Settings) -> tuple[InboundResult, int | None]:
    """Store and act on one inbound SMS; the result and the id of the reply to send after commit."""
    existing = await get_inbound(db, sms_in.message_id)
    if existing is None:
        actor = await system_actor(db, settings.jurisdiction)
        jur = await db.get(Jurisdiction, actor.jurisdiction_id)
        assert jur is not None
        message = await _store(db, sms_in, jur)
        if message is not None:
            reply_id = await _act(db=db, message=message, actor=actor, jur=jur, settings=settings)
            return await result_of(db, message), reply_id
        existing = await get_inbound(db, sms_in.message_id)
        assert existing is not None
    return await result_of(db, existing, duplicate=True), None


async def _act(*, db: AsyncSession, message: SmsMessage, actor: User, jur: Jurisdiction,
               settings: Settings) -> int | None:
    if message.kind == "aml":
        await positions.receive(db=db, message=message, actor=actor, settings=settings)
        return None  # AML is machine-to-machine: the handset never gets an answer
    text = await _text_intake(db=db, message=message, actor=actor, jur=jur, settings=settings)
    if message.sender is None:
        return None
    reply = await outbound.queue(db, inbound=message, text=text)
    return reply.id


async def _type_terms(db: AsyncSession, jurisdiction_id: int) -> list[keywords.TypeTerms]:
    rows = await db.execute(
        select(IncidentType.code, IncidentType.name_id, IncidentType.keywords)
        .where(IncidentType.jurisdiction_id == jurisdiction_id).order_by(IncidentType.id)
    )
    return [keywords.TypeTerms(code, name, words or "") for code, name, words in rows]


async def _places(db: AsyncSession, jurisdiction_id: int) -> list[places.Place]:
    rows = list(await db.scalars(select(Region).where(Region.jurisdiction_id == jurisdiction_id)))
    kecamatan = {r.code: r.name for r in rows if r.level == "kecamatan"}
    return [places.Place(r.code, r.name, r.level, r.parent_code, kecamatan.get(r.parent_code or ""))
            for r in rows]


def _centre(jur: Jurisdiction) -> str:
    return jur.name.removeprefix("Kabupaten ").removeprefix("Kota ")


async def _text_intake(*, db: AsyncSession, message: SmsMessage, actor: User, jur: Jurisdiction,
                       settings: Settings) -> str:
    """Contact (and, for a known keyword, an unverified incident); returns the reply text."""
    types = await _type_terms(db, jur.id)
    report = keywords.parse(message.text, types)
    message.kind = report.kind
    match = places.find(report.rest, await _places(db, jur.id)) if report.kind == "keyword" else None
    contact = await contacts.create(db=db, contact_in=ContactCreate(
        channel="sms", caller_number=message.sender, summary=message.text[:4000] or None,
        location_text=match.place.label[:300] if match else None,
    ), actor=actor, settings=settings)
    message.contact_id = contact.id
    if report.kind == "unknown_keyword":
        return replies.unknown_keyword(centre=_centre(jur), keyword=report.keyword or "",
                                       valid=keywords.suggestions(types))
    if report.kind != "keyword" or report.type_code is None:
        return replies.received(centre=_centre(jur))
    incident = await incidents.create(db=db, incident_in=IncidentCreate(
        type=report.type_code, region_code=match.place.code if match else None,
        address=match.words[:300] if match else None,
        description=(match.rest if match else report.rest)[:4000],
    ), actor=actor, verified=False)
    # Linked here rather than through contact_id: that would classify the contact as an
    # emergency, and an SMS stays unclassified until a call-taker has called back.
    contact.incident_id = incident.id
    message.incident_id = incident.id
    type_name = next((t.name_id for t in types if t.code == report.type_code), report.type_code)
    return replies.ticket(centre=_centre(jur), ticket_no=incident.ticket, type_name=type_name,
                          place=match.place.label if match else None)
