"""The reply outbox: due replies are swept up after an outage, each sent once, never early."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from cc112 import clock
from cc112.channels import outbound
from cc112.channels.models import SmsMessage
from cc112.geo.models import Jurisdiction
from tests.channels.conftest import SENDER_E164

pytestmark = pytest.mark.anyio


async def pending_reply(app, *, due_in: timedelta = timedelta(0), attempts: int = 1) -> int:  # type: ignore[no-untyped-def]
    """A reply left pending by an earlier outage (as after a restart)."""
    async with app.state.db.session_scope() as db:
        jur = await db.scalar(select(Jurisdiction).where(Jurisdiction.code == "72.01"))
        reply = SmsMessage(jurisdiction_id=jur.id, direction="outbound", recipient=SENDER_E164, kind="reply",
                           text="112 Banggai: Laporan diterima.", status="pending", flags=[], created_at=clock.now(),
                           attempts=attempts, next_attempt_at=clock.now() + due_in,
                           last_error="the gateway could not be reached (ConnectError)")
        db.add(reply)
        await db.flush()
        return reply.id


async def status_of(app, reply_id: int) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    async with app.state.db.session(write=False) as db:
        reply = await db.get(SmsMessage, reply_id)
        return reply.status, reply.attempts


async def test_a_sweep_sends_a_reply_left_pending_by_an_outage(app, settings, gateway):
    reply_id = await pending_reply(app)

    assert await outbound.sweep_once(app.state.db, settings) == 1

    assert await status_of(app, reply_id) == ("sent", 2)
    assert [r.body["to"] for r in gateway.received] == [SENDER_E164]


async def test_a_reply_is_not_tried_before_its_next_attempt_is_due(app, settings, gateway):
    reply_id = await pending_reply(app, due_in=timedelta(minutes=1))

    assert await outbound.sweep_once(app.state.db, settings) == 0
    clock.travel(timedelta(minutes=2))
    assert await outbound.sweep_once(app.state.db, settings) == 1

    assert (await status_of(app, reply_id))[0] == "sent" and len(gateway.received) == 1


async def test_two_senders_at_once_send_a_reply_only_once(app, settings, gateway):
    reply_id = await pending_reply(app)

    outcomes = await asyncio.gather(*(outbound.attempt(app.state.db, settings, reply_id) for _ in range(4)))

    assert sorted(o for o in outcomes if o) == ["sent"] and len(gateway.received) == 1


async def test_the_last_allowed_try_that_fails_marks_the_reply_failed(app, settings, gateway):
    gateway.fail_next = 1
    reply_id = await pending_reply(app, attempts=settings.sms_send_attempts - 1)

    await outbound.sweep_once(app.state.db, settings)

    assert await status_of(app, reply_id) == ("failed", settings.sms_send_attempts)
    assert gateway.received == []


@pytest.mark.sms_settings(sms_sweep_seconds=0.05)
async def test_the_app_runs_the_sweeper_in_the_background(app, gateway):
    reply_id = await pending_reply(app)

    for _ in range(100):
        if gateway.received:
            break
        await asyncio.sleep(0.05)

    assert len(gateway.received) == 1 and (await status_of(app, reply_id))[0] == "sent"
