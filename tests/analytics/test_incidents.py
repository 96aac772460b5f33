"""Incident counts on the October history (tests/analytics/history.py): by type, priority,
kecamatan, local day and hour × weekday; filters; CSV; exercises and duplicates never count."""

from __future__ import annotations

import csv
import io

from sqlalchemy import update

from cc112.incidents.models import Incident
from tests.analytics.history import BATUI_CODE, FIRE, MEDICAL, SOCIAL, TRAFFIC, TREE, fetch


async def test_incidents_are_counted_by_type_priority_and_kecamatan(october, leader):
    data = await fetch(leader, "incidents")
    # F1–F14, M1, K1, O1 = 17. Not X1 (exercise), X2 (merged), N1 (1 Nov local), S1 (30 Sep local).
    assert data["total"] == 17
    assert data["cancelled"] == 1  # F14
    # fires: F1–F11, F13, F14 = 13; F12 is the fallen tree.
    assert {t["code"]: t["count"] for t in data["by_type"]} == {FIRE: 13, TREE: 1, MEDICAL: 1, TRAFFIC: 1, SOCIAL: 1}
    assert data["by_type"][0] == {"code": FIRE, "name": "Kebakaran bangunan", "name_en": "Structure fire", "count": 13}
    # P1: F1–F11, F13, F14, M1 = 14; P2: K1; P3: F12; P4: O1.
    assert data["by_priority"] == {"P1": 14, "P2": 1, "P3": 1, "P4": 1}
    # Batui: F4, F7, F12, M1; Luwuk: the other twelve; O1 has no kecamatan.
    assert [(k["code"], k["name"], k["count"]) for k in data["by_kecamatan"]] == [
        ("72.01.04", "Luwuk", 12), ("72.01.01", "Batui", 4)]
    assert data["outside_area"] == 1
    assert data["period"] == {"label": "2026-10", "first_day": "2026-10-01", "last_day": "2026-10-31",
                              "zone": "Asia/Makassar"}


async def test_incidents_fall_on_their_local_day(october, leader):
    data = await fetch(leader, "incidents")
    days = [d["day"] for d in data["by_day"]]
    assert len(days) == 31 and days[0] == "2026-10-01" and days[-1] == "2026-10-31"
    busy = {d["day"][-2:]: d["count"] for d in data["by_day"] if d["count"]}
    # F1 at 00:30 WITA on 1 Oct (30 Sep 16:30 UTC) is October's first day; F10 at 23:30 WITA on
    # 31 Oct (15:30 UTC) and F11 are the last day's; X1 (exercise) adds nothing to the 10th.
    assert busy == {"01": 1, "04": 1, "06": 1, "07": 1, "09": 1, "10": 1, "12": 1, "15": 2, "18": 1,
                    "20": 2, "22": 1, "25": 1, "28": 1, "31": 2}
    assert sum(busy.values()) == data["total"]
    # N1 at 31 Oct 16:30 UTC is 00:30 on 1 November in Banggai.
    november = await fetch(leader, "incidents", month="2026-11")
    assert november["total"] == 1
    assert november["by_day"][0] == {"day": "2026-11-01", "count": 1}
    # S1 at 23:00 WITA on 30 Sep (15:00 UTC) is September's last day.
    september = await fetch(leader, "incidents", month="2026-09")
    assert (september["total"], september["by_day"][-1]) == (1, {"day": "2026-09-30", "count": 1})


async def test_the_hour_weekday_grid_uses_banggai_wall_clock(october, leader):
    grid = (await fetch(leader, "incidents"))["hour_weekday"]
    assert len(grid) == 7 and all(len(row) == 24 for row in grid)
    filled = {(w, h): n for w, row in enumerate(grid) for h, n in enumerate(row) if n}
    mon, tue, wed, thu, fri, sat, sun = range(7)
    assert filled == {
        (thu, 0): 1,  # F1, Thu 1 Oct 00:30
        (sun, 9): 1,  # F2, Sun 4 Oct
        (tue, 3): 1,  # M1, Tue 6 Oct 03:15
        (wed, 13): 1,  # F3
        (fri, 10): 1,  # F12
        (sat, 21): 1,  # F4
        (mon, 19): 1,  # F13
        (thu, 23): 2,  # F5 23:58 and F6 23:59 on Thu 15 Oct
        (sun, 14): 1,  # F14 (cancelled incidents are still incidents)
        (tue, 8): 1,  # K1
        (tue, 11): 1,  # F7
        (thu, 12): 1,  # O1
        (sun, 16): 1,  # F8
        (wed, 7): 1,  # F9
        (sat, 23): 2,  # F10 23:30 and F11 23:00 on Sat 31 Oct (15:30 and 15:00 UTC)
    }


async def test_filters_narrow_the_counts(october, leader):
    # agency: incidents with any DAMKAR assignment, even a declined or stood-down one: F1–F14.
    damkar = await fetch(leader, "incidents", agency="DAMKAR")
    assert damkar["total"] == 14
    assert {t["code"]: t["count"] for t in damkar["by_type"]} == {FIRE: 13, TREE: 1}
    assert (await fetch(leader, "incidents", agency="psc119"))["total"] == 2  # F13, M1 (codes any case)
    assert (await fetch(leader, "incidents", agency="POLRES"))["total"] == 2  # F12, K1
    medical = await fetch(leader, "incidents", type=MEDICAL)
    assert (medical["total"], medical["by_priority"]["P1"]) == (1, 1)  # M1 (N1 is November)
    batui = await fetch(leader, "incidents", kecamatan=BATUI_CODE)
    assert batui["total"] == 4  # F4, F7, F12, M1
    assert [k["name"] for k in batui["by_kecamatan"]] == ["Batui"]
    assert batui["outside_area"] == 0
    both = await fetch(leader, "incidents", agency="DAMKAR", kecamatan=BATUI_CODE, type=FIRE)
    assert both["total"] == 2  # F4, F7


async def test_exercises_and_merged_duplicates_never_count_but_would_if_they_were_real(october, app, leader):
    before = await fetch(leader, "incidents")
    async with app.state.db.session_scope() as db:
        await db.execute(update(Incident).where(Incident.id == october.incidents["X1"]).values(is_exercise=False))
        await db.execute(update(Incident).where(Incident.id == october.incidents["X2"]).values(status="resolved"))
    after = await fetch(leader, "incidents")
    assert (before["total"], after["total"]) == (17, 19)
    assert before["by_day"][0]["count"] == 1 and after["by_day"][0]["count"] == 2  # X2 on 1 Oct


async def test_incident_counts_download_as_csv(october, leader):
    response = await leader.get("/api/v1/analytics/incidents", params={"period": "month", "month": "2026-10",
                                                                      "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="incidents-2026-10.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    table = {(r["table"], r["key"]): int(r["count"]) for r in rows}
    assert table[("by_day", "2026-10-31")] == 2
    assert table[("by_day", "2026-10-02")] == 0
    assert table[("by_type", FIRE)] == 13
    assert table[("by_kecamatan", "72.01.01")] == 4
    assert table[("by_priority", "P1")] == 14
    assert table[("hour_weekday", "5-23")] == 2  # Saturday 23:00
    assert sum(n for (t, _), n in table.items() if t == "hour_weekday") == 17
