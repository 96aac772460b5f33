"""Contact statistics and citizen ratings on the October history (tests/analytics/history.py)."""

from __future__ import annotations

import csv
import io

from cc112.analytics import measures
from cc112.analytics import service as analytics
from tests.analytics.history import BATUI_CODE, add_contact, fetch, reference, wita

# The 18 answered contacts' answer times, in seconds (two abandoned calls were never answered):
ANSWERS = [2, 3, 4, 5, 8, 10, 12, 30, 6, 9, 7, 1, 15, 20, 60, 90, 40, 120]


async def test_contact_statistics_as_european_112_reports_count_them(october, leader):
    data = await fetch(leader, "contacts")
    assert sum(ANSWERS) == 442
    assert data == {
        "period": {"label": "2026-10", "first_day": "2026-10-01", "last_day": "2026-10-31", "zone": "Asia/Makassar"},
        # 20: the 3 exercise pranks, the 1 November ghost and the September prank are not October's.
        "total": 20,
        "by_classification": {"emergency": 11, "non_emergency": 2, "information": 2, "prank": 2, "ghost": 1,
                              "abandoned": 2},
        "by_channel": {"phone": 16, "sms": 3, "web": 1},
        "false_contacts": 3,  # 2 pranks + 1 ghost
        "false_share": 0.15,  # 3 / 20
        "answered": 18,
        "mean_answer_s": 24.6,  # 442 / 18 = 24.56
        "share_answered_within_10s": 0.5556,  # 1 2 3 4 5 6 7 8 9 10 → 10 / 18 (10 s exactly is within)
        "mean_slowest_10pct_answer_s": 105.0,  # ⌈0.1·18⌉ = 2 slowest: (90 + 120) / 2
        "abandoned": 2,
        "abandon_rate": 0.1,  # 2 / 20
    }


async def test_contacts_fall_in_the_month_of_their_local_day(october, leader):
    november = await fetch(leader, "contacts", month="2026-11")  # 31 Oct 16:30 UTC = 1 Nov 00:30 WITA
    assert (november["total"], november["by_classification"], november["false_share"]) == (1, {"ghost": 1}, 1.0)
    september = await fetch(leader, "contacts", month="2026-09")  # 30 Sep 23:00 WITA
    assert (september["total"], september["by_classification"]) == (1, {"prank": 1})


async def test_the_measure_function_gives_the_api_numbers(october, app, leader):
    async with app.state.db.session_scope(write=False) as db:
        scope = await analytics.build_scope(db, jurisdiction_id=october.jurisdiction, period="month", month="2026-10")
        direct = await measures.contact_stats(db, scope)
    assert (direct["total"], direct["false_share"], direct["mean_slowest_10pct_answer_s"]) == (20, 0.15, 105.0)
    api = await fetch(leader, "contacts")
    assert {k: api[k] for k in direct} == direct


async def test_contacts_download_as_csv(october, leader):
    response = await leader.get("/api/v1/analytics/contacts", params={"period": "month", "month": "2026-10",
                                                                     "format": "csv"})
    rows = {r["measure"]: r["value"] for r in csv.DictReader(io.StringIO(response.text))}
    assert rows["total"] == "20" and rows["false_share"] == "0.15" and rows["abandon_rate"] == "0.1"
    assert rows["channel:sms"] == "3" and rows["classification:prank"] == "2"


async def test_ratings_of_the_months_incidents(october, leader):
    data = await fetch(leader, "ratings")
    # F1 5, F2 4, F3 2 (not fixed), F4 5, F7 3 (not fixed), M1 1. X1 (exercise), X2 (merged) and
    # N1 (November) rated too but never count.
    assert {k: v for k, v in data.items() if k != "period"} == {
        "count": 6,
        "mean": 3.33,  # 20 / 6
        "distribution": {"1": 1, "2": 1, "3": 1, "4": 1, "5": 2},
        "share_4_or_5": 0.5,  # 3 / 6
        "not_fixed": 2,
    }


async def test_ratings_follow_the_filters(october, leader):
    psc = await fetch(leader, "ratings", agency="PSC119")  # F13 (no rating) and M1
    assert (psc["count"], psc["mean"], psc["share_4_or_5"], psc["not_fixed"]) == (1, 1.0, 0.0, 0)
    batui = await fetch(leader, "ratings", kecamatan=BATUI_CODE)  # F4 5, F7 3 (not fixed), M1 1
    assert (batui["count"], batui["mean"], batui["share_4_or_5"], batui["not_fixed"]) == (3, 3.0, 0.3333, 1)
    none = await fetch(leader, "ratings", month="2026-09")  # S1 was not rated
    assert (none["count"], none["mean"], none["share_4_or_5"]) == (0, None, None)


async def test_a_contact_answered_before_it_was_received_counts_as_answered_at_once(app, leader):
    """Gateway and server clocks can disagree by a few seconds; a negative answer time reads as 0 s."""
    async with app.state.db.session_scope() as db:
        ids = await reference(db)
        for answer_s in (-3, 4, 8):
            await add_contact(db, ids, received=wita(10, 5, 9), answer_s=answer_s, classification="emergency")
    data = await fetch(leader, "contacts")
    # answers 0, 4, 8: mean 4, all within 10 s, slowest ⌈0.3⌉ = 1: 8
    assert (data["answered"], data["mean_answer_s"], data["share_answered_within_10s"],
            data["mean_slowest_10pct_answer_s"]) == (3, 4.0, 1.0, 8.0)
