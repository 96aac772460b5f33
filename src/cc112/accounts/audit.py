"""Append-only, hash-chained audit log.

Writers only insert (no lock, no read): a change and its audit entry commit together. A single
chainer (one instance at a time) then walks the new entries in id order, gives each the next
`seq` and a SHA-256 over its content and the previous entry's hash. `cc112 audit verify`
chains what is pending, then checks every link in `seq` order and names the first broken row.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts.models import AuditEntry, User
from cc112.clock import now

log = logging.getLogger(__name__)
GENESIS = "0" * 64
_CHAIN_LOCK = 112_0001


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
    """Add one entry to the current transaction; the chainer links it shortly after commit."""
    entry = AuditEntry(
        at=now(),
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "system",
        jurisdiction_id=jurisdiction_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )
    db.add(entry)
    return entry


async def chain_pending(db: AsyncSession, *, batch: int = 5000) -> int:
    """Link entries not yet chained, in id order; returns how many (0 when another instance leads)."""
    if db.bind.dialect.name == "postgresql":
        if not await db.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK}):
            return 0
    last = (await db.execute(select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.is_not(None))
                             .order_by(AuditEntry.seq.desc()).limit(1))).first()
    seq, prev = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    rows = list(await db.scalars(select(AuditEntry).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id).limit(batch)))
    for entry in rows:
        seq += 1
        digest = _digest(prev, entry)
        await db.execute(update(AuditEntry).where(AuditEntry.id == entry.id, AuditEntry.seq.is_(None))
                         .values(seq=seq, prev_hash=prev, hash=digest))
        prev = digest
    return len(rows)


async def chain_all(database: Any) -> int:
    """Chain everything pending (used by `audit verify` and at shutdown)."""
    total = 0
    while True:
        async with database.session_scope() as session:
            done = await chain_pending(session)
        total += done
        if done == 0:
            return total


async def run_chainer(database: Any, *, every_seconds: float) -> None:
    """The background loop started with the app."""
    while True:
        try:
            async with database.session_scope() as session:
                await chain_pending(session)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("audit chaining failed; will retry")
        await asyncio.sleep(every_seconds)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""
    pending: int = 0


async def verify(db: AsyncSession, *, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first row whose link or content does not match."""
    prev_hash = GENESIS
    last_seq = 0
    checked = 0
    pending = int(await db.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.seq.is_(None))) or 0)
    while True:
        rows = (await db.scalars(select(AuditEntry).where(AuditEntry.seq > last_seq)
                                 .order_by(AuditEntry.seq).limit(batch))).all()
        if not rows:
            return VerifyResult(ok=True, checked=checked, pending=pending)
        for entry in rows:
            if entry.seq != last_seq + 1:
                return VerifyResult(False, checked, entry.id, f"entry #{last_seq + 1} of the chain is missing", pending)
            if entry.prev_hash != prev_hash:
                return VerifyResult(False, checked, entry.id, "previous-hash link does not match", pending)
            if _digest(prev_hash, entry) != entry.hash:
                return VerifyResult(False, checked, entry.id, "content does not match its hash", pending)
            prev_hash = entry.hash or ""
            last_seq = int(entry.seq)
            checked += 1
        db.expunge_all()
