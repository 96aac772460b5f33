"""Open311 clients from PyPI against a real server on 127.0.0.1.

`civicbot` files the request (after checking it against our live service list and definition)
and reads it back with its token; `georeport` reads services, definitions and requests in JSON
and XML. (`open311` 1.1 and `three` 0.8, the older clients on PyPI, do not import on Python 3.)
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
import uvicorn
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

from cc112.config import Settings
from tests.open311.conftest import FIRE, REQUEST_FIELDS, SERVICE_FIELDS, W3_WITH_OFFSET


class LiveServer:
    """The app under real uvicorn, in a thread with its own event loop; every wait is bounded."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", ws="none",
                                                    timeout_graceful_shutdown=3))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    async def __aenter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self.thread.is_alive(), "the server thread stopped during start-up"
            assert time.monotonic() < deadline, "the server did not start within 30 s"
            await anyio.sleep(0.02)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        await anyio.to_thread.run_sync(self.thread.join, 15)
        self.sock.close()


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    from cc112.app import create_app
    from cc112.geo.service import kecamatan_index

    assert settings.deadline_sweep_seconds == 0
    kecamatan_index._by_jurisdiction.clear()  # ids differ between databases
    async with LiveServer(create_app(settings)) as server:
        yield server


def georeport_session(root: str) -> dict[str, Any]:
    """What a citizen's app does: pick a service, read its form, file, then follow the request."""
    json_client = GeoReport(root, jurisdiction="72.01", output_format="json")
    xml_client = GeoReport(root, jurisdiction="72.01", output_format="xml")
    services = json_client.get_service_list()
    definition = xml_client.get_service_definition("kebakaran_bangunan")
    # No API key is needed to file here (the endpoint limits filing per IP and per number instead).
    filer = Open311Client(Endpoint(id="cc112", name="Command Center 112 Banggai", base_url=root, write=True,
                                   api_key_required_for_write=False), jurisdiction_id="72.01")
    filed = filer.create_request(
        FIRE["service_code"], dry_run=False, confirm="SEND", validate_remote=True,  # checks our service definition
        lat=float(FIRE["lat"]), lng=float(FIRE["long"]), address_string=FIRE["address_string"],
        description=FIRE["description"], attributes={"people_involved": "2"},
        phone="081234567890", first_name="Ahmad", last_name="Pratama").response
    ticket = filed[0]["service_request_id"]
    return {
        "services": services, "xml_services": xml_client.get_service_list(), "definition": definition,
        "filed": filed, "one_json": json_client.get_service_request(ticket),
        "one_xml": xml_client.get_service_request(ticket), "one_filer": filer.get_request(ticket),
        "list_json": json_client.get_service_requests(service_code="kebakaran_bangunan", status="open"),
        "list_xml": xml_client.get_service_requests(service_request_id=ticket),
        "token": filer.get_token(filed[0]["token"]),
    }


async def test_a_pypi_open311_client_files_and_follows_a_request(live):
    seen = await anyio.to_thread.run_sync(georeport_session, f"{live.url}/open311/v2")
    assert any(s["service_code"] == "kebakaran_bangunan" for s in seen["services"])
    assert all(tuple(s) == SERVICE_FIELDS for s in seen["services"])
    assert len(seen["xml_services"]) == len(seen["services"])
    assert seen["definition"]["service_code"] == "kebakaran_bangunan"
    assert [a["code"] for a in seen["definition"]["attributes"]["attribute"]] == [
        "people_involved", "landmark", "kecamatan"]
    (receipt,) = seen["filed"]
    ticket = receipt["service_request_id"]
    one = seen["one_json"]
    assert tuple(one) == REQUEST_FIELDS and one["service_request_id"] == ticket and one["status"] == "open"
    assert seen["one_filer"] == one
    assert "Gudang kopra terbakar" in one["description"]
    assert W3_WITH_OFFSET.match(one["requested_datetime"])
    assert seen["one_xml"]["service_request_id"] == ticket and seen["one_xml"]["lat"] == str(one["lat"])
    assert seen["one_xml"]["address"] == one["address"] == "Jl. Ahmad Yani 12, Luwuk, Kec. Luwuk, Kabupaten Banggai"
    assert [r["service_request_id"] for r in seen["list_json"]] == [ticket]
    assert seen["list_xml"]["service_request_id"] == ticket  # xmltodict: one request is a dict
    assert seen["token"] == [{"service_request_id": ticket, "token": receipt["token"]}]
    assert "Pratama" not in str(seen) and "1234567890" not in str(seen)
