"""Analytics fixtures: a fixed "now" (15 December 2026, 12:00 WITA) and the October history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cc112 import clock
from tests.analytics import history


@pytest.fixture(autouse=True)
def frozen_now(_reset_clock: None) -> Iterator[None]:
    """Move the app clock to NOW before anyone logs in (tokens are issued on the moved clock)."""
    clock.travel(history.NOW - clock.now())
    yield


@pytest.fixture
async def october(app, login):  # type: ignore[no-untyped-def]
    """The October 2026 history of history.py, with DAMKAR's P1 target changed from 16 October on
    (by an administrator, through the API). Returns the ids of everything built."""
    admin = await login("admin")
    response = await admin.post("/api/v1/agencies/DAMKAR/targets", json={
        "priority": 1, "acknowledge_seconds": 120, "on_scene_seconds": 900, "resolve_seconds": 10800,
        "valid_from": "2026-10-16"})
    assert response.status_code == 201, response.text
    async with app.state.db.session_scope() as db:
        ids = await history.reference(db)
        await history.add_incidents(db, ids, history.october_specs())
        await history.add_feedback(db, ids, history.OCTOBER_RATINGS)
        await history.october_contacts(db, ids)
    return ids
