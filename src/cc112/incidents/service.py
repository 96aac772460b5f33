"""Incidents: creation with ticket and routing proposal, lifecycle, merge, queries."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts import policy
from cc112.accounts.models import User
from cc112.catalog import cache as refdata
from cc112.catalog.cache import JurisdictionInfo, TypeInfo
from cc112.catalog.models import IncidentType
from cc112.clock import now
from cc112.config import Settings
from cc112.contacts.models import Contact
from cc112.dispatch.models import ACTIVE, Assignment
from cc112.errors import Conflict, Invalid, InvalidTransition, NotFound
from cc112.events import service as events
from cc112.geo import service as geo
from cc112.geo.models import Jurisdiction
from cc112.incidents.models import OPEN_STATUSES, TERMINAL_STATUSES, Incident, TicketCounter
from cc112.incidents.schemas import CancelIn, IncidentCreate, MergeIn


async def next_ticket(db: AsyncSession, jur: Jurisdiction | JurisdictionInfo) -> str:
    """BGI-20261128-0042: per jurisdiction and local day, atomic on both databases."""
    day = now().astimezone(ZoneInfo(jur.timezone)).strftime("%Y%m%d")
    insert = pg_insert if db.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(TicketCounter)
        .values(jurisdiction_id=jur.id, day=day, last=1)
        .on_conflict_do_update(
            index_elements=["jurisdiction_id", "day"], set_={"last": TicketCounter.last + 1}
        )
        .returning(TicketCounter.last)
    )
    if db.bind.dialect.name == "postgresql":
        # Its own short transaction: the day's counter row is not held locked until our commit,
        # so concurrent intakes do not queue on it. A rolled-back intake leaves a gap, never a duplicate.
        async with db.bind.begin() as conn:
            seq = (await conn.execute(stmt)).scalar_one()
    else:
        seq = (await db.execute(stmt)).scalar_one()
    return f"{jur.ticket_prefix}-{day}-{seq:04d}"


async def get_type(db: AsyncSession, *, jurisdiction_id: int, code: str) -> TypeInfo:
    itype = (await refdata.snapshot(db, jurisdiction_id)).types_by_code.get(code)
    if itype is None:
        raise Invalid(f"unknown incident type {code!r}; see /api/v1/incident-types", field="type")
    return itype


def map_payload(incident: Incident, itype: IncidentType | TypeInfo, region_name: str | None) -> dict[str, object]:
    """What every staff member may see of an incident (the shared map)."""
    return {
        "ticket": incident.ticket, "type": itype.code, "type_name": itype.name_id,
        "priority": incident.priority, "status": incident.status, "lat": incident.lat,
        "lon": incident.lon, "region": region_name, "is_exercise": incident.is_exercise,
    }


async def create(*, db: AsyncSession, incident_in: IncidentCreate, actor: User, verified: bool = True,
                 settings: Settings | None = None) -> Incident:
    """Open an incident (from a contact, with a new contact, or directly) with a ticket and its location."""
    jur = (await refdata.snapshot(db, actor.jurisdiction_id)).jurisdiction
    itype = await get_type(db, jurisdiction_id=jur.id, code=incident_in.type)
    region_id = desa_id = None
    region_name = None
    lat, lon = incident_in.lat, incident_in.lon
    if incident_in.region_code:
        region = await geo.get_region_by_code(db, jur.id, incident_in.region_code)
        if region.level == "kecamatan":
            region_id, region_name = region.id, region.name
        else:
            desa_id = region.id
            parent = await geo.get_region_by_code(db, jur.id, region.parent_code or "")
            region_id, region_name = parent.id, parent.name
            region = parent
        if lat is None and region.lat is not None:
            lat, lon = region.lat, region.lon
    elif lat is not None and lon is not None:
        nearest = await geo.kecamatan_index.nearest(db, jur.id, lat, lon)
        if nearest is not None:
            region_id, region_name = nearest.region_id, nearest.name
    contact = None
    if incident_in.contact is not None:
        from cc112.config import get_settings
        from cc112.contacts import service as contacts

        contact = await contacts.create(db=db, contact_in=incident_in.contact, actor=actor,
                                        settings=settings or get_settings())
    elif incident_in.contact_id is not None:
        contact = await db.get(Contact, incident_in.contact_id)
        if contact is None or contact.jurisdiction_id != jur.id:
            raise Invalid("contact not found", field="contact_id")
        if contact.incident_id is not None:
            raise Conflict("this contact is already linked to another incident", field="contact_id")
    at = now()
    incident = Incident(
        jurisdiction_id=jur.id, ticket=await next_ticket(db, jur), incident_type_id=itype.id,
        priority=incident_in.priority or itype.default_priority,
        status="verified" if verified else "received", version=1, lat=lat, lon=lon,
        location_accuracy_m=incident_in.location_accuracy_m, region_id=region_id, desa_id=desa_id,
        address=incident_in.address, landmark=incident_in.landmark,
        description=incident_in.description, people_involved=incident_in.people_involved,
        hazards=incident_in.hazards, is_exercise=incident_in.is_exercise or bool(contact and contact.is_exercise),
        created_by_id=actor.id, created_at=at, updated_at=at, verified_at=at if verified else None,
    )
    db.add(incident)
    await db.flush()
    if contact is not None:
        contact.incident_id = incident.id
        if contact.classification is None:
            contact.classification = "emergency"
    await events.record(
        db, kind="incident.created", jurisdiction_id=jur.id, actor=actor, incident_id=incident.id,
        contact_id=contact.id if contact else None, is_exercise=incident.is_exercise,
        payload=map_payload(incident, itype, region_name),
    )
    return incident


async def lock(db: AsyncSession, incident_id: int, actor: User) -> Incident:
    """Take the incident's row lock (version bump) and return it fresh.

    Every change to an incident or its assignments goes through here first, so concurrent
    changes queue on one row and the later one sees the earlier one's result.
    """
    result = await db.execute(
        update(Incident).where(Incident.id == incident_id).values(version=Incident.version + 1)
        .returning(Incident.jurisdiction_id)
    )
    jurisdiction_id = result.scalar_one_or_none()
    if jurisdiction_id is None or jurisdiction_id != actor.jurisdiction_id:
        raise NotFound("incident not found")
    incident = await db.scalar(
        select(Incident).where(Incident.id == incident_id).execution_options(populate_existing=True)
    )
    assert incident is not None
    return incident


async def set_status(db: AsyncSession, incident: Incident, new: str, *, expect: tuple[str, ...]) -> None:
    """Compare-and-set on the incident status."""
    if incident.status not in expect:
        raise InvalidTransition(f"incident {incident.ticket} is {incident.status}; it cannot become {new}")
    result = await db.execute(
        update(Incident).where(Incident.id == incident.id, Incident.status == incident.status)
        .values(status=new, updated_at=now())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"incident {incident.ticket} was changed by someone else; reload and retry")
    incident.status = new


async def assigned_agency_ids(db: AsyncSession, incident_id: int, *, active_only: bool = False) -> set[int]:
    stmt = select(Assignment.agency_id).where(Assignment.incident_id == incident_id)
    if active_only:
        stmt = stmt.where(Assignment.status.in_(ACTIVE + ("completed",)))
    return set(await db.scalars(stmt))


async def get(*, db: AsyncSession, incident_id: int, actor: User) -> Incident:
    incident = await db.get(Incident, incident_id)
    if incident is None:
        raise NotFound("incident not found")
    policy.check_incident(actor, incident.jurisdiction_id, await assigned_agency_ids(db, incident.id))
    return incident


async def get_by_ref(*, db: AsyncSession, ref: str, actor: User) -> Incident:
    ref = ref.strip()
    if ref.isdigit():
        return await get(db=db, incident_id=int(ref), actor=actor)
    incident = await db.scalar(select(Incident).where(Incident.ticket == ref.upper()))
    if incident is None:
        raise NotFound(f"incident {ref} not found")
    policy.check_incident(actor, incident.jurisdiction_id, await assigned_agency_ids(db, incident.id))
    return incident


async def _record(db: AsyncSession, incident: Incident, kind: str, actor: User, **payload: object) -> None:
    await events.record(
        db, kind=kind, jurisdiction_id=incident.jurisdiction_id, actor=actor, incident_id=incident.id,
        agency_ids=sorted(await assigned_agency_ids(db, incident.id)), is_exercise=incident.is_exercise,
        payload={"ticket": incident.ticket, "status": incident.status, **payload},
    )


async def verify(*, db: AsyncSession, incident_id: int, actor: User) -> Incident:
    """An operator confirms an unverified report (e.g. from the public)."""
    incident = await lock(db, incident_id, actor)
    await set_status(db, incident, "verified", expect=("received",))
    incident.verified_at = now()
    await _record(db, incident, "incident.verified", actor)
    return incident


async def close(*, db: AsyncSession, incident_id: int, actor: User, reason: str) -> Incident:
    """Close a resolved incident."""
    incident = await lock(db, incident_id, actor)
    if incident.status in OPEN_STATUSES:
        raise InvalidTransition(
            f"incident {incident.ticket} is {incident.status}, not resolved; wait for the agencies "
            "to complete, or cancel it with a reason"
        )
    await set_status(db, incident, "closed", expect=("resolved",))
    incident.closed_at = now()
    incident.close_reason = reason or None
    await _record(db, incident, "incident.closed", actor, reason=reason)
    return incident


async def _cancel_assignments(db: AsyncSession, incident: Incident, actor: User, why: str) -> None:
    from cc112.dispatch.service import cancel_active

    await cancel_active(db=db, incident=incident, actor=actor, reason=why)


async def cancel(*, db: AsyncSession, incident_id: int, cancel_in: CancelIn, actor: User) -> Incident:
    """Cancel an open incident (prank, ghost, no emergency); its assignments are stood down."""
    incident = await lock(db, incident_id, actor)
    await set_status(db, incident, "cancelled", expect=OPEN_STATUSES)
    incident.close_reason = cancel_in.reason
    incident.closed_at = now()
    await _cancel_assignments(db, incident, actor, f"incident cancelled: {cancel_in.reason}")
    await _record(db, incident, "incident.cancelled", actor, reason=cancel_in.reason)
    return incident


async def merge(*, db: AsyncSession, incident_id: int, merge_in: MergeIn, actor: User) -> Incident:
    """Merge a duplicate into a master incident; the duplicate is kept, marked merged."""
    target_ref = merge_in.into.strip()
    target_id = int(target_ref) if target_ref.isdigit() else await db.scalar(
        select(Incident.id).where(Incident.ticket == target_ref.upper())
    )
    if target_id is None:
        raise Invalid(f"incident {target_ref} not found", field="into")
    if target_id == incident_id:
        raise Invalid("an incident cannot be merged into itself", field="into")
    # Lock both rows in id order so two opposite merges cannot deadlock or cross.
    first, second = sorted((incident_id, target_id))
    locked = {first: await lock(db, first, actor), second: await lock(db, second, actor)}
    duplicate, master = locked[incident_id], locked[target_id]
    if master.status in TERMINAL_STATUSES:
        raise InvalidTransition(f"incident {master.ticket} is {master.status}; merge into an open incident")
    await set_status(db, duplicate, "merged", expect=OPEN_STATUSES + ("resolved",))
    duplicate.merged_into_id = master.id
    await db.execute(update(Contact).where(Contact.incident_id == duplicate.id).values(incident_id=master.id))
    await _cancel_assignments(db, duplicate, actor, f"merged into {master.ticket}")
    await _record(db, duplicate, "incident.merged", actor, into=master.ticket, reason=merge_in.reason)
    await _record(db, master, "incident.duplicate_linked", actor, duplicate=duplicate.ticket)
    return duplicate


async def list_(
    *, db: AsyncSession, actor: User, status: list[str] | None, type_code: str | None,
    priority: int | None, region_code: str | None, agency_code: str | None, is_exercise: bool | None,
    q: str | None, limit: int, offset: int,
) -> tuple[int, list[Incident]]:
    from cc112.agencies.models import Agency
    from cc112.geo.models import Region

    stmt = select(Incident).where(Incident.jurisdiction_id == actor.jurisdiction_id)
    if not policy.sees_all_incidents(actor):
        stmt = stmt.where(Incident.id.in_(
            select(Assignment.incident_id).where(Assignment.agency_id == actor.agency_id)
        ))
    if status:
        stmt = stmt.where(Incident.status.in_(status))
    if type_code:
        stmt = stmt.join(IncidentType, IncidentType.id == Incident.incident_type_id).where(IncidentType.code == type_code)
    if priority:
        stmt = stmt.where(Incident.priority == priority)
    if region_code:
        stmt = stmt.where(Incident.region_id.in_(select(Region.id).where(Region.code == region_code)))
    if agency_code:
        stmt = stmt.where(Incident.id.in_(
            select(Assignment.incident_id).join(Agency, Agency.id == Assignment.agency_id)
            .where(Agency.code == agency_code.upper())
        ))
    if is_exercise is not None:
        stmt = stmt.where(Incident.is_exercise == is_exercise)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(Incident.ticket).like(like) | func.lower(Incident.description).like(like))
    total = int(await db.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = await db.scalars(
        stmt.order_by(Incident.created_at.desc(), Incident.id.desc()).limit(limit).offset(offset)
    )
    return total, list(rows)


async def add_note(*, db: AsyncSession, incident_id: int, text: str, actor: User) -> None:
    """A message in the incident's coordination thread (part of its record)."""
    text = text.strip()
    if not text:
        raise Invalid("write a message first", field="text")
    if len(text) > 1000:
        raise Invalid("a message has at most 1000 characters", field="text")
    incident = await get(db=db, incident_id=incident_id, actor=actor)
    agency = None
    if actor.agency_id:
        from cc112.agencies.models import Agency

        found = await db.get(Agency, actor.agency_id)
        agency = found.code if found else None
    await events.record(
        db, kind="incident.note", jurisdiction_id=incident.jurisdiction_id, actor=actor, incident_id=incident.id,
        agency_ids=sorted(await assigned_agency_ids(db, incident.id)), audience="agency",
        is_exercise=incident.is_exercise,
        payload={"ticket": incident.ticket, "text": text, "author": actor.full_name or actor.username,
                 "role": actor.role, "agency": agency},
    )


async def reopen(*, db: AsyncSession, incident_id: int, reason: str) -> Incident:
    """A citizen says it is not fixed: back to verified, for the supervisor to act on."""
    from cc112.accounts.service import system_actor
    from cc112.geo.models import Jurisdiction

    incident = await db.get(Incident, incident_id)
    if incident is None:
        raise NotFound("incident not found")
    jur = await db.get(Jurisdiction, incident.jurisdiction_id)
    actor = await system_actor(db, jur.code if jur else "")
    incident = await lock(db, incident_id, actor)
    await set_status(db, incident, "verified", expect=("resolved", "closed"))
    incident.resolved_at = None
    incident.closed_at = None
    await _record(db, incident, "incident.reopened", actor, reason=reason)
    return incident
