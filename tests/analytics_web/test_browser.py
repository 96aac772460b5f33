"""A leader in the browser: opens the dashboard, filters by agency and month, downloads a CSV and the
monthly PDF. Charts and the map draw without a console error; screenshot docs/screenshots/dashboard.png."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from cc112.db import Database
from tests.analytics_web.helpers import last_month
from tests.analytics_web.history import seed_history
from tests.web.conftest import UI, LiveServer, run_async


def _seed(server: LiveServer) -> None:
    async def work() -> None:
        database = Database(server.settings)
        try:
            async with database.session_scope() as session:
                await seed_history(session)
        finally:
            await database.dispose()

    run_async(work)


def _download(page: Any, selector: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    assert download.failure() is None, download.failure()
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_a_leader_filters_the_dashboard_and_downloads_a_csv_and_the_monthly_pdf(
        ui: UI, live_server: LiveServer, shots: Path) -> None:
    _seed(live_server)
    month = last_month()
    page = ui.login("leader", live_server.url, width=1600, height=1000)
    expect(page).to_have_url(re.compile("/dashboard$"))  # a leader's home page
    expect(page.get_by_role("link", name="Dasbor")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Dasbor pimpinan")
    # Charts replace their tables once Chart.js has drawn them; the numbers stay one click away.
    expect(page.locator("body")).to_have_attribute("data-charts", "drawn")
    daily = page.locator("#chart-daily")
    expect(daily.locator("canvas")).to_be_visible()
    expect(daily.locator("details.numbers table")).to_be_hidden()
    daily.locator("details.numbers summary").click()
    expect(daily.locator("details.numbers table")).to_be_visible()
    daily.locator("details.numbers summary").click()
    expect(page.locator('#scorecard tr[data-agency="PSC119"] td[data-measure="response"] .verdict')).to_have_text(
        re.compile("tidak tercapai"))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "dashboard.png"))

    # The map draws when it comes near the screen: kecamatan circles and hotspot hexagons.
    page.locator("#chart-map").scroll_into_view_if_needed()
    expect(page.locator("body")).to_have_attribute("data-map", "drawn")
    expect(page.locator("#dash-map path.leaflet-interactive").first).to_be_visible()

    # Filter: DAMKAR, last month.
    page.select_option("#f-agency", "DAMKAR")
    page.select_option("#f-period", "month")
    expect(page.locator("#f-month")).to_be_visible()
    page.fill("#f-month", month)
    page.click("#apply-filters")
    expect(page).to_have_url(re.compile(rf"/dashboard\?period=month&month={month}&agency=DAMKAR$"))
    expect(page.locator("#scorecard tbody tr[data-agency]")).to_have_count(1)
    expect(page.locator('#scorecard tr[data-agency="DAMKAR"]')).to_be_visible()
    expect(page.locator("#f-agency")).to_have_value("DAMKAR")
    expect(page.locator("#report-month")).to_have_value(month)
    expect(page.locator("body")).to_have_attribute("data-charts", "drawn")

    name, body = _download(page, "#scorecard a.csv")
    assert name == f"scorecard-{month}.csv"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert rows and {r["agency"] for r in rows} == {"DAMKAR"}
    assert int(rows[0]["assignments"]) > 0

    name, body = _download(page, "#report-download")
    assert name == f"laporan-bulanan-112-{month}.pdf"
    assert body.startswith(b"%PDF")
    ui.assert_clean()
