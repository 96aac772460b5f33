"""Two app instances on one PostgreSQL database, events between them over Redis pub/sub."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import REDIS_URL, requires_pg, requires_redis
from tests.web.conftest import UI, LiveServer, assert_not_reloaded, mark_page, wait_live


@requires_pg
@requires_redis
def test_two_instances_over_redis(
    ui: UI, start_server: Callable[..., LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cc112 import app as app_module
    from cc112.events.bus import RedisBus

    assert REDIS_URL
    channel = f"cc112:web-test:{uuid.uuid4().hex}"  # no cross-talk with other runs on this Redis
    monkeypatch.setattr(app_module, "make_bus", lambda url: RedisBus(url, channel=channel))
    first = start_server(redis_url=REDIS_URL)
    second = start_server(redis_url=REDIS_URL)
    for server in (first, second):
        ready = httpx.get(f"{server.url}/readyz", timeout=5).json()
        assert ready == {"status": "ok", "database": "ok", "bus": "RedisBus"}

    operator = ui.login("operator", first.url)
    expect(operator).to_have_url(re.compile(f"^{first.url}/console$"))
    agency = ui.login("damkar_dispatcher", second.url)
    expect(agency).to_have_url(re.compile(f"^{second.url}/agency$"))
    for page in (operator, agency):
        wait_live(page)
        mark_page(page)
    expect(agency.locator("#no-assignments")).to_be_visible()

    operator.locator("#phone").fill("081355512345")
    operator.locator("#type").fill("Kebakaran bangunan")
    expect(operator.locator("#routing input[value=DAMKAR]")).to_be_checked()
    operator.locator("#region").fill("Luwuk (kecamatan) — 72.01.04")
    operator.locator("#submit-intake").click()
    ticket_el = operator.locator("#new-ticket")
    expect(ticket_el).to_have_text(re.compile(r"^BGI-"))
    ticket = ticket_el.inner_text()
    chip = operator.locator("#queue tr", has_text=ticket).locator(".chips .status", has_text="DAMKAR:")
    expect(chip).to_contain_text("diminta")

    # Instance 2 hears of it through Redis; its dispatcher confirms there.
    card = agency.locator("article.assignment", has_text=ticket)
    expect(card).to_have_count(1)
    card.locator(".ack-button").click()
    expect(card.locator(".assignment-status")).to_have_text("dikonfirmasi")

    # Instance 1 hears of the confirmation through Redis.
    expect(chip).to_contain_text("dikonfirmasi")
    assert_not_reloaded(operator)
    assert_not_reloaded(agency)
    ui.assert_clean()
