"""The responder's phone (360 px) and the wall screen (1920×1080) fit their screens."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.conftest import UI, LiveServer, wait_live

FIRE = {
    "type": "kebakaran_bangunan",
    "region_code": "72.01.04",
    "address": "Jl. Ahmad Yani No. 112, Kelurahan Karaton",
    "description": "Rumah dua lantai terbakar, api menjalar ke rumah sebelah; dua orang terjebak di lantai atas",
}


def test_pages_fit_360_and_1920(ui: UI, live_server: LiveServer) -> None:
    with live_server.api("operator") as api:
        incident = api.post("/api/v1/incidents", json=FIRE)
        assert incident.status_code == 201, incident.text
        sent = api.post(f"/api/v1/incidents/{incident.json()['id']}/dispatch", json={"agencies": ["DAMKAR", "PSC119"]})
        assert sent.status_code == 201, sent.text
    ticket = incident.json()["ticket"]

    phone = ui.login("responder", live_server.url, width=360, height=740, mobile=True)
    expect(phone).to_have_url(re.compile("/responder$"))
    wait_live(phone)
    card = phone.locator("#current section[data-assignment]", has_text=ticket)
    expect(card).to_have_count(1)
    expect(card.get_by_role("button", name="Berangkat")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"/responder is {width} px wide on a 360 px phone: it scrolls sideways"
    button = card.get_by_role("button", name="Berangkat").bounding_box()
    assert button is not None and button["height"] >= 44, "the big buttons are big enough to tap with a glove"

    wall = ui.login("leader", live_server.url, width=1920, height=1080, go="/wall")
    wait_live(wall)
    for counter in ("#count-p1", "#count-p2", "#count-active", "#count-contacts"):
        expect(wall.locator(counter)).to_be_visible()
    expect(wall.locator("#count-p1")).to_have_text("1")
    expect(wall.locator("#count-active")).to_have_text("2")
    expect(wall.locator("#board")).to_contain_text(ticket[-9:])
    expect(wall.locator("#map")).to_be_visible()
    size = wall.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 1920, f"/wall is {size[0]} px wide on a 1920 px screen"
    ui.assert_clean()


def test_call_taker_console_fits_common_desk_screens(ui: UI, live_server: LiveServer) -> None:
    for width, height in ((1280, 800), (1366, 768), (1600, 1000), (1920, 1080)):
        page = ui.login("operator", live_server.url, width=width, height=height)
        expect(page).to_have_url(re.compile("/console$"))
        spill = page.evaluate("""() => {
            const card = document.getElementById('intake').closest('.card').getBoundingClientRect();
            return [...document.querySelectorAll('#intake label, #intake button')]
              .map(el => [el.textContent.trim().slice(0, 20),
                          Math.round(el.getBoundingClientRect().right - card.right)])
              .filter(([, over]) => over > 0);
        }""")
        assert not spill, f"at {width}×{height} these intake controls stick out of the card (px): {spill}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.context.close()
    ui.assert_clean()
