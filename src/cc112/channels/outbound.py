"""Replies to senders: an outbox in sms_messages, sent after the commit, retried, never lost.

`queue` adds a pending row in the request's transaction. After the commit, `deliver` sends it
(retrying with a doubling delay) and `run_forever` picks up whatever is still due — after a
gateway outage or a restart. Each try first claims the row with a compare-and-set on its
attempt counter, so two instances never send the same reply twice at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.channels import signing
from cc112.channels.models import SmsMessage
from cc112.clock import now
from cc112.config import Settings
from cc112.db import Database
from cc112.events import service as events

log = logging.getLogger("cc112.channels.sms")
SWEEP_BATCH = 50


async def queue(db: AsyncSession, *, inbound: SmsMessage, text: str) -> SmsMessage:
    """Add a reply to `inbound` to the outbox (sent after the commit)."""
    reply = SmsMessage(
        jurisdiction_id=inbound.jurisdiction_id, direction="outbound", recipient=inbound.sender, text=text,
        kind="reply", status="pending", flags=[], created_at=now(), contact_id=inbound.contact_id,
        incident_id=inbound.incident_id, reply_to_id=inbound.id, attempts=0, next_attempt_at=now(),
    )
    db.add(reply)
    await db.flush()
    return reply


def _delay(settings: Settings, attempts: int) -> float:
    return float(settings.sms_retry_seconds * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Claimed:
    """One try at one reply, taken by this process."""

    id: int
    recipient: str | None
    text: str
    attempts: int


async def _claim(database: Database, message_id: int, settings: Settings) -> Claimed | None:
    """Take the next try of a due reply (compare-and-set), or None when it is not ours to send."""
    async with database.session_scope() as db:
        current = await db.get(SmsMessage, message_id)
        at = now()
        if current is None or current.status != "pending" or (current.next_attempt_at and current.next_attempt_at > at):
            return None
        claimed = Claimed(current.id, current.recipient, current.text, current.attempts + 1)
        lease = at + timedelta(seconds=settings.sms_timeout_seconds + 5)  # due again if this process dies
        result = await db.execute(
            update(SmsMessage)
            .where(SmsMessage.id == message_id, SmsMessage.status == "pending",
                   SmsMessage.attempts == claimed.attempts - 1)
            .values(attempts=claimed.attempts, next_attempt_at=lease)
            .execution_options(synchronize_session=False)
        )
        return claimed if result.rowcount == 1 else None  # type: ignore[attr-defined]


async def _post(settings: Settings, reply: Claimed) -> str | None:
    """Hand one reply to the gateway; None when it accepted, else why not (a sentence)."""
    if not settings.sms_outbound_url:
        return "no outbound gateway is configured (CC112_SMS_OUTBOUND_URL is empty)"
    body = json.dumps({"to": reply.recipient, "text": reply.text, "reference": f"cc112-sms-{reply.id}"}).encode()
    headers = {"content-type": "application/json"}
    if settings.sms_secret:
        headers[signing.HEADER] = signing.sign(settings.sms_secret, body)
    try:
        async with httpx.AsyncClient(timeout=settings.sms_timeout_seconds) as client:
            response = await client.post(settings.sms_outbound_url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return f"the gateway could not be reached ({type(exc).__name__})"
    if response.is_success:
        return None
    return f"the gateway answered HTTP {response.status_code}"


async def _record(database: Database, reply: Claimed, error: str | None, settings: Settings) -> str:
    """Store the outcome of one try; a reply that ran out of tries is failed, and the console told."""
    async with database.session_scope() as db:
        row = await db.get(SmsMessage, reply.id, populate_existing=True)
        assert row is not None
        at = now()
        if error is None:
            row.status, row.delivered_at, row.last_error, row.next_attempt_at = "sent", at, None, None
            return row.status
        row.last_error = error[:300]
        no_url = not settings.sms_outbound_url
        if row.attempts >= settings.sms_send_attempts or no_url:
            row.status, row.next_attempt_at = "failed", None
            await events.record(
                db, kind="sms.reply_failed", jurisdiction_id=row.jurisdiction_id, actor=None,
                contact_id=row.contact_id, incident_id=row.incident_id, audience="intake",
                payload={"sms_id": row.id, "attempts": row.attempts, "error": row.last_error},
            )
        else:
            row.next_attempt_at = at + timedelta(seconds=_delay(settings, row.attempts))
        log.warning("SMS reply %s try %s not sent: %s", row.id, row.attempts, error)
        return row.status


async def attempt(database: Database, settings: Settings, message_id: int) -> str | None:
    """One try at sending a due reply; its status afterwards (None when it was not ours to try)."""
    reply = await _claim(database, message_id, settings)
    if reply is None:
        return None
    return await _record(database, reply, await _post(settings, reply), settings)


async def deliver(*, database: Database, settings: Settings, message_id: int) -> None:
    """Send a reply now, retrying with a doubling delay (runs after the request's commit)."""
    try:
        for tries in range(1, settings.sms_send_attempts + 1):
            status = await attempt(database, settings, message_id)
            if status != "pending":
                return
            await asyncio.sleep(_delay(settings, tries))
    except Exception:  # the sweeper will find the reply again; the request is long answered
        log.exception("SMS reply %s: delivery stopped", message_id)


async def sweep_once(database: Database, settings: Settings) -> int:
    """Try every reply that is due (after an outage or a restart); how many were tried."""
    async with database.session(write=False) as db:
        due = list(await db.scalars(
            select(SmsMessage.id)
            .where(SmsMessage.direction == "outbound", SmsMessage.status == "pending",
                   SmsMessage.next_attempt_at <= now())
            .order_by(SmsMessage.next_attempt_at).limit(SWEEP_BATCH)
        ))
    for message_id in due:
        await attempt(database, settings, message_id)
    return len(due)


async def run_forever(database: Database, settings: Settings) -> None:
    """The outbox sweeper: every `sms_sweep_seconds`, retry what is due."""
    while True:
        await asyncio.sleep(settings.sms_sweep_seconds)
        try:
            await sweep_once(database, settings)
        except asyncio.CancelledError:
            raise
        except Exception:  # a broken sweep must not end the loop
            log.exception("SMS outbox sweep failed")
