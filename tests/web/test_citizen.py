"""A villager's report on a 360 px phone: photo, ticket, progress, rating; and a report filed
while the network is cut arrives exactly once when it returns."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image
from playwright.sync_api import expect

from tests.web.conftest import UI, LiveServer

DESCRIPTION = "Rumah panggung terbakar di belakang pasar, asap tebal"


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "kebakaran.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (190, 70, 20)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return path


def _fill_report(page: Any, description: str) -> None:
    page.select_option("select[name=category]", "kebakaran_bangunan")
    page.fill("textarea[name=description]", description)
    page.select_option("select[name=region]", "72.01.04")
    page.fill("input[name=address]", "Belakang Pasar Simpong")


def _ticket_and_code(page: Any) -> tuple[str, str]:
    url = urlsplit(page.url)
    return url.path.rsplit("/", 1)[-1], parse_qs(url.query)["kode"][0]


def _incidents_with(server: LiveServer, description: str) -> list[dict[str, Any]]:
    with server.api("operator") as api:
        items = api.get("/api/v1/incidents", params={"q": description[:30], "limit": 50}).json()["items"]
    return [i for i in items if i["description"] == description]


def test_citizen_reports_with_a_photo_and_rates_after_resolution(ui: UI, live_server: LiveServer, tmp_path: Path,
                                                                  shots: Path) -> None:
    citizen = ui.page("citizen", live_server.url, width=360, height=780, mobile=True)
    citizen.goto("/")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 360
    citizen.screenshot(path=str(shots / "portal.png"), full_page=True)
    _fill_report(citizen, DESCRIPTION)
    citizen.set_input_files("input[name=photo]", str(_photo(tmp_path)))
    citizen.click("button.send")
    citizen.wait_for_url(re.compile(r"/lacak/BGI-\d{8}-\d{4}\?kode="))
    ticket, code = _ticket_and_code(citizen)
    expect(citizen.locator("#receipt")).to_contain_text(ticket)
    expect(citizen.locator("#status")).to_have_attribute("data-status", "received")

    [incident] = _incidents_with(live_server, DESCRIPTION)
    assert incident["ticket"] == ticket and incident["status"] == "received" and incident["assignments"] == []
    with live_server.api("operator") as api:
        assert api.post(f"/api/v1/incidents/{incident['id']}/verify").status_code == 200
        [damkar] = api.post(f"/api/v1/incidents/{incident['id']}/dispatch", json={"agencies": ["DAMKAR"]}).json()
    citizen.reload()
    expect(citizen.locator("#status")).to_have_attribute("data-status", "dispatched")
    expect(citizen.locator("#timeline")).to_contain_text("Laporan diverifikasi operator 112")
    with live_server.api("damkar_dispatcher") as api:
        for step in ("acknowledged", "en_route", "on_scene"):
            assert api.post(f"/api/v1/assignments/{damkar['id']}/status", json={"status": step}).status_code == 200
        citizen.reload()
        expect(citizen.locator("#status")).to_have_attribute("data-status", "on_scene")
        expect(citizen.locator("#timeline")).to_contain_text("tiba di lokasi")
        assert api.post(f"/api/v1/assignments/{damkar['id']}/status", json={"status": "completed"}).status_code == 200
    citizen.reload()
    expect(citizen.locator("#status")).to_have_attribute("data-status", "resolved")
    citizen.screenshot(path=str(shots / "tracking.png"), full_page=True)
    body = citizen.locator("main").inner_text()
    for private in ("0812", "damkar_dispatcher", "Damkar_Dispatcher", "sistem-72.01"):
        assert private not in body  # no numbers, no staff accounts on the public page

    citizen.locator("#feedback input[name=rating][value='5']").check()
    citizen.fill("#feedback textarea[name=comment]", "Petugas cepat datang")
    citizen.click("#feedback button[type=submit]")
    expect(citizen.locator("main")).to_contain_text("Terima kasih atas penilaian Anda: 5/5")
    with live_server.api("operator") as api:
        photos = api.get(f"/api/v1/incidents/{incident['id']}").json()
    assert photos["status"] == "resolved"
    ui.assert_clean()


def test_a_report_filed_offline_arrives_once_when_the_network_returns(ui: UI, live_server: LiveServer) -> None:
    description = "Pohon tumbang menutup jalan poros Luwuk–Batui"
    citizen = ui.page("citizen", live_server.url, width=360, height=780, mobile=True)
    citizen.goto("/")
    citizen.context.set_offline(True)
    _fill_report(citizen, description)
    citizen.click("button.send")
    expect(citizen.locator("#queue-status")).to_contain_text("Tidak ada sinyal")
    assert _incidents_with(live_server, description) == []

    # The network comes back, but the first answer is lost on the way: the server has stored
    # the report, the phone never heard. The retry carries the same Idempotency-Key.
    keys: list[str] = []

    def lose_first_answer(route: Any) -> None:
        keys.append(route.request.headers.get("idempotency-key", ""))
        response = route.fetch()
        if len(keys) == 1:
            assert response.status == 201
            route.abort()
        else:
            route.fulfill(response=response)

    citizen.route("**/lapor", lose_first_answer)
    citizen.context.set_offline(False)
    citizen.wait_for_url(re.compile(r"/lacak/BGI-"), timeout=30_000)
    assert len(keys) >= 2 and len(set(keys)) == 1, keys
    found = _incidents_with(live_server, description)
    assert len(found) == 1, f"the report arrived {len(found)} times"
    ticket, _code = _ticket_and_code(citizen)
    assert found[0]["ticket"] == ticket
    problems = [p for p in ui.problems.items if "net::ERR_" not in p and "Failed to fetch" not in p]
    assert not problems, problems
