"""Event bus: fan-out of committed events to live subscribers (in-process or Redis)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)
CHANNEL = "cc112:events"


class Subscription:
    """A subscriber's queue; `overflowed` is set when it fell too far behind."""

    def __init__(self, maxsize: int = 2000) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=maxsize)
        self.overflowed = False

    def offer(self, message: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            # The client replays from the Event table when it reconnects.
            self.overflowed = True

    async def get(self) -> dict[str, Any]:
        return await self.queue.get()


class Fanout:
    """Subscribers and the delivery of a message to each (the bus, and each instance's event feed)."""

    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()

    def subscribe(self) -> Subscription:
        sub = Subscription()
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def _fanout(self, message: dict[str, Any]) -> None:
        for sub in list(self._subscribers):
            sub.offer(message)


class LocalBus(Fanout):
    """In-process bus: one instance, no services needed."""

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._subscribers.clear()

    async def publish(self, message: dict[str, Any]) -> None:
        self._fanout(message)


class RedisBus(LocalBus):
    """Redis pub/sub: every instance publishes to one channel and fans out what it hears."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        super().__init__()
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(url, decode_responses=True)
        self._channel = channel
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="cc112-redis-bus")
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._redis.aclose()
        await super().stop()

    async def _listen(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(self._channel)
                self._ready.set()
                async for raw in pubsub.listen():
                    if raw.get("type") == "message":
                        self._fanout(json.loads(raw["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # a lost bus never loses data: clients replay from the table
                log.exception("redis bus listener failed; retrying in 1 s")
                await asyncio.sleep(1)

    async def publish(self, message: dict[str, Any]) -> None:
        try:
            await self._redis.publish(self._channel, json.dumps(message))
        except Exception:
            log.exception("redis publish failed; delivering locally only")
            self._fanout(message)


def make_bus(redis_url: str | None) -> LocalBus:
    return RedisBus(redis_url) if redis_url else LocalBus()


async def publish_pending(session: AsyncSession) -> None:
    """After commit: hand the session's new events to the bus."""
    from cc112.events.service import event_to_dict

    pending = session.info.pop("pending_events", [])
    bus: LocalBus | None = session.info.get("bus")
    if not pending or bus is None:
        return
    for ev in pending:
        await bus.publish(event_to_dict(ev))
