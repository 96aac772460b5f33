"""Idempotency-Key handling: the first answer is kept and returned to every retry."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.clock import now
from cc112.errors import Conflict, Invalid
from cc112.public.models import IdempotencyKey

HEADER = "Idempotency-Key"


def request_hash(fields: dict[str, Any]) -> str:
    """A digest of what was asked, independent of multipart boundaries or key order."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Replay:
    status_code: int
    body: dict[str, Any]


def _valid_key(key: str) -> str:
    key = key.strip()
    if not (8 <= len(key) <= 128) or not all(c.isalnum() or c in "-_:." for c in key):
        raise Invalid(f"{HEADER} must be 8–128 letters, digits or - _ : .", field=HEADER)
    return key


async def begin(db: AsyncSession, *, scope: str, key: str | None, digest: str) -> tuple[IdempotencyKey | None, Replay | None]:
    """Claim the key in this transaction, or find the earlier answer.

    The unique (scope, key) row is inserted first: a concurrent retry waits on it (PostgreSQL) or on
    the write lock (SQLite) and then sees the finished answer.
    """
    if key is None:
        return None, None
    key = _valid_key(key)
    existing = await db.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key))
    if existing is not None:
        if existing.request_hash != digest:
            raise Invalid(f"this {HEADER} was already used for a different request; use a new key", field=HEADER)
        if existing.status_code is None:
            raise Conflict("the first request with this key is still being processed; retry shortly")
        return None, Replay(existing.status_code, json.loads(existing.response_body or "{}"))
    record = IdempotencyKey(scope=scope, key=key, request_hash=digest, created_at=now())
    db.add(record)
    await db.flush()
    return record, None


async def finish(db: AsyncSession, record: IdempotencyKey | None, *, status_code: int, body: dict[str, Any]) -> None:
    if record is None:
        return
    record.status_code = status_code
    record.response_body = json.dumps(body, default=str)
    await db.flush()
