"""Contact routes: intake, classification, caller history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from cc112.accounts import policy
from cc112.contacts import present
from cc112.contacts import service as contacts
from cc112.contacts.schemas import (
    CallerHistory,
    Channel,
    Classification,
    ContactClassify,
    ContactCreate,
    ContactPage,
    ContactRead,
)
from cc112.deps import AppDatabase, AppSettings, CurrentUser, DbSession

router = APIRouter(prefix="/api/v1", tags=["contacts"])


@router.post("/contacts", status_code=201, response_model=ContactRead)
async def create_contact(contact_in: ContactCreate, db: DbSession, user: CurrentUser, settings: AppSettings) -> ContactRead:
    """Record one inbound contact (call, SMS, report, walk-in…); blocked numbers are flagged."""
    policy.require(user, "contact.create")
    contact = await contacts.create(db=db, contact_in=contact_in, actor=user, settings=settings)
    block = await contacts.active_block(db, jurisdiction_id=contact.jurisdiction_id, number=contact.caller_number)
    return present.contact_read(contact, full=True, block=block)


@router.get("/contacts", response_model=ContactPage)
async def list_contacts(
    db: DbSession, user: CurrentUser, database: AppDatabase,
    classification: Classification | None = None, channel: Channel | None = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ContactPage:
    """Recent contacts, newest first; caller numbers masked for roles without access."""
    policy.require(user, "contact.read")
    total, rows = await contacts.list_(db=db, actor=user, classification=classification, channel=channel,
                                       since=since, limit=limit, offset=offset)
    full = policy.may_view_personal(user)
    if full:
        await present.audit_personal_view(database, actor=user, contacts=rows, purpose="contact list")
    return ContactPage(total=total, limit=limit, offset=offset,
                       items=[present.contact_read(c, full=full) for c in rows])


@router.get("/contacts/{contact_id}", response_model=ContactRead)
async def get_contact(contact_id: int, db: DbSession, user: CurrentUser, database: AppDatabase) -> ContactRead:
    """One contact; viewing the caller's number is audited."""
    policy.require(user, "contact.read")
    contact = await contacts.get(db=db, contact_id=contact_id, actor=user)
    full = policy.may_view_personal(user)
    block = await contacts.active_block(db, jurisdiction_id=contact.jurisdiction_id, number=contact.caller_number)
    if full:
        await present.audit_personal_view(database, actor=user, contacts=[contact], purpose="contact detail")
    return present.contact_read(contact, full=full, block=block)


@router.post("/contacts/{contact_id}/classify", response_model=ContactRead)
async def classify_contact(contact_id: int, classify_in: ContactClassify, db: DbSession, user: CurrentUser,
                           settings: AppSettings) -> ContactRead:
    """Classify a contact (emergency, prank, ghost…); the third prank in a day blocks the number."""
    policy.require(user, "contact.classify")
    contact = await contacts.classify(db=db, contact_id=contact_id, classify_in=classify_in, actor=user, settings=settings)
    block = await contacts.active_block(db, jurisdiction_id=contact.jurisdiction_id, number=contact.caller_number)
    # The answer shows a stored caller's number and name: a view like any other, so audited.
    await present.record_personal_view(db, actor=user, contacts=[contact], purpose="contact classify")
    return present.contact_read(contact, full=True, block=block)


@router.get("/callers/{number}/history", response_model=CallerHistory)
async def caller_history(number: str, db: DbSession, user: CurrentUser, settings: AppSettings,
                         database: AppDatabase) -> CallerHistory:
    """What the centre knows about a number: earlier contacts, pranks, block, tickets (audited)."""
    policy.require(user, "caller.history")
    e164, total, pranks, block, rows, tickets = await contacts.history(
        db=db, raw_number=number, actor=user, settings=settings)
    await present.audit_personal_view(database, actor=user, contacts=rows or [], purpose="caller history")
    return CallerHistory(caller_number=e164, contacts_total=total, pranks_in_window=pranks,
                         blocked_until=block.blocked_until if block else None,
                         contacts=[present.contact_read(c, full=True) for c in rows], incident_tickets=tickets)
