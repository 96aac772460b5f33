"""Append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts.models import AuditEntry, User
from cc112.clock import now

GENESIS = "0" * 64
_LOCK_KEY = 112_0001


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    body = json.dumps(
        {
            "at": entry.at.isoformat(),
            "actor_id": entry.actor_id,
            "actor_name": entry.actor_name,
            "jurisdiction_id": entry.jurisdiction_id,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "detail": entry.detail,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


async def append(
    db: AsyncSession,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    jurisdiction_id: int | None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry chained to the last; serialised across writers."""
    if db.bind.dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    # On SQLite the writer already holds the database write lock (BEGIN IMMEDIATE).
    prev = await db.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        at=now(),
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "system",
        jurisdiction_id=jurisdiction_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
        prev_hash=prev or GENESIS,
    )
    entry.hash = _digest(entry.prev_hash, entry)
    db.add(entry)
    await db.flush()
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


async def verify(db: AsyncSession, *, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first row whose link or content does not match."""
    prev_hash = GENESIS
    last_id = 0
    checked = 0
    while True:
        rows = (
            await db.scalars(
                select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
            )
        ).all()
        if not rows:
            return VerifyResult(ok=True, checked=checked)
        for entry in rows:
            if entry.prev_hash != prev_hash:
                return VerifyResult(False, checked, entry.id, "previous-hash link does not match")
            if _digest(prev_hash, entry) != entry.hash:
                return VerifyResult(False, checked, entry.id, "content does not match its hash")
            prev_hash = entry.hash
            last_id = entry.id
            checked += 1
        db.expunge_all()
