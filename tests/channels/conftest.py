"""SMS channel fixtures: a local gateway, signed posts, settings per test (@pytest.mark.sms_settings)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cc112.channels import signing
from cc112.config import Settings, load_settings
from tests.channels import gateway as local_gateway

SECRET = "test-sms-secret-shared-with-the-gateway"
SENDER = "0812-3456-7890"
SENDER_E164 = "+6281234567890"
# Every way the sender's number could leak into an event or a log line.
SENDER_FORMS = ("+6281234567890", "6281234567890", "081234567890", "81234567890", "0812-3456-7890")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sms_settings(**overrides): settings for the SMS channel in this test")


@pytest.fixture(scope="session")
def gateway_server() -> Iterator[local_gateway.Gateway]:
    gateway, server = local_gateway.start()
    yield gateway
    server.shutdown()
    server.server_close()


@pytest.fixture
def gateway(gateway_server: local_gateway.Gateway) -> local_gateway.Gateway:
    """The local gateway, emptied for this test."""
    with gateway_server.lock:
        gateway_server.received.clear()
        gateway_server.fail_next = 0
    return gateway_server


@pytest.fixture
def settings(db_url: str, tmp_path: Path, gateway: local_gateway.Gateway, request: pytest.FixtureRequest) -> Settings:
    overrides: dict[str, Any] = {
        "sms_secret": SECRET, "sms_outbound_url": gateway.url, "sms_retry_seconds": 0.01,
        "sms_sweep_seconds": 0, "sms_timeout_seconds": 3,
    }
    marker = request.node.get_closest_marker("sms_settings")
    if marker is not None:
        overrides.update(marker.kwargs)
    return load_settings(database_url=db_url, data_dir=tmp_path, env="test", rate_limit_per_minute=100000,
                         deadline_sweep_seconds=0, **overrides)


_ids = iter(range(1, 10**9))


def sms_body(text: str, *, sender: str = SENDER, message_id: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"message_id": message_id or f"gw-{next(_ids)}", "sender": sender, "text": text,
            "sent_at": "2026-11-28T10:15:00+08:00", **extra}


async def post_sms(client: httpx.AsyncClient, body: dict[str, Any], *, secret: str | None = SECRET,
                   form: bool = False) -> httpx.Response:
    """POST to the webhook as the gateway does: raw body signed with the shared secret."""
    if form:
        raw = httpx.QueryParams(body).__str__().encode()
        headers = {"content-type": "application/x-www-form-urlencoded"}
    else:
        raw = json.dumps(body).encode()
        headers = {"content-type": "application/json"}
    if secret is not None:
        headers[signing.HEADER] = signing.sign(secret, raw)
    return await client.post("/channels/sms/inbound", content=raw, headers=headers)


@pytest.fixture
def send(anon):  # type: ignore[no-untyped-def]
    """send("112 KEBAKARAN …") -> the webhook's response (signed JSON from SENDER)."""

    async def _send(text: str, **kwargs: Any) -> httpx.Response:
        form = kwargs.pop("form", False)
        return await post_sms(anon, sms_body(text, **kwargs), form=form)

    return _send


@pytest.fixture
def query(app):  # type: ignore[no-untyped-def]
    """query(select(...)) -> all rows, read in a fresh session."""

    async def _query(stmt: Any) -> list[Any]:
        async with app.state.db.session(write=False) as session:
            return list((await session.execute(stmt)).scalars().all())

    return _query


__all__ = ["SECRET", "SENDER", "SENDER_E164", "SENDER_FORMS", "post_sms", "select", "sms_body"]
