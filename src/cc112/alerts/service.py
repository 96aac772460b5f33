"""Public alerts: compose a draft, edit it, approve (publish) or reject it; Update and Cancel
refer to an earlier published alert. Publishing fixes the identifier, the sent time and the XML."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts import policy
from cc112.accounts.models import User
from cc112.alerts import cap
from cc112.alerts.models import Alert
from cc112.alerts.schemas import (
    DEFAULT_KECAMATAN_RADIUS_KM,
    AlertCreate,
    AlertEdit,
    AreaIn,
    RejectIn,
    normalise_circle,
)
from cc112.catalog.models import IncidentType
from cc112.clock import now
from cc112.errors import Conflict, Invalid, InvalidTransition, NotFound
from cc112.events import service as events
from cc112.geo import service as geo
from cc112.geo.models import Jurisdiction
from cc112.incidents import service as incidents
from cc112.incidents.models import Incident

MAX_CHAIN = 100  # Updates of Updates …; far more than any real alert has
INHERITED = ("category", "urgency", "severity", "certainty", "response_type", "web", "expires_at", "incident_id")


def sender_name(jur: Jurisdiction) -> str:
    return f"Command Center 112 {jur.name}"


async def _areas(db: AsyncSession, jurisdiction_id: int, areas_in: list[AreaIn]) -> list[dict[str, Any]]:
    """Resolve kecamatan codes to a description, a geocode and a circle around the centroid."""
    areas: list[dict[str, Any]] = []
    for area in areas_in:
        if area.kecamatan:
            try:
                region = await geo.get_region_by_code(db, jurisdiction_id, area.kecamatan)
            except Invalid:
                region = None
            if region is None or region.level != "kecamatan":
                raise Invalid(f"unknown kecamatan code {area.kecamatan!r} in this jurisdiction", field="areas")
            circle = None
            if region.lat is not None and region.lon is not None:
                radius = area.radius_km or DEFAULT_KECAMATAN_RADIUS_KM
                circle = normalise_circle(f"{region.lat},{region.lon} {radius}")
            areas.append({"kind": "kecamatan", "desc": area.description or f"Kecamatan {region.name}",
                          "region_code": region.code, "polygon": None, "circle": circle})
        else:
            areas.append({"kind": "polygon" if area.polygon else "circle", "desc": area.description,
                          "region_code": None, "polygon": area.polygon, "circle": area.circle})
    return areas


async def _incident(db: AsyncSession, incident_id: int, actor: User) -> tuple[Incident, IncidentType]:
    incident = await incidents.get(db=db, incident_id=incident_id, actor=actor)
    itype = await db.get(IncidentType, incident.incident_type_id)
    assert itype is not None
    return incident, itype


async def get(*, db: AsyncSession, alert_id: int, actor: User) -> Alert:
    """One alert of the actor's jurisdiction (drafts included)."""
    policy.require(actor, "alert.read")
    alert = await db.get(Alert, alert_id)
    if alert is None:
        raise NotFound("alert not found")
    policy.same_jurisdiction(actor, alert.jurisdiction_id, "alert")
    return alert


async def get_published(*, db: AsyncSession, identifier: str) -> Alert:
    """A published alert by its CAP identifier (public: drafts and rejected alerts do not exist)."""
    alert = await db.scalar(select(Alert).where(Alert.identifier == identifier, Alert.state == "published"))
    if alert is None or alert.cap_xml is None:
        raise NotFound("alert not found")
    return alert


async def list_(*, db: AsyncSession, actor: User, state: str | None, limit: int,
                offset: int) -> tuple[int, list[Alert]]:
    """Alerts of the actor's jurisdiction, newest first."""
    policy.require(actor, "alert.read")
    where = [Alert.jurisdiction_id == actor.jurisdiction_id]
    if state:
        where.append(Alert.state == state)
    total = int(await db.scalar(select(func.count(Alert.id)).where(*where)) or 0)
    rows = await db.scalars(select(Alert).where(*where)
                            .order_by(func.coalesce(Alert.sent_at, Alert.composed_at).desc(), Alert.id.desc())
                            .limit(limit).offset(offset))
    return total, list(rows)


async def list_published(*, db: AsyncSession, jurisdiction_code: str | None, exercise: bool | None,
                         limit: int) -> list[Alert]:
    """Published alerts for the public feed, newest first."""
    stmt = select(Alert).where(Alert.state == "published")
    if jurisdiction_code:
        stmt = stmt.join(Jurisdiction, Jurisdiction.id == Alert.jurisdiction_id).where(
            Jurisdiction.code == jurisdiction_code)
    if exercise is not None:
        stmt = stmt.where((Alert.status == "Actual") != exercise)
    return list(await db.scalars(stmt.order_by(Alert.sent_at.desc(), Alert.id.desc()).limit(limit)))


async def superseded_by(db: AsyncSession, alert: Alert) -> Alert | None:
    """The published Update or Cancel that refers to this alert, if any."""
    return await db.scalar(select(Alert).where(Alert.references_id == alert.id, Alert.state == "published")
                           .order_by(Alert.id).limit(1))


async def reference_chain(db: AsyncSession, alert: Alert) -> list[Alert]:
    """The earlier alerts this one refers to, oldest first (an Update of an Update names both)."""
    chain: list[Alert] = []
    ref_id = alert.references_id
    while ref_id is not None and len(chain) < MAX_CHAIN:
        earlier = await db.get(Alert, ref_id)
        if earlier is None:
            break
        chain.insert(0, earlier)
        ref_id = earlier.references_id
    return chain


async def references_text(db: AsyncSession, alert: Alert, zone: str) -> str | None:
    chain = await reference_chain(db, alert)
    return cap.references_text(
        cap.Reference(a.sender, a.identifier, cap.cap_time(a.sent_at, zone))
        for a in chain if a.identifier and a.sent_at
    )


async def _check_referable(db: AsyncSession, earlier: Alert) -> None:
    if earlier.state != "published":
        raise Invalid("only a published alert can be updated or cancelled", field="references")
    if earlier.msg_type == "Cancel":
        raise Invalid(f"{earlier.identifier} is a Cancel; nothing refers to it", field="references")
    later = await superseded_by(db, earlier)
    if later is not None:
        raise Conflict(f"{earlier.identifier} was already {'cancelled' if later.msg_type == 'Cancel' else 'updated'} "
                       f"by {later.identifier}; refer to that one", field="references")


async def _referenced(db: AsyncSession, identifier: str, actor: User) -> Alert:
    earlier = await db.scalar(select(Alert).where(Alert.identifier == identifier,
                                                  Alert.jurisdiction_id == actor.jurisdiction_id))
    if earlier is None:
        raise Invalid(f"no published alert {identifier!r} in this jurisdiction", field="references")
    await _check_referable(db, earlier)
    return earlier


def _texts(alert_in: AlertCreate | AlertEdit) -> list[dict[str, Any]] | None:
    if alert_in.info is None:
        return None
    return [i.model_dump() for i in sorted(alert_in.info, key=lambda i: i.language != "id-ID")]


async def _apply_incident(db: AsyncSession, alert: Alert, actor: User, category: str | None, *,
                          status_chosen: bool) -> None:
    """Category from the linked incident's type unless one is chosen; an exercise incident's alert is
    an Exercise by default and may never be Actual."""
    if alert.incident_id is None:
        if not category:
            raise Invalid("choose a CAP category, or link an incident", field="category")
        alert.category = category
        return
    incident, itype = await _incident(db, alert.incident_id, actor)
    alert.category = category or itype.cap_category
    if incident.is_exercise and not status_chosen:
        alert.status = "Exercise"
    if incident.is_exercise and alert.status == "Actual":
        raise Invalid(f"incident {incident.ticket} is an exercise; its alert must have status Exercise", field="status")


def _check_expiry(alert: Alert) -> None:
    if alert.expires_at is not None and alert.expires_at <= now():
        raise Invalid("the alert would already have expired; give a later expiry time or none", field="expires_at")


async def _record(db: AsyncSession, alert: Alert, kind: str, actor: User, **extra: object) -> None:
    info = alert.info("id-ID") or {}
    await events.record(
        db, kind=kind, jurisdiction_id=alert.jurisdiction_id, actor=actor, incident_id=alert.incident_id,
        is_exercise=alert.is_exercise,
        payload={"alert_id": alert.id, "identifier": alert.identifier, "msg_type": alert.msg_type,
                 "status": alert.status, "state": alert.state, "headline": info.get("headline", ""), **extra},
    )


async def compose(*, db: AsyncSession, alert_in: AlertCreate, actor: User) -> Alert:
    """A new draft: an Alert, or an Update/Cancel of a published alert (omitted fields are kept from it)."""
    policy.require(actor, "alert.compose")
    jur = await geo.get_jurisdiction(db, actor.jurisdiction_id)
    earlier = await _referenced(db, alert_in.references, actor) if alert_in.references else None
    if earlier is not None and alert_in.status and alert_in.status != earlier.status:
        raise Invalid(f"an {alert_in.msg_type} keeps the status of {earlier.identifier} ({earlier.status})",
                      field="status")
    at = now()
    alert = Alert(
        jurisdiction_id=jur.id, sender=cap.make_sender(jur.code), msg_type=alert_in.msg_type,
        status=earlier.status if earlier else (alert_in.status or "Actual"),
        references_id=earlier.id if earlier else None, note=alert_in.note, state="draft", version=1,
        composed_by_id=actor.id, composed_at=at, updated_at=at, category="",
    )
    for name in INHERITED:
        given = getattr(alert_in, name)
        setattr(alert, name, given if given is not None else (getattr(earlier, name) if earlier else None))
    alert.infos = _texts(alert_in) or (list(earlier.infos) if earlier else [])
    alert.areas = await _areas(db, jur.id, alert_in.areas) if alert_in.areas else (
        list(earlier.areas) if earlier else [])
    category = alert_in.category or (earlier.category if earlier else None)
    await _apply_incident(db, alert, actor, category, status_chosen=alert_in.status is not None or earlier is not None)
    _check_expiry(alert)
    db.add(alert)
    await db.flush()
    await _record(db, alert, "alert.composed", actor,
                  references=earlier.identifier if earlier else None)
    return alert


async def _lock_draft(db: AsyncSession, alert_id: int, actor: User) -> Alert:
    """Take the draft's row (version bump) so concurrent approvals queue; refuse when no longer a draft."""
    alert = await get(db=db, alert_id=alert_id, actor=actor)
    result = await db.execute(
        update(Alert).where(Alert.id == alert.id, Alert.state == "draft")
        .values(version=Alert.version + 1).execution_options(synchronize_session=False))
    await db.refresh(alert)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(f"this alert is {alert.state}, no longer a draft")
    return alert


async def edit(*, db: AsyncSession, alert_id: int, alert_in: AlertEdit, actor: User) -> Alert:
    """Change a draft; only its composer may (the approver must not approve their own words)."""
    policy.require(actor, "alert.compose")
    alert = await _lock_draft(db, alert_id, actor)
    if alert.composed_by_id != actor.id:
        # The role may edit drafts, just not this one: a conflict with the draft, not a missing permission.
        raise Conflict("only the supervisor who composed this draft may edit it; reject it with a reason instead")
    given = alert_in.model_fields_set
    for name in INHERITED + ("note",):
        if name in given:
            setattr(alert, name, getattr(alert_in, name))
    if "info" in given and alert_in.info is not None:
        alert.infos = _texts(alert_in) or []
    if "areas" in given and alert_in.areas is not None:
        alert.areas = await _areas(db, alert.jurisdiction_id, alert_in.areas)
    for name in ("urgency", "severity", "certainty"):
        if getattr(alert, name) is None:
            raise Invalid(f"{name} is required", field=name)
    # A newly linked incident brings its type's category unless one is chosen with it.
    category = alert_in.category if "category" in given or "incident_id" in given else alert.category
    await _apply_incident(db, alert, actor, category, status_chosen=True)
    _check_expiry(alert)
    alert.updated_at = now()
    await db.flush()
    await _record(db, alert, "alert.edited", actor)
    return alert


async def approve(*, db: AsyncSession, alert_id: int, actor: User) -> Alert:
    """A second supervisor approves a draft: it is published with its identifier, sent time and XML."""
    policy.require(actor, "alert.approve")
    alert = await _lock_draft(db, alert_id, actor)
    if alert.composed_by_id == actor.id:
        # Four eyes: the role may approve, but never its own words (409, like any other state conflict).
        raise Conflict("you composed this alert; another supervisor must approve it before it is published")
    jur = await geo.get_jurisdiction(db, alert.jurisdiction_id)
    if alert.references_id is not None:
        # Lock the earlier alert too, so two Cancels of it cannot both be published.
        await db.execute(update(Alert).where(Alert.id == alert.references_id)
                         .values(version=Alert.version + 1).execution_options(synchronize_session=False))
        earlier = await db.get(Alert, alert.references_id, populate_existing=True)
        assert earlier is not None
        await _check_referable(db, earlier)
    _check_expiry(alert)
    incident = await db.get(Incident, alert.incident_id) if alert.incident_id else None
    alert.sent_at = now()
    alert.identifier = cap.make_identifier(prefix=jur.ticket_prefix, sent=alert.sent_at, zone=jur.timezone,
                                           alert_id=alert.id)
    alert.state = "published"
    alert.approved_by_id = actor.id
    alert.updated_at = alert.sent_at
    references = await references_text(db, alert, jur.timezone)
    alert.cap_xml = cap.build_alert(alert, zone=jur.timezone, sender_name=sender_name(jur), references=references,
                                    incident_ticket=incident.ticket if incident else None).decode("utf-8")
    await db.flush()
    await _record(db, alert, "alert.published", actor, sent=cap.cap_time(alert.sent_at, jur.timezone))
    return alert


async def reject(*, db: AsyncSession, alert_id: int, reject_in: RejectIn, actor: User) -> Alert:
    """Refuse a draft with a reason (its composer may also withdraw it); it is kept, never published."""
    policy.require(actor, "alert.approve")
    alert = await _lock_draft(db, alert_id, actor)
    alert.state = "rejected"
    alert.rejected_by_id = actor.id
    alert.rejected_at = alert.updated_at = now()
    alert.reject_reason = reject_in.reason
    await db.flush()
    await _record(db, alert, "alert.rejected", actor, reason=reject_in.reason)
    return alert
