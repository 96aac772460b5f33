"""Recording events (with their audit entry), visibility and replay."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts import audit
from cc112.accounts.models import User
from cc112.clock import now
from cc112.events.models import Event

INTAKE_ROLES = ("operator", "supervisor")
WIDE_ROLES = ("operator", "supervisor", "leader", "admin")


async def record(
    db: AsyncSession,
    *,
    kind: str,
    jurisdiction_id: int,
    actor: User | None,
    incident_id: int | None = None,
    assignment_id: int | None = None,
    contact_id: int | None = None,
    agency_ids: list[int] | None = None,
    audience: str = "all",
    is_exercise: bool = False,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Append one Event row and its audit entry to the current transaction."""
    ev = Event(
        at=now(),
        jurisdiction_id=jurisdiction_id,
        kind=kind,
        incident_id=incident_id,
        assignment_id=assignment_id,
        contact_id=contact_id,
        actor_id=actor.id if actor else None,
        agency_ids=sorted(set(agency_ids or [])),
        audience=audience,
        is_exercise=is_exercise,
        payload=payload or {},
    )
    object_type, object_id = (
        ("incident", incident_id) if incident_id else
        ("contact", contact_id) if contact_id else ("event", "-")
    )
    await audit.append(
        db,
        actor=actor,
        action=kind,
        object_type=object_type,
        object_id=object_id,
        jurisdiction_id=jurisdiction_id,
        detail={k: v for k, v in (payload or {}).items() if not isinstance(v, float)},
    )
    db.add(ev)
    await db.flush()
    db.info.setdefault("pending_events", []).append(ev)
    return ev


def event_to_dict(ev: Event) -> dict[str, Any]:
    return {
        "id": ev.id,
        "kind": ev.kind,
        "at": ev.at.isoformat(),
        "jurisdiction_id": ev.jurisdiction_id,
        "incident_id": ev.incident_id,
        "assignment_id": ev.assignment_id,
        "contact_id": ev.contact_id,
        "actor_id": ev.actor_id,
        "agency_ids": list(ev.agency_ids or []),
        "audience": ev.audience,
        "is_exercise": ev.is_exercise,
        "payload": ev.payload or {},
    }


def can_see(user: User, message: dict[str, Any]) -> bool:
    """The one rule for who receives which event (stream, replay and timeline)."""
    if message["jurisdiction_id"] != user.jurisdiction_id:
        return False
    audience = message.get("audience", "all")
    if audience == "intake":
        return user.role in INTAKE_ROLES
    if audience == "agency":
        return user.role in WIDE_ROLES or (
            user.agency_id is not None and user.agency_id in message.get("agency_ids", [])
        )
    return True


async def replay(
    db: AsyncSession, *, user: User, after_id: int, limit: int = 500
) -> list[dict[str, Any]]:
    """Events after `after_id` in order that this user may see (one page)."""
    rows = (
        await db.scalars(
            select(Event)
            .where(Event.jurisdiction_id == user.jurisdiction_id, Event.id > after_id)
            .order_by(Event.id)
            .limit(limit)
        )
    ).all()
    return [event_to_dict(ev) for ev in rows]


async def last_id(db: AsyncSession) -> int:
    return int(await db.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0)
