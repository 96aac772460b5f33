"""The leaders' dashboard over HTTP: who may open it, what it shows, and that its CSV links follow the filters."""

from __future__ import annotations

import csv
import io

import pytest

from tests.analytics_web.helpers import CHART_FIGURES, csv_links, last_month, page, query, verdict

# Module-level: the root conftest adds the anyio mark too late for parametrized async tests.
pytestmark = pytest.mark.anyio


async def test_a_leader_sees_the_scorecard_and_a_table_for_every_chart(history, leader):
    response = await leader.get("/dashboard")
    assert response.status_code == 200
    doc = page(response.text)
    assert doc.cssselect("h1")[0].text_content().startswith("Dasbor pimpinan")
    for figure in CHART_FIGURES:
        found = doc.cssselect(f"#{figure}")
        assert found, f"no {figure}"
        assert found[0].cssselect("table tbody tr"), f"{figure} has no table of numbers"
    assert doc.cssselect("#chart-daily canvas[data-chart=daily]")
    assert [r.get("data-agency") for r in doc.cssselect("#scorecard tbody tr[data-agency]")] == [
        "BPBD", "DAMKAR", "POLRES", "PSC119"]
    # DAMKAR arrives well within 20 minutes; PSC 119 mostly does not.
    assert verdict(doc, "DAMKAR", "response") == "met"
    assert verdict(doc, "PSC119", "response") == "miss"
    assert "90 %" in doc.cssselect("#goal")[0].text_content()
    misses = doc.cssselect("#scorecard .misses li")
    assert any("PSC119" in li.text_content() and "kurang" in li.text_content() for li in misses)
    spikes = doc.cssselect("#spikes li")
    assert any("Banjir" in li.text_content() for li in spikes), "today's floods are not listed as a spike"


async def test_the_scorecard_shows_a_trend_against_the_previous_period(history, leader):
    doc = page((await leader.get("/dashboard", params={"period": "month", "month": last_month()})).text)
    trends = doc.cssselect('#scorecard tr[data-agency="PSC119"] td[data-measure="acknowledge"] .trend')
    assert trends and trends[0].text_content().strip()[0] in "▲▼="
    assert "poin" in trends[0].text_content()


@pytest.mark.parametrize("persona", ["supervisor", "admin"])
async def test_supervisors_and_administrators_may_open_it(history, login, persona):
    assert (await (await login(persona)).get("/dashboard")).status_code == 200


@pytest.mark.parametrize("persona", ["operator", "damkar_dispatcher", "responder"])
async def test_other_roles_get_a_403_page_that_says_why(login, persona):
    response = await (await login(persona)).get("/dashboard")
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "Tidak dapat dibuka" in response.text
    assert "dashboard" in response.text
    assert (await (await login(persona)).get("/dashboard/report.pdf")).status_code == 403


async def test_anonymous_visitors_are_sent_to_the_login_page(anon):
    response = await anon.get("/dashboard?period=7d")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


async def test_another_jurisdictions_supervisor_sees_none_of_banggai(history, outsider):
    doc = page((await outsider.get("/dashboard")).text)
    assert doc.cssselect("#total-incidents")[0].text_content().strip() == "0"
    assert not doc.cssselect("#scorecard tr[data-agency]")


async def test_filters_are_kept_in_every_csv_link_and_the_csv_follows_them(history, leader):
    month = last_month()
    filters = {"period": "month", "month": month, "agency": "DAMKAR", "type": "kebakaran_bangunan",
               "kecamatan": "72.01.04"}
    doc = page((await leader.get("/dashboard", params=filters)).text)
    links = csv_links(doc)
    assert {link.split("?")[0] for link in links} >= {
        "/api/v1/analytics/scorecard", "/api/v1/analytics/incidents", "/api/v1/analytics/monthly",
        "/api/v1/analytics/hotspots", "/api/v1/analytics/contacts"}
    for link in links:
        assert query(link) == {**filters, "format": "csv"}, link
    assert doc.cssselect("#f-agency option[selected]")[0].get("value") == "DAMKAR"
    assert doc.cssselect("#report-month")[0].get("value") == month

    scorecard = next(link for link in links if "/scorecard?" in link)
    response = await leader.get(scorecard)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {r["agency"] for r in rows} == {"DAMKAR"}


async def test_the_agency_filter_narrows_the_numbers(history, leader):
    everything = page((await leader.get("/dashboard")).text)
    damkar = page((await leader.get("/dashboard", params={"agency": "DAMKAR"})).text)
    total = int(everything.cssselect("#total-incidents")[0].text_content().replace(".", ""))
    narrowed = int(damkar.cssselect("#total-incidents")[0].text_content().replace(".", ""))
    assert 0 < narrowed < total
    assert [r.get("data-agency") for r in damkar.cssselect("#scorecard tbody tr[data-agency]")] == ["DAMKAR"]


async def test_an_unknown_filter_value_is_named_and_the_default_period_shown(history, leader):
    response = await leader.get("/dashboard", params={"agency": "NOPE"})
    assert response.status_code == 200
    doc = page(response.text)
    assert "NOPE" in doc.cssselect(".flash.error")[0].text_content()
    assert all("agency=" not in link for link in csv_links(doc))


async def test_the_monthly_series_covers_twelve_months_ending_with_the_chosen_one(history, leader):
    month = last_month()
    data = (await leader.get("/api/v1/analytics/monthly", params={"period": "month", "month": month})).json()
    months = [m["month"] for m in data["months"]]
    assert len(months) == 12 and months[-1] == month and months == sorted(months)
    assert sum(m["count"] for m in data["months"]) > 100
    doc = page((await leader.get("/dashboard", params={"period": "month", "month": month})).text)
    table = [int(td.text_content()) for td in doc.cssselect("#chart-monthly tbody td.n")]
    assert table == [m["count"] for m in data["months"]]
    as_csv = await leader.get("/api/v1/analytics/monthly", params={"period": "month", "month": month, "format": "csv"})
    assert as_csv.text.splitlines()[0] == "month,count"


async def test_the_page_is_light_for_a_slow_office_connection(history, leader):
    response = await leader.get("/dashboard", params={"period": "365d"})
    assert len(response.content) < 150_000, f"dashboard HTML is {len(response.content)} bytes"
    doc = page(response.text)
    sources = [s.get("src") for s in doc.cssselect("script[src]")]
    # Chart.js and Leaflet are fetched by dashboard.js after the page is shown, never as blocking tags.
    assert not [s for s in sources if "chartjs" in s or "leaflet" in s]
    assert doc.cssselect('script[src="/static/dashboard.js"]')[0].get("defer") is not None
    assert doc.cssselect("#dashboard-data")


async def test_the_dashboard_speaks_english_on_request(history, leader):
    leader.cookies.set("cc112_lang", "en")
    doc = page((await leader.get("/dashboard")).text)
    assert doc.cssselect("h1")[0].text_content().startswith("Leaders' dashboard")
    assert verdict(doc, "PSC119", "response") == "miss"
    cell = doc.cssselect('#scorecard tr[data-agency="PSC119"] td[data-measure="response"] .verdict')[0]
    assert "not met" in cell.text_content()
    assert doc.cssselect("#f-period option[selected]")[0].text_content() == "Last 30 days"


async def test_a_custom_date_range_goes_into_the_csv_links_without_a_month(history, leader):
    month = last_month()
    filters = {"period": "custom", "start": f"{month}-03", "end": f"{month}-17", "month": month}
    doc = page((await leader.get("/dashboard", params=filters)).text)
    assert not doc.cssselect(".flash.error")
    for link in csv_links(doc):
        assert query(link) == {"period": "custom", "start": f"{month}-03", "end": f"{month}-17", "format": "csv"}
    assert len(doc.cssselect("#chart-daily tbody tr")) == 15
