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
from cc112.events.feed import PAGE, Position

router = APIRouter(prefix="/api/v1", tags=["events"])


def _frame(message: dict[str, Any], resume_from: int) -> dict[str, str]:
    # The SSE id is where to resume, which is the event's own id unless it arrived late.
    data = message.get("_json") or json.dumps(message, separators=(",", ":"))
    return {"id": str(resume_from), "event": message["kind"], "data": data}


@router.get("/events/stream")
async def stream_events(
    request: Request, user: CurrentUser, database: AppDatabase, settings: AppSettings,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
    after: Annotated[int | None, Query(ge=0, description="resume after this event id")] = None,
) -> EventSourceResponse:
    """Live events you may see; send Last-Event-ID (or ?after=) to replay what you missed."""
    policy.require(user, "events.stream")
    feed = request.app.state.feed
    subscription = feed.subscribe()  # before the replay: nothing falls between the two
    start: int | None = after
    if last_event_id is not None and last_event_id.strip().isdigit():
        start = int(last_event_id)

    async def generate() -> AsyncIterator[dict[str, str]]:
        try:
            if start is None:
                async with database.session(write=False) as session:
                    position = Position(await events.last_id(session))
            else:
                position = Position(start)
                cursor = start
                while True:  # what this client missed, from the table
                    async with database.session(write=False) as session:
                        page = await events.replay(session, user=user, after_id=cursor, limit=PAGE)
                    for message in page:
                        if position.take(message["id"]) and events.can_see(user, message):
                            yield _frame(message, position.high)
                    if len(page) < PAGE:
                        break
                    cursor = page[-1]["id"]
            # The id lets a client that has received nothing yet resume from here too.
            yield {"id": str(position.high), "event": "ready", "data": json.dumps({"after": position.high})}
            while True:
                message = await subscription.get()
                if subscription.overflowed:
                    return  # too far behind: the client reconnects with Last-Event-ID and replays
                position.settle()
                if position.take(message["id"]) and events.can_see(user, message):
                    yield _frame(message, position.high)
        finally:
            feed.unsubscribe(subscription)

    return EventSourceResponse(generate(), ping=int(settings.sse_ping_seconds), headers={"X-Accel-Buffering": "no"})
