"""Bulk writing of a generated history: ids, the audit hash chain, chunked Core inserts.

Rows are inserted with explicit ids taken after the newest row at the start of each
transaction, so the history can be added to a database in use. The audit chain (`seq`,
`prev_hash`, `hash`) is computed here, in Python, with the same digest as `accounts.audit`,
continuing from the newest link; on PostgreSQL the chainer's lock is held for the whole run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring_ascii
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from cc112.accounts import audit
from cc112.accounts.models import AuditEntry
from cc112.incidents.models import TicketCounter
from cc112.models import Base  # every domain's tables registered

CHUNK = 5000
TABLES: dict[str, Table] = {name: Base.metadata.tables[name] for name in (
    "incidents", "contacts", "assignments", "events", "audit_log", "feedback", "caller_blocks")}
TIME_COLUMNS = {
    "incidents": ("created_at", "updated_at", "verified_at", "first_dispatched_at", "first_on_scene_at",
                  "resolved_at", "closed_at"),
    "contacts": ("received_at", "answered_at", "ended_at"),
    "assignments": ("requested_at", "acknowledged_at", "en_route_at", "on_scene_at", "completed_at", "declined_at",
                    "ack_escalated_at", "on_scene_escalated_at"),
    "feedback": ("created_at",),
    "caller_blocks": ("blocked_from", "blocked_until"),
}


BOOLEAN_COLUMNS = {"incidents": ("is_exercise",), "contacts": ("caller_blocked", "is_exercise"),
                   "events": ("is_exercise",), "feedback": ("not_fixed",)}
_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
# One compact, key-sorted encoding: the audit digest's own (see accounts.audit._digest).
_json = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def utc(epoch: float) -> datetime:
    """Epoch seconds → aware UTC datetime, rounded to the microsecond the databases keep."""
    return _EPOCH_UTC + timedelta(microseconds=round(epoch * 1_000_000))


class Ids:
    """Next free id per table, read at the start of a transaction."""

    def __init__(self, start: dict[str, int]) -> None:
        self.next = dict(start)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


async def read_ids(conn: AsyncConnection) -> Ids:
    start = {}
    for name, table in TABLES.items():
        start[name] = int((await conn.scalar(select(func.max(table.c.id)))) or 0) + 1
    return Ids(start)


async def chain_end(conn: AsyncConnection) -> tuple[int, str]:
    """The newest link of the audit chain: its `seq` and hash (0 and the genesis hash when empty)."""
    found = (await conn.execute(select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.is_not(None))
                                .order_by(AuditEntry.seq.desc()).limit(1))).first()
    return (int(found[0] or 0), str(found[1])) if found else (0, audit.GENESIS)


def _str(value: str) -> str:
    return encode_basestring_ascii(value)  # what json.dumps writes for a str (ensure_ascii)


def _int(value: int | None) -> str:
    return "null" if value is None else str(value)


def sqlite_text(at: datetime, iso: str) -> str:
    """SQLAlchemy's SQLite text for a UTC time ("YYYY-MM-DD HH:MM:SS.ffffff"), from its isoformat()."""
    text_ = iso[:10] + " " + iso[11:-6]
    return text_ if at.microsecond else text_ + ".000000"


def chain(events: list[tuple[Any, ...]], ids: Ids, link: tuple[int, str], jurisdiction_id: int,
          actor_names: dict[int | None, str], *, sqlite: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Event rows in time order, each with its audit entry chained (seq, hash) after `link`.

    The digest is `accounts.audit._digest` computed from parts: the detail is encoded once and
    serves both the stored column and the digest body (tests hold the two definitions equal).
    """
    events.sort(key=lambda e: (e[0], e[1]))
    seq, prev_hash = link
    event_rows, audit_rows = [], []
    sha256 = hashlib.sha256
    jid = _int(jurisdiction_id)
    names = {k: _str(v) for k, v in actor_names.items()}
    for at_s, _seq, kind, incident_id, assignment_id, contact_id, actor_id, agency_ids, audience, payload, exercise \
            in events:
        at = utc(at_s)
        iso = at.isoformat()
        stored = sqlite_text(at, iso) if sqlite else at
        payload_json = _json(payload)
        if any(type(v) is float for v in payload.values()):
            detail_json = _json({k: v for k, v in payload.items() if not isinstance(v, float)})
        else:
            detail_json = payload_json
        event_rows.append({"id": ids.take("events"), "at": stored, "jurisdiction_id": jurisdiction_id, "kind": kind,
                           "incident_id": incident_id, "assignment_id": assignment_id, "contact_id": contact_id,
                           "actor_id": actor_id, "agency_ids": "[" + ",".join(map(str, agency_ids)) + "]",
                           "audience": audience, "is_exercise": exercise, "payload": payload_json})
        object_type, object_id = (("incident", str(incident_id)) if incident_id else
                                  ("contact", str(contact_id)) if contact_id else ("event", "-"))
        body = (f'{{"action":{_str(kind)},"actor_id":{_int(actor_id)},"actor_name":{names[actor_id]},'
                f'"at":"{iso}","detail":{detail_json},"jurisdiction_id":{jid},'
                f'"object_id":{_str(object_id)},"object_type":"{object_type}"}}')
        digest = sha256((prev_hash + body).encode()).hexdigest()
        seq += 1
        audit_rows.append({"id": ids.take("audit_log"), "at": stored, "actor_id": actor_id,
                           "actor_name": actor_names[actor_id], "jurisdiction_id": jurisdiction_id, "action": kind,
                           "object_type": object_type, "object_id": object_id, "detail": detail_json,
                           "seq": seq, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    return event_rows, audit_rows


class Writer:
    """Chunked executemany straight to the driver: rows arrive ready (ids, JSON text, times)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.columns = {name: [c.name for c in table.columns] for name, table in TABLES.items()}
        self.sql = {}
        for name, cols in self.columns.items():
            marks = ", ".join("?" if self.sqlite else f"${i + 1}" for i in range(len(cols)))
            self.sql[name] = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({marks})"  # noqa: S608 - our names

    def _time(self, value: float | datetime | str) -> Any:
        if isinstance(value, float | int):
            dt = utc(value)
            return sqlite_text(dt, dt.isoformat()) if self.sqlite else dt
        return value  # already in the database's form

    async def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        cols = self.columns[table]
        times = set(TIME_COLUMNS.get(table, ())) | ({"at"} if table in ("events", "audit_log") else set())
        flags = set(BOOLEAN_COLUMNS.get(table, ())) if self.sqlite else set()
        convert = [(i, self._time if c in times else _flag) for i, c in enumerate(cols) if c in times or c in flags]
        getter = itemgetter(*cols)
        sql = self.sql[table]
        for start in range(0, len(rows), CHUNK):
            params = []
            for row in rows[start:start + CHUNK]:
                values = list(getter(row))
                for i, f in convert:
                    v = values[i]
                    if v is not None:
                        values[i] = f(v)
                params.append(tuple(values))
            await self.conn.exec_driver_sql(sql, params)


def _flag(value: bool) -> int:
    return int(value)


async def save_counters(conn: AsyncConnection, jurisdiction_id: int, counters: Iterable[tuple[str, int]]) -> None:
    rows = [{"jurisdiction_id": jurisdiction_id, "day": day, "last": last} for day, last in counters]
    if not rows:
        return
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = dialect_insert(TicketCounter)
    stmt = stmt.on_conflict_do_update(index_elements=["jurisdiction_id", "day"], set_={"last": stmt.excluded.last})
    for i in range(0, len(rows), CHUNK):
        await conn.execute(stmt, rows[i:i + CHUNK])


async def fix_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL: serial sequences continue after the explicit ids."""
    if conn.dialect.name != "postgresql":
        return
    for name in TABLES:
        await conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - fixed table names
            f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {name}), 1))"))


async def hold_chain_lock(conn: AsyncConnection) -> None:
    """PostgreSQL: the audit chainer's lock, for the whole run (session level), so a running
    server's chainer waits instead of linking its entries in between ours."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": audit._CHAIN_LOCK})


async def release_chain_lock(conn: AsyncConnection) -> None:
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": audit._CHAIN_LOCK})


async def tune(conn: AsyncConnection) -> None:
    """A bigger page cache for the bulk load on SQLite."""
    if conn.dialect.name == "sqlite":
        await conn.exec_driver_sql("PRAGMA cache_size=-262144")


async def refresh_statistics(engine: AsyncEngine) -> None:
    """After a bulk load: planner statistics, and on PostgreSQL the visibility map too (VACUUM), so
    counts can be answered from indexes alone — what autovacuum would do later, done now."""
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM runs outside transactions
            for name in ("incidents", "contacts", "assignments", "feedback", "caller_blocks"):
                await conn.execute(text(f"VACUUM (ANALYZE) {name}"))
            for name in ("events", "audit_log"):
                await conn.execute(text(f"ANALYZE {name}"))
        else:
            await conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            await conn.exec_driver_sql("ANALYZE")
            await conn.commit()
