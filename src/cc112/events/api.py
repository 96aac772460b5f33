"""Live events over Server-Sent Events, resuming from Last-Event-ID."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from sse_starlette.sse import EventSourceResponse

from cc112.accounts import policy
from cc112.deps import AppDatabase, AppSettings, CurrentUser
from cc112.events import service as events

router = APIRouter(prefix="/api/v1", tags=["events"])


def _frame(message: dict[str, Any]) -> dict[str, str]:
    return {"id": str(message["id"]), "event": message["kind"], "data": json.dumps(message, separators=(",", ":"))}


@router.get("/events/stream")
async def stream_events(
    request: Request, user: CurrentUser, database: AppDatabase, settings: AppSettings,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
    after: Annotated[int | None, Query(ge=0, description="resume after this event id")] = None,
) -> EventSourceResponse:
    """Live events you may see; send Last-Event-ID (or ?after=) to replay what you missed."""
    policy.require(user, "events.stream")
    bus = request.app.state.bus
    subscription = bus.subscribe()  # subscribe before replaying: nothing falls between the two
    start: int | None = after
    if last_event_id is not None and last_event_id.strip().isdigit():
        start = int(last_event_id)

    async def generate() -> AsyncIterator[dict[str, str]]:
        try:
            replayed: set[int] = set()
            cursor = start
            if cursor is None:
                async with database.session(write=False) as session:
                    cursor = await events.last_id(session)
            else:
                while True:
                    async with database.session(write=False) as session:
                        page = await events.replay(session, user=user, after_id=cursor)
                    for message in page:
                        replayed.add(message["id"])
                        cursor = message["id"]
                        if events.can_see(user, message):
                            yield _frame(message)
                    if len(page) < 500:
                        break
            floor = cursor if start is None else start
            # The id lets a client that has received nothing yet resume from here too.
            yield {"id": str(cursor), "event": "ready", "data": json.dumps({"after": cursor})}
            while True:
                message = await subscription.get()
                if subscription.overflowed:
                    # This client fell behind and the bus dropped events for it: end the stream so
                    # it reconnects with Last-Event-ID and replays them from the table.
                    return
                if message["id"] in replayed or message["id"] <= (floor or 0):
                    continue
                if events.can_see(user, message):
                    yield _frame(message)
        finally:
            bus.unsubscribe(subscription)

    return EventSourceResponse(generate(), ping=int(settings.sse_ping_seconds), headers={"X-Accel-Buffering": "no"})
