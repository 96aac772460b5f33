"""Deadline sweeper: escalate assignments not acknowledged / not on scene within target."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency
from cc112.agencies.service import targets_in_force
from cc112.clock import now
from cc112.db import Database
from cc112.dispatch.models import Assignment
from cc112.events import service as events
from cc112.incidents.models import Incident

log = logging.getLogger(__name__)
_SWEEP_LOCK = 112_0002
AWAITING_ARRIVAL = ("requested", "acknowledged", "en_route")


@dataclass
class Escalation:
    assignment_id: int
    ticket: str
    agency: str
    reason: str  # not_acknowledged | not_on_scene
    due_at: datetime


async def _try_lead(db: AsyncSession) -> bool:
    """Only one instance sweeps at a time (PostgreSQL); SQLite writers are serialised anyway."""
    if db.bind.dialect.name != "postgresql":
        return True
    return bool(await db.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _SWEEP_LOCK}))


async def sweep(db: AsyncSession, *, at: datetime | None = None) -> list[Escalation]:
    """Escalate every overdue assignment once; returns what was escalated now."""
    at = at or now()
    if not await _try_lead(db):
        return []
    rows = (await db.execute(
        select(Assignment, Incident, Agency)
        .join(Incident, Incident.id == Assignment.incident_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(or_(
            and_(Assignment.status == "requested", Assignment.ack_escalated_at.is_(None)),
            and_(Assignment.status.in_(AWAITING_ARRIVAL), Assignment.on_scene_escalated_at.is_(None)),
        ))
    )).all()
    if not rows:
        return []
    targets = await targets_in_force(db, agency_ids={a.agency_id for a, _, _ in rows}, at=at)
    done: list[Escalation] = []
    for assignment, incident, agency in rows:
        target = targets.get((agency.id, incident.priority))
        if target is None:
            continue
        checks = (
            ("not_acknowledged", "ack_escalated_at", ("requested",), target.acknowledge_seconds),
            ("not_on_scene", "on_scene_escalated_at", AWAITING_ARRIVAL, target.on_scene_seconds),
        )
        for reason, column, statuses, seconds in checks:
            due = assignment.requested_at + timedelta(seconds=seconds)
            if getattr(assignment, column) is not None or assignment.status not in statuses or due > at:
                continue
            col = getattr(Assignment, column)
            result = await db.execute(
                update(Assignment).where(Assignment.id == assignment.id, col.is_(None),
                                         Assignment.status.in_(statuses)).values({column: at})
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                continue
            await events.record(
                db, kind="assignment.escalated", jurisdiction_id=incident.jurisdiction_id, actor=None,
                incident_id=incident.id, assignment_id=assignment.id, audience="agency",
                agency_ids=[agency.id], is_exercise=incident.is_exercise,
                payload={"ticket": incident.ticket, "agency": agency.code, "reason": reason,
                         "due_at": due.isoformat(), "overdue_seconds": int((at - due).total_seconds()),
                         "priority": incident.priority, "assignment_status": assignment.status},
            )
            done.append(Escalation(assignment.id, incident.ticket, agency.code, reason, due))
    return done


async def run_forever(database: Database, *, every_seconds: float) -> None:
    """The background loop started with the app."""
    while True:
        try:
            async with database.session_scope() as session:
                escalated = await sweep(session)
            if escalated:
                log.info("escalated %d overdue assignment(s)", len(escalated))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("deadline sweep failed")
        await asyncio.sleep(every_seconds)
