"""The public page and the downloads give the leaders' numbers, with small cells suppressed."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.opendata.conftest import BATUI, LUWUK, PAGIMANA, get_json, parse_csv

SENSITIVE = {"kdrt", "kekerasan_anak", "krisis_kejiwaan"}


async def leaders(client: Any, endpoint: str, month: str, **params: str) -> Any:
    return await get_json(client, f"/api/v1/analytics/{endpoint}", period="month", month=month, **params)


async def page_cells(client: Any, path: str = "/transparansi") -> dict[str, str]:
    """data-k -> data-v of every number on the page ("" when suppressed or not applicable)."""
    response = await client.get(path)
    assert response.status_code == 200, response.text[:500]
    return {html.unescape(k): v for k, v in re.findall(r'data-k="([^"]+)" data-v="([^"]*)"', response.text)}


def as_page(value: Any) -> str:
    return "" if value is None else str(value)


async def test_counts_by_type_kecamatan_and_month_agree_with_the_leaders(history, leader, anon):
    m = history.month
    lead = await leaders(leader, "incidents", m)
    by_type = {
        r["type_code"]: r for r in (await get_json(anon, "/opendata/incidents-monthly-by-type.json", month=m))["rows"]
    }
    lead_types = {r["code"]: r["count"] for r in lead["by_type"]}
    assert {c for c in lead_types if c not in SENSITIVE} == set(by_type) - {"sensitif"}
    for code, row in by_type.items():
        expected = sum(n for c, n in lead_types.items() if c in SENSITIVE) if code == "sensitif" else lead_types[code]
        assert row["count"] in (expected, None) and (row["count"] is None) == (row["suppressed"] == ["count"])
    assert by_type["kebakaran_bangunan"]["count"] == 15 and by_type["banjir"]["count"] == 23

    by_kec = {
        r["kecamatan_code"]: r for r in (await get_json(anon, "/opendata/incidents-by-kecamatan.json", month=m))["rows"]
    }
    lead_kec = {r["code"]: r["count"] for r in lead["by_kecamatan"]} | {"": lead["outside_area"]}
    for code, row in by_kec.items():
        assert row["count"] in (lead_kec.get(code, 0), None), code
    assert by_kec[LUWUK]["count"] == 16 and by_kec[BATUI]["count"] == 9

    (total,) = (await get_json(anon, "/opendata/incidents-monthly.json", month=m))["rows"]
    assert total["count"] == lead["total"] == 41, "no exercise, no merged duplicate"

    page = await page_cells(anon)
    for code, row in by_type.items():
        assert page[f"type|{code}|{m}"] == as_page(row["count"])
    for code in (LUWUK, BATUI, PAGIMANA):
        assert page[f"kec|{code}|{m}"] == as_page(by_kec[code]["count"])
    assert page[f"total|{m}"] == "41"


async def test_a_cell_of_3_is_suppressed_one_of_7_is_not_and_no_line_gives_a_cell_away(history, leader, anon):
    m = history.month
    rows = (await get_json(anon, "/opendata/incidents-monthly-by-type-kecamatan.json", month=m))["rows"]
    cells = {(r["type_code"], r["kecamatan_code"]): r["count"] for r in rows}
    fires = await leaders(leader, "incidents", m, type="kebakaran_bangunan")
    assert {r["code"]: r["count"] for r in fires["by_kecamatan"]} == {LUWUK: 7, BATUI: 3, PAGIMANA: 5}
    assert cells[("kebakaran_bangunan", LUWUK)] == 7
    assert cells[("kebakaran_bangunan", BATUI)] is None, "3 incidents: suppressed"
    assert cells[("kebakaran_bangunan", PAGIMANA)] is None, "5, suppressed so that 15 − 7 does not give away the 3"
    for lead_type in (await leaders(leader, "incidents", m))["by_type"]:  # every published cell is the leaders'
        if lead_type["code"] in SENSITIVE:
            continue
        by_kec = await leaders(leader, "incidents", m, type=lead_type["code"])
        lead_cells = {r["code"]: r["count"] for r in by_kec["by_kecamatan"]} | {"": by_kec["outside_area"]}
        for (type_code, kec), count in cells.items():
            if type_code == lead_type["code"]:
                assert count in (lead_cells.get(kec), None), (type_code, kec)

    csv_rows = parse_csv(
        (await anon.get("/opendata/incidents-monthly-by-type-kecamatan.csv", params={"month": m})).text
    )
    flagged = {(r["type_code"], r["kecamatan_code"]): (r["count"], r["suppressed"]) for r in csv_rows}
    assert flagged[("kebakaran_bangunan", BATUI)] == ("", "count") and flagged[("kebakaran_bangunan", LUWUK)] == (
        "7",
        "",
    )

    # Complementary rule, checked on what is published: every line (parts and their total) has
    # no suppressed entry or at least two.
    types = {
        r["type_code"]: r["count"]
        for r in (await get_json(anon, "/opendata/incidents-monthly-by-type.json", month=m))["rows"]
    }
    kecs = {
        r["kecamatan_code"]: r["count"]
        for r in (await get_json(anon, "/opendata/incidents-by-kecamatan.json", month=m))["rows"]
        if r["count"] != 0
    }
    (total,) = (await get_json(anon, "/opendata/incidents-monthly.json", month=m))["rows"]
    lines = [[types[t], *[n for (t2, _), n in cells.items() if t2 == t]] for t in types]
    lines += [[kecs[k], *[n for (_, k2), n in cells.items() if k2 == k]] for k in kecs]
    lines += [[total["count"], *types.values()], [total["count"], *kecs.values()]]
    assert sum(1 for line in lines for v in line if v is None) >= 4
    for line in lines:
        assert sum(1 for v in line if v is None) != 1, line


async def test_agency_performance_agrees_with_the_leaders_scorecard(history, leader, anon):
    m = history.month
    cards = {c["agency"]: c for c in (await leaders(leader, "scorecard", m))["agencies"]}
    rows = {
        r["agency_code"]: r
        for r in (await get_json(anon, "/opendata/agency-performance-monthly.json", month=m))["rows"]
    }
    damkar, lead = rows["DAMKAR"], cards["DAMKAR"]
    assert damkar["assignments"] == lead["assignments"] == 15 and damkar["suppressed"] == []
    page = await page_cells(anon)
    for measure in ("acknowledge", "response", "resolution"):
        assert damkar[f"{measure}_p50_s"] == lead[measure]["p50_s"] is not None
        assert damkar[f"{measure}_p90_s"] == lead[measure]["p90_s"] is not None
        assert damkar[f"{measure}_share_within_target"] == lead[measure]["share_within"]
        assert damkar[f"{measure}_measured"] == lead[measure]["measured"]
        for key in ("p50_s", "p90_s", "share_within_target"):
            assert page[f"agency|DAMKAR|{measure}_{key}"] == as_page(damkar[f"{measure}_{key}"])
    assert page["agency|DAMKAR|assignments"] == "15"
    assert page[f"trend|DAMKAR|{m}"] == as_page(lead["response"]["share_within"])

    psc = rows["PSC119"]
    assert cards["PSC119"]["assignments"] == 2 and cards["PSC119"]["acknowledge"]["p50_s"] is not None
    assert psc["assignments"] is None and psc["acknowledge_p50_s"] is None and psc["response_p90_s"] is None
    assert {"assignments", "acknowledge_p50_s", "response_p90_s"} <= set(psc["suppressed"])
    assert page["agency|PSC119|acknowledge_p50_s"] == ""
    csv_rows = {
        r["agency_code"]: r
        for r in parse_csv((await anon.get("/opendata/agency-performance-monthly.csv", params={"month": m})).text)
    }
    assert float(csv_rows["DAMKAR"]["acknowledge_p90_s"]) == lead["acknowledge"]["p90_s"]
    assert (
        csv_rows["PSC119"]["acknowledge_p50_s"] == ""
        and "acknowledge_p50_s" in csv_rows["PSC119"]["suppressed"].split()
    )


async def test_contact_statistics_agree_with_the_leaders(history, leader, anon):
    m = history.month
    lead = await leaders(leader, "contacts", m)
    (row,) = (await get_json(anon, "/opendata/contacts-monthly.json", month=m))["rows"]
    assert row["total"] == lead["total"] == 11
    for key in ("answered", "false_share", "abandon_rate", "mean_answer_s", "share_answered_within_10s"):
        assert row[key] == lead[key], key
    channels = {c: row[f"channel_{c}"] for c in ("phone", "sms", "web", "app", "cctv", "walk_in", "radio")}
    assert channels["phone"] == lead["by_channel"]["phone"] == 8
    assert channels["sms"] is None and channels["app"] is None, "2 SMS and 1 app report: suppressed"
    assert sum(1 for v in channels.values() if v is None) != 1
    page = await page_cells(anon)
    assert page[f"contacts|{m}|total"] == "11" and page[f"contacts|{m}|mean_answer_s"] == str(lead["mean_answer_s"])


async def test_hotspots_are_the_leaders_cells_with_enough_incidents(history, leader, anon):
    m = history.month
    lead = {c["cell"]: c["count"] for c in (await leaders(leader, "hotspots", m))["cells"]}
    rows = (await get_json(anon, "/opendata/hotspots.json", month=m))["rows"]
    assert {r["h3_cell"]: r["count"] for r in rows} == {c: n for c, n in lead.items() if n >= 5}
    assert any(n < 5 for n in lead.values()), "the history has a small hexagon, and it is left out"


async def test_the_default_window_is_the_last_12_full_months_and_a_month_looks_the_same_in_both(history, anon):
    body = await get_json(anon, "/opendata/incidents-monthly.json")
    months = [r["month"] for r in body["rows"]]
    assert len(months) == 12 and months[-1] == history.month and history.current not in months
    assert {r["month"]: r["count"] for r in body["rows"]}[history.earlier] == 6
    one = (await get_json(anon, "/opendata/incidents-monthly-by-type-kecamatan.json", month=history.month))["rows"]
    window = (await get_json(anon, "/opendata/incidents-monthly-by-type-kecamatan.json"))["rows"]
    assert [r for r in window if r["month"] == history.month] == one
    page = await page_cells(anon)
    assert page["type|kebakaran_bangunan|sum"] == "21", "15 + 6, both months published"
    assert page[f"type|kebakaran_bangunan|{history.earlier}"] == "6"
    for bad in (history.current, "2026-13", "bulan"):
        response = await anon.get("/opendata/incidents-monthly.json", params={"month": bad})
        assert response.status_code == 422, bad
    assert (await anon.get("/transparansi", params={"month": history.current})).status_code == 422


async def test_the_threshold_is_configurable(app, history, anon):
    app.state.settings = app.state.settings.model_copy(update={"opendata_min_cell": 3})
    rows = (await get_json(anon, "/opendata/incidents-monthly-by-type-kecamatan.json", month=history.month))["rows"]
    cells = {(r["type_code"], r["kecamatan_code"]): r["count"] for r in rows}
    assert cells[("kebakaran_bangunan", BATUI)] == 3 and cells[("kebakaran_bangunan", PAGIMANA)] == 5
    assert cells[("sensitif", "72.01.09")] is None, "2 is still below 3"
    assert (await get_json(anon, "/opendata/dictionary.json"))["suppression"]["min_cell"] == 3


async def test_unknown_datasets_and_formats_are_refused(anon):
    assert (await anon.get("/opendata/people.json")).status_code == 404
    assert (await anon.get("/opendata/incidents-monthly.xml")).status_code == 422
    assert (await anon.get("/opendata/incidents-monthly.geojson")).status_code == 422
    assert (await anon.get("/opendata")).headers["location"] == "/opendata/"
