"""One event feed per app instance: the table is the truth, the bus only says when to look.

On PostgreSQL an event takes its id when inserted but becomes visible when its transaction
commits, so a lower id can appear after a higher one. The feed re-reads from the last id it
knows is settled and treats an id as settled once it has known it for SETTLE_SECONDS. It reads
the table once per wake-up for the whole instance and hands new events to every local stream,
so a change costs one query per instance, not one per connected console.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from sqlalchemy import select

from cc112.events.bus import Fanout, LocalBus
from cc112.events.models import Event
from cc112.events.service import event_to_dict, last_id

log = logging.getLogger(__name__)
SETTLE_SECONDS = 10.0
POLL_SECONDS = 1.0  # also look without an announcement: a lost bus never loses data
PAGE = 500


class Position:
    """What has been handled: every id up to `low`, and the `seen` ids above it."""

    def __init__(self, low: int) -> None:
        self.low = low
        self.high = low
        self._seen: dict[int, float] = {}

    def take(self, event_id: int) -> bool:
        """Mark an id as handled; False when it already was."""
        if self.handled(event_id):
            return False
        self._seen[event_id] = time.monotonic()
        self.high = max(self.high, event_id)
        return True

    def settle(self) -> None:
        cutoff = time.monotonic() - SETTLE_SECONDS
        for event_id in sorted(self._seen):
            if self._seen[event_id] > cutoff:
                break
            self.low = event_id
            del self._seen[event_id]

    def handled(self, event_id: int) -> bool:
        return event_id <= self.low or event_id in self._seen


class EventFeed(Fanout):
    def __init__(self, database: Any, bus: LocalBus) -> None:
        super().__init__()
        self.database = database
        self.bus = bus
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.position: Position | None = None

    async def start(self) -> None:
        try:
            await self._begin()
        except Exception:  # the database may be down at start-up: begin on the first good read
            log.warning("event feed starts without the database; it will catch up when it answers")
        self._announcements = self.bus.subscribe()
        self._tasks = [asyncio.create_task(self._listen(), name="cc112-feed-listen"),
                       asyncio.create_task(self._run(), name="cc112-feed-read")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.bus.unsubscribe(self._announcements)

    async def _listen(self) -> None:
        while True:
            await self._announcements.get()
            self._announcements.overflowed = False
            self._wake.set()

    async def _run(self) -> None:
        last_sweep = time.monotonic()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)
            self._wake.clear()
            # An announcement reads only what is newer than anything seen (cheap); once a second
            # the feed re-reads the settle window for events that committed late.
            sweep = time.monotonic() - last_sweep >= POLL_SECONDS
            if sweep:
                last_sweep = time.monotonic()
            try:
                await self._read(sweep=sweep)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be briefly away; try again on the next wake-up
                log.exception("event feed could not read the events table")

    async def _begin(self) -> None:
        async with self.database.session(write=False) as session:
            self.position = Position(await last_id(session))

    async def _read(self, *, sweep: bool = True) -> None:
        if self.position is None:
            await self._begin()
        assert self.position is not None
        position = self.position
        position.settle()
        after = position.low if sweep else position.high
        while True:
            async with self.database.session(write=False) as session:
                rows = list(await session.scalars(select(Event).where(Event.id > after).order_by(Event.id).limit(PAGE)))
            for ev in rows:
                if position.take(ev.id):
                    message = event_to_dict(ev)
                    # Encoded once here, not once per connected console.
                    message["_json"] = json.dumps(message, separators=(",", ":"))
                    self._fanout(message)
            if len(rows) < PAGE:
                return
            after = rows[-1].id
