"""A call-taker never needs the mouse: login, call, incident and dispatch by keyboard only."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.web.conftest import UI, LiveServer, wait_live

LUWUK = "Luwuk (kecamatan) — 72.01.04"


def _focused(page: Any) -> str:
    """What has the focus, as `id` or `name=value` (checkboxes)."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement; if (!e) return '';"
            " return e.id || (e.name ? e.name + '=' + e.value : e.tagName.toLowerCase()); }"
        )
    )


def _tab_to(page: Any, target: str, limit: int = 25) -> None:
    for _ in range(limit):
        if _focused(page) == target:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target!r}; focus is on {_focused(page)!r}")


def test_keyboard_only_intake(ui: UI, live_server: LiveServer) -> None:
    page = ui.page("operator", live_server.url, width=1600, height=1000)
    page.goto("/login")
    page.keyboard.type("operator")  # the username field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/console$"))
    wait_live(page)

    assert _focused(page) == "phone", "the console opens with the cursor in the phone field"
    page.keyboard.type("081298765432")
    page.keyboard.press("Alt+4")  # prank …
    expect(page.locator("#incident-fields")).to_be_hidden()
    page.keyboard.press("Alt+1")  # … no: an emergency
    expect(page.locator("#classes input[value=emergency]")).to_be_checked()
    expect(page.locator("#incident-fields")).to_be_visible()

    _tab_to(page, "type")
    page.keyboard.type("Kebakaran bangunan")
    expect(page.locator("#routing input[value=DAMKAR]")).to_be_checked()
    _tab_to(page, "region")
    page.keyboard.type(LUWUK)
    _tab_to(page, "address")
    page.keyboard.type("Pasar Simpong")
    _tab_to(page, "agencies=PSC119")
    expect(page.locator("#routing input[value=PSC119]")).not_to_be_checked()
    page.keyboard.press("Space")
    expect(page.locator("#routing input[value=PSC119]")).to_be_checked()
    expect(page.locator("#routing input[value=DAMKAR]")).to_be_checked()
    page.keyboard.press("Control+Enter")

    ticket_el = page.locator("#new-ticket")
    expect(ticket_el).to_have_text(re.compile(r"^BGI-\d{8}-\d{4}$"))
    ticket = ticket_el.inner_text()
    row = page.locator("#queue tr", has_text=ticket)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("DAMKAR: diminta")
    expect(row).to_contain_text("PSC119: diminta")
    # The form is ready for the next call: empty, no agencies ticked, timers not running.
    expect(page.locator("#phone")).to_be_focused()
    expect(page.locator("#phone")).to_have_value("")
    expect(page.locator("#type")).to_have_value("")
    expect(page.locator("#routing input[name=agencies]")).to_have_count(0)
    expect(page.locator("#received_at")).to_have_value("")
    expect(page.locator("#t-arrived")).to_have_text("0:00")

    with live_server.api("supervisor") as api:
        found = api.get("/api/v1/incidents", params={"q": ticket}).json()
        assert found["total"] == 1, "one Ctrl+Enter makes exactly one incident"
        incident = found["items"][0]
        assert incident["ticket"] == ticket
        assert incident["type"]["code"] == "kebakaran_bangunan"
        assert incident["region"]["code"] == "72.01.04"
        assert incident["address"] == "Pasar Simpong"
        assert sorted(a["agency"] for a in incident["assignments"]) == ["DAMKAR", "PSC119"]
        assert {a["status"] for a in incident["assignments"]} == {"requested"}
        everything = api.get("/api/v1/incidents").json()
        assert everything["total"] == 1, "nothing else was created"
    ui.assert_clean()
