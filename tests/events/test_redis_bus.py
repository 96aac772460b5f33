"""Several app instances share live events through Redis pub/sub."""

from __future__ import annotations

import asyncio
import random
import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cc112.events.bus import RedisBus
from tests.conftest import LUWUK_FIRE, PASSWORD, REDIS_URL, requires_redis
from tests.events.live import ProcessServer, SSEClient

pytestmark = [pytest.mark.anyio, requires_redis, pytest.mark.redis]
WAIT = 15


async def test_two_redis_buses_in_one_process_deliver_to_each_other_once():
    assert REDIS_URL
    channel = f"cc112:test:{uuid.uuid4().hex}"
    a, b = RedisBus(REDIS_URL, channel=channel), RedisBus(REDIS_URL, channel=channel)
    await a.start()
    await b.start()
    try:
        on_a, on_b = a.subscribe(), b.subscribe()
        message = {"id": 7, "kind": "incident.created", "jurisdiction_id": 1, "payload": {"ticket": "BGI-1"}}
        await a.publish(message)
        assert await asyncio.wait_for(on_b.get(), WAIT) == message  # the other instance hears it
        assert await asyncio.wait_for(on_a.get(), WAIT) == message  # and the publisher's own clients too
        await b.publish({**message, "id": 8})
        assert (await asyncio.wait_for(on_a.get(), WAIT))["id"] == 8
        assert (await asyncio.wait_for(on_b.get(), WAIT))["id"] == 8
        await asyncio.sleep(0.3)
        assert on_a.queue.empty() and on_b.queue.empty()  # each message once, not echoed twice
    finally:
        await a.stop()
        await b.stop()


async def test_a_bus_on_another_channel_hears_nothing():
    assert REDIS_URL
    a = RedisBus(REDIS_URL, channel=f"cc112:test:{uuid.uuid4().hex}")
    b = RedisBus(REDIS_URL, channel=f"cc112:test:{uuid.uuid4().hex}")
    await a.start()
    await b.start()
    try:
        on_b = b.subscribe()
        await a.publish({"id": 1, "kind": "x", "jurisdiction_id": 1})
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(on_b.get(), 0.5)
    finally:
        await a.stop()
        await b.stop()


@pytest.fixture
async def two_instances(db_url: str, tmp_path: Path) -> AsyncIterator[tuple[ProcessServer, ProcessServer]]:
    """Two `cc112 serve` processes on one database and one Redis, as behind a load balancer."""
    assert REDIS_URL
    env = {
        "CC112_DATABASE_URL": db_url, "CC112_REDIS_URL": REDIS_URL, "CC112_SECRET_KEY": secrets.token_urlsafe(40),
        "CC112_ENV": "test", "CC112_RATE_LIMIT_PER_MINUTE": "100000", "CC112_DEADLINE_SWEEP_SECONDS": "0",
    }
    servers: list[ProcessServer] = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            servers.append(ProcessServer({**env, "CC112_DATA_DIR": str(tmp_path / name)}, tmp_path, name))
        for server in servers:
            ready = await server.wait_ready()
            assert ready["bus"] == "RedisBus", ready
        yield servers[0], servers[1]
    finally:
        for server in servers:
            await server.stop()


async def _login(server: ProcessServer, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=server.url, timeout=20)
    response = await client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


def _token(client: httpx.AsyncClient) -> str:
    return str(client.headers["Authorization"].split(" ", 1)[1])


async def test_an_incident_created_on_instance_a_reaches_a_console_on_instance_b(two_instances):
    a, b = two_instances
    operator_on_a = await _login(a, "operator")
    damkar_on_b = await _login(b, "damkar_dispatcher")
    clients = [operator_on_a, damkar_on_b]
    streams: list[SSEClient] = []
    try:
        on_b = await SSEClient(b.url, _token(damkar_on_b)).__aenter__()
        streams.append(on_b)
        await on_b.ready()
        # A position of its own, so events of other test runs on this Redis cannot be mistaken for ours.
        lat, lon = round(-0.951 + random.uniform(-0.01, 0.01), 6), round(122.787 + random.uniform(-0.01, 0.01), 6)
        created = await operator_on_a.post("/api/v1/incidents", json={**LUWUK_FIRE, "lat": lat, "lon": lon})
        assert created.status_code == 201, created.text
        fire = created.json()

        def ours(kind: str) -> Any:
            return lambda f: (f.event == kind and f.incident_id == fire["id"]
                              and f.data["payload"].get("ticket") == fire["ticket"])

        try:
            heard_on_b = await on_b.until(
                lambda f: ours("incident.created")(f) and f.data["payload"]["lat"] == lat, WAIT)
        except TimeoutError:
            pytest.fail(f"instance B never heard of the incident.\nA log:\n{a.log()}\nB log:\n{b.log()}")
        assert heard_on_b[-1].data["payload"]["ticket"] == fire["ticket"]

        # Dispatching on A reaches Damkar on B; Damkar's acknowledgement on B reaches a console on A.
        on_a = await SSEClient(a.url, _token(operator_on_a)).__aenter__()
        streams.append(on_a)
        await on_a.ready()
        dispatched = await operator_on_a.post(f"/api/v1/incidents/{fire['id']}/dispatch", json={"agencies": ["DAMKAR"]})
        assert dispatched.status_code == 201, dispatched.text
        assignment = dispatched.json()[0]
        requested = (await on_b.until(ours("assignment.requested"), WAIT))[-1]
        assert requested.data["assignment_id"] == assignment["id"]
        acked = await damkar_on_b.post(f"/api/v1/assignments/{assignment['id']}/status",
                                       json={"status": "acknowledged"})
        assert acked.status_code == 200, acked.text
        heard = await on_a.until(ours("assignment.acknowledged"), WAIT)
        assert heard[-1].data["assignment_id"] == assignment["id"]
        timeline_ids = [e["id"] for e in (await operator_on_a.get(f"/api/v1/incidents/{fire['id']}/timeline")).json()]
        assert heard[-1].id in timeline_ids  # the live event is the committed row, same id on every instance
    finally:
        for stream in streams:
            await stream.close()
        for client in clients:
            await client.aclose()
