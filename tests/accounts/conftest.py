"""Fixtures for the authorization tests: a Banggai scene built by the operator, any persona's client,
and a raw ASGI call for the live event stream (which never ends by itself)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.conftest import LUWUK_FIRE

CALLER = "0812-3456-7890"
CALLER_E164 = "+6281234567890"
CALLER_MASKED = "+62812****7890"
SMS_SECRET = "accounts-test-sms-secret"


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    """The harness's settings with the SMS channel configured, so its webhook answers for itself."""
    return settings.model_copy(update={"sms_secret": SMS_SECRET, "sms_sweep_seconds": 0})


@pytest.fixture
async def as_persona(login, anon):  # type: ignore[no-untyped-def]
    """as_persona("leader") -> that persona's client; "anonymous" -> a client without credentials."""

    async def _client(name: str) -> httpx.AsyncClient:
        return anon if name == "anonymous" else await login(name)

    return _client


@pytest.fixture
async def polres_dispatcher(login):  # type: ignore[no-untyped-def]
    return await login("polres_dispatcher")


@pytest.fixture
async def scene(operator, dispatched_fire) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A Banggai fire with Damkar and PSC 119 dispatched, a second (duplicate) report and a phone contact."""
    contact = await operator.post(
        "/api/v1/contacts",
        json={
            "channel": "phone",
            "caller_number": CALLER,
            "caller_name": "Budi Santoso",
            "summary": "asap tebal dari rumah tetangga",
        },
    )
    assert contact.status_code == 201, contact.text
    duplicate = await operator.post("/api/v1/incidents", json={**LUWUK_FIRE, "description": "laporan kedua"})
    assert duplicate.status_code == 201, duplicate.text
    return {
        "incident_id": dispatched_fire["id"],
        "ticket": dispatched_fire["ticket"],
        "assignment_id": dispatched_fire["assignments"]["DAMKAR"]["id"],
        "damkar_assignment": dispatched_fire["assignments"]["DAMKAR"]["id"],
        "psc_assignment": dispatched_fire["assignments"]["PSC119"]["id"],
        "duplicate_id": duplicate.json()["id"],
        "contact_id": contact.json()["id"],
        "number": CALLER_E164,
    }


async def asgi_stream(
    app,
    path: str,
    headers: dict[str, str],
    *,  # type: ignore[no-untyped-def]
    until: bytes = b"event: ready",
    seconds: float = 10.0,
) -> httpx.Response:
    """GET a streaming route straight through ASGI; disconnect once `until` arrives (or the body ends).

    httpx's ASGITransport waits for the whole body, which a live event stream never finishes.
    """
    path_only, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path_only,
        "raw_path": path_only.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()] + [(b"host", b"cc112.test")],
        "client": ("127.0.0.1", 50000),
        "server": ("cc112.test", 80),
    }
    status = 0
    response_headers: list[tuple[bytes, bytes]] = []
    body = bytearray()
    done = asyncio.Event()
    request_sent = False

    async def receive() -> dict[str, Any]:
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            response_headers.extend(message.get("headers", []))
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))
            if not message.get("more_body") or until in body:
                done.set()

    await asyncio.wait_for(app(scope, receive, send), timeout=seconds)
    return httpx.Response(status, headers=response_headers, content=bytes(body))
