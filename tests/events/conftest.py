"""A real uvicorn server per test (in a thread), on the test's own database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from cc112.config import Settings
from cc112.db import Database
from tests.conftest import REDIS_URL, requires_redis
from tests.events.live import Live, ThreadServer


@pytest.fixture(params=["local", pytest.param("redis", marks=requires_redis)])
def bus_kind(request: pytest.FixtureRequest) -> str:
    """Every live test runs on the in-process bus and, when Redis is there, on Redis pub/sub.

    (Test modules using this need a module-level `pytestmark = pytest.mark.anyio`: the root
    conftest adds the anyio mark too late for parametrized async tests.)
    """
    return str(request.param)


@pytest.fixture
async def live(settings: Settings, bus_kind: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Live]:
    from cc112 import app as app_module
    from cc112.app import create_app
    from cc112.events.bus import LocalBus, RedisBus
    from cc112.geo.service import kecamatan_index

    if bus_kind == "redis":
        assert REDIS_URL
        channel = f"cc112:test:{uuid.uuid4().hex}"  # no cross-talk with other test runs on this Redis
        monkeypatch.setattr(app_module, "make_bus", lambda _url: RedisBus(REDIS_URL, channel=channel))
    else:
        monkeypatch.setattr(app_module, "make_bus", lambda _url: LocalBus())
    kecamatan_index._by_jurisdiction.clear()
    server = ThreadServer(create_app(settings))
    await server.start()
    database = Database(settings)
    harness = Live(server, settings, database)
    try:
        yield harness
    finally:
        await harness.close()
        await server.stop()
        await database.dispose()
