"""Dashboard tests: the app's database with about 13 months of history in it; the browser fixtures
of tests/web (live server, headless Chromium, screenshots) for the browser test."""

from __future__ import annotations

import pytest

from tests.analytics_web.history import History, seed_history
from tests.web.conftest import browser, live_db_url, live_server, shots, start_server, ui  # noqa: F401


@pytest.fixture
async def history(app) -> History:  # type: ignore[no-untyped-def]
    async with app.state.db.session_scope() as session:
        return await seed_history(session)
