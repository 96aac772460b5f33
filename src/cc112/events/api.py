"""Live events over Server-Sent Events, resuming from Last-Event-ID."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from sse_starlette.sse import EventSourceResponse

from cc112.accounts import policy
from cc112.accounts.models import User
from cc112.deps import AppDatabase, AppSettings, CurrentUser
from cc112.events import service as events
from cc112.events.bus import Subscription

router = APIRouter(prefix="/api/v1", tags=["events"])


def _frame(message: dict[str, Any]) -> dict[str, str]:
    return {"id": str(message["id"]), "event": message["kind"], "data": json.dumps(message, separators=(",", ":"))}


async def _news(subscription: Subscription, user: User, cursor: int) -> None:
    """Wait until the bus announces an event after `cursor` that this user may see."""
    while True:
        message = await subscription.get()
        if subscription.overflowed:  # announcements were dropped: look at the table anyway
            subscription.overflowed = False
            return
        if message["id"] > cursor and events.can_see(user, message):
            return


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
            cursor = start
            if cursor is None:
                async with database.session(write=False) as session:
                    cursor = await events.last_id(session)
            announced = False
            while True:
                # The table is the truth: send what was committed after the cursor, in id order.
                # Event ids commit in order (writers serialise on the audit chain before inserting
                # events), so nothing can appear behind the cursor later. Bus messages only say
                # when to look: they may arrive out of order, twice, from elsewhere, or be dropped.
                while True:
                    async with database.session(write=False) as session:
                        page = await events.replay(session, user=user, after_id=cursor)
                    for message in page:
                        cursor = message["id"]
                        if events.can_see(user, message):
                            yield _frame(message)
                    if len(page) < 500:
                        break
                if not announced:
                    announced = True
                    # The id lets a client that has received nothing yet resume from here too.
                    yield {"id": str(cursor), "event": "ready", "data": json.dumps({"after": cursor})}
                await _news(subscription, user, cursor)
        finally:
            bus.unsubscribe(subscription)

    return EventSourceResponse(generate(), ping=int(settings.sse_ping_seconds), headers={"X-Accel-Buffering": "no"})
