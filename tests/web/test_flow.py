"""One emergency through every screen: operator → agency → responder → supervisor, all live."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from cc112 import clock
from tests.web.conftest import UI, WAIT_MS, LiveServer, assert_not_reloaded, mark_page, wait_live

LUWUK = "Luwuk (kecamatan) — 72.01.04"
TICKET = re.compile(r"^BGI-")


def _queue_chip(page: Any, ticket: str, agency: str) -> Any:
    return page.locator("#queue tr", has_text=ticket).locator(".chips .status", has_text=f"{agency}:")


def _detail_status(page: Any, agency: str) -> Any:
    return page.locator(f"#detail tr[data-agency={agency}] .assignment-status")


def test_operator_to_responder_flow(ui: UI, live_server: LiveServer, shots: Path) -> None:
    base = live_server.url

    login = ui.page("anonymous", base)
    login.goto("/login")
    expect(login.locator("h1")).to_contain_text("Masuk ke Command Center")
    login.screenshot(path=str(shots / "login.png"))

    operator = ui.login("operator", base, width=1600, height=1000)
    expect(operator).to_have_url(re.compile("/console$"))
    agency = ui.login("damkar_dispatcher", base, width=1280, height=900)
    expect(agency).to_have_url(re.compile("/agency$"))
    responder = ui.login("responder", base, width=360, height=740, mobile=True, position=(-0.935, 122.790))
    expect(responder).to_have_url(re.compile("/responder$"))
    supervisor = ui.login("supervisor", base, width=1600, height=1000, movable_clock=True)
    expect(supervisor).to_have_url(re.compile("/supervisor$"))
    for page in (operator, agency, responder, supervisor):
        wait_live(page)
        mark_page(page)
    expect(agency.locator("#no-assignments")).to_be_visible()

    # The call: phone number, emergency, type, kecamatan; Damkar (primary) and PSC 119 (support).
    operator.locator("#phone").click()
    operator.keyboard.type("081234567890")
    operator.locator("#classes input[value=emergency]").check()
    operator.locator("#type").fill("Kebakaran bangunan")
    damkar_box = operator.locator("#routing input[name=agencies][value=DAMKAR]")
    psc_box = operator.locator("#routing input[name=agencies][value=PSC119]")
    expect(damkar_box).to_be_checked()
    expect(psc_box).not_to_be_checked()
    psc_box.check()
    expect(psc_box).to_be_checked()
    operator.locator("#region").fill(LUWUK)
    operator.locator("#address").fill("Jl. Ahmad Yani, dekat pasar")
    operator.locator("#description").fill("Rumah terbakar, dua orang di dalam")
    operator.locator("#submit-intake").click()

    ticket_el = operator.locator("#new-ticket")
    expect(ticket_el).to_have_text(TICKET)
    ticket = ticket_el.inner_text()
    expect(operator.locator("#intake-result")).to_contain_text("DAMKAR")
    expect(operator.locator("#intake-result")).to_contain_text("PSC119")
    row = operator.locator("#queue tr", has_text=ticket)
    expect(row).to_have_count(1)
    expect(_queue_chip(operator, ticket, "DAMKAR")).to_contain_text("diminta")
    expect(_queue_chip(operator, ticket, "PSC119")).to_contain_text("diminta")

    # The operator opens the incident; Damkar's dispatcher sees it arrive and confirms.
    row.click()
    expect(operator.locator("#detail")).to_contain_text(ticket)
    expect(_detail_status(operator, "DAMKAR")).to_have_text("diminta")

    card = agency.locator("article.assignment", has_text=ticket)
    expect(card).to_have_count(1)
    expect(card.locator(".assignment-status")).to_have_text("diminta")
    card.locator("select[name=unit]").select_option("DMK-01")
    card.locator(".ack-button").click()
    expect(card.locator(".assignment-status")).to_have_text("dikonfirmasi")
    expect(card).to_contain_text("DMK-01")
    agency.screenshot(path=str(shots / "agency.png"))

    expect(_detail_status(operator, "DAMKAR")).to_have_text("dikonfirmasi")
    expect(_queue_chip(operator, ticket, "DAMKAR")).to_contain_text("dikonfirmasi")
    expect(_detail_status(operator, "PSC119")).to_have_text("diminta")

    # The responder's phone: en route, then on scene; the operator sees each step.
    current = responder.locator("#current section[data-assignment]", has_text=ticket)
    expect(current).to_have_count(1)
    expect(current.locator(".assignment-status")).to_have_text("dikonfirmasi")
    current.get_by_role("button", name="Berangkat").tap()
    expect(current.locator(".assignment-status")).to_have_text("dalam perjalanan")
    # On the way the phone reports where the unit is.
    responder.context.set_geolocation({"latitude": -0.940, "longitude": 122.788})
    expect(responder.locator("#gps-status")).to_contain_text("Lokasi terkirim")
    expect(_detail_status(operator, "DAMKAR")).to_have_text("dalam perjalanan")
    expect(_queue_chip(operator, ticket, "DAMKAR")).to_contain_text("dalam perjalanan")
    current.get_by_role("button", name="Tiba di lokasi").tap()
    expect(current.locator(".assignment-status")).to_have_text("di lokasi")
    expect(current.get_by_role("button", name="Selesai")).to_be_visible()
    expect(_detail_status(operator, "DAMKAR")).to_have_text("di lokasi")
    expect(_queue_chip(operator, ticket, "DAMKAR")).to_contain_text("di lokasi")
    responder.screenshot(path=str(shots / "responder.png"), scale="css")
    operator.screenshot(path=str(shots / "console.png"))

    # 25 minutes later PSC 119 has still not confirmed: the sweeper escalates, the supervisor sees it.
    expect(supervisor.locator("#attention")).to_contain_text("Tidak ada yang terlambat")
    clock.travel(timedelta(minutes=25))
    supervisor.clock.set_system_time(datetime.now(UTC) + timedelta(minutes=25))  # the browser's clock too
    overdue = supervisor.locator("#overdue tr", has_text=ticket)
    expect(overdue.filter(has_text="PSC119")).to_have_count(1, timeout=WAIT_MS)
    expect(overdue.filter(has_text="DAMKAR")).to_have_count(0)
    expect(overdue.filter(has_text="PSC119")).to_contain_text("belum konfirmasi")
    late = overdue.filter(has_text="PSC119").locator("[data-due]")
    expect(late).to_have_text(re.compile(r"^−2\d:\d\d$"))  # minutes past the deadline, counting
    expect(late).to_have_class(re.compile(r"\bred\b"))
    supervisor.mouse.move(400, 500)  # the supervisor is at the desk: no idle notice in the picture
    supervisor.screenshot(path=str(shots / "supervisor.png"))

    wall = ui.login("leader", base, width=1920, height=1080, go="/wall")
    expect(wall.locator("#count-p1")).to_have_text("1")
    expect(wall.locator("#board")).to_contain_text(ticket[-9:])
    wall.wait_for_timeout(500)  # the map settles
    wall.screenshot(path=str(shots / "wall.png"))

    for page in (operator, agency, responder, supervisor):
        assert_not_reloaded(page)
    ui.assert_clean()
