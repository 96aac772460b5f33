"""Agency times against the targets in force, on the October history (tests/analytics/history.py).

DAMKAR P1 targets: 60 / 1 200 / 14 400 s (acknowledge / on scene / resolve) before 16 October,
120 / 900 / 10 800 s from 16 October 00:00 WITA on (set by the administrator in the fixture).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import update

from cc112 import clock
from cc112.incidents.models import Incident
from tests.analytics.history import BATUI_CODE, FIRE, MEDICAL, NOW, Spec, Step, add_incidents, fetch, reference


def timing(expected, measured, p50, p90, within):  # type: ignore[no-untyped-def]
    return {"expected": expected, "measured": measured, "p50_s": p50, "p90_s": p90, "within_target": within,
            "share_within": None if not expected else round(within / expected, 4)}


# DAMKAR P1, the eleven live assignments F1–F11 (F9 never acknowledged, F11 never completed):
#   acknowledgement (requested → acknowledged), sorted: 20 30 30 45 60 90 100 100 110 150
#     p50 = rank ⌈5⌉ = 60, p90 = rank ⌈9⌉ = 110.
#     within: F1 20≤60, F2 60≤60, F4 45≤60, F6 100≤120 (new), F8 110≤120, F10 30, F11 30 = 7;
#     misses: F3 90>60, F5 100>60 (requested 23:59 on the 15th: old target), F7 150>120, F9 never.
#   response (incident created → DAMKAR on scene), sorted: 600 600 700 800 950 1000 1000 1100 1200 1500
#     p50 = 950, p90 = 1200. within: F1, F2 (=1200), F4 1100, F5 1000≤1200 (old), F7 800≤900,
#     F10 700≤900, F11 600 = 7; misses: F3 1500, F6 1000>900 (new), F8 950>900, F9 never.
#   resolution (created → completed), sorted: 3600 7200 9000 10000 11000 12000 12000 14400 20000
#     p50 = rank ⌈4.5⌉ = 11000, p90 = rank ⌈8.1⌉ = 20000. within: F1, F2 (=14400), F4, F5 12000≤14400
#     (old), F7 10000≤10800, F8 9000 = 6; misses: F3, F6 12000>10800, F9 never, F10 11000>10800,
#     F11 never completed (due 1 Nov 02:01, long past by now, though after the month ended).
DAMKAR_P1 = {
    "acknowledge": timing(11, 10, 60.0, 110.0, 7),
    "response": timing(11, 10, 950.0, 1200.0, 7),
    "resolution": timing(11, 9, 11000.0, 20000.0, 6),
}
NOTHING = timing(0, 0, None, None, 0)


async def test_damkar_is_judged_against_the_target_in_force_when_each_assignment_was_requested(october, leader):
    data = await fetch(leader, "scorecard")
    cards = {c["agency"]: c for c in data["agencies"]}
    assert list(cards) == ["DAMKAR", "POLRES", "PSC119"]
    damkar = cards["DAMKAR"]
    assert damkar["name"] == "Dinas Pemadam Kebakaran dan Penyelamatan"
    # F1–F11, F12 and F13 (declined), F14 (stood down) = 14 assignments; the exercise X1 and the
    # duplicate X2 (both acknowledged in 5 s) would drag every number down if they were counted.
    assert damkar["assignments"] == 14
    for measure, expected in DAMKAR_P1.items():
        assert damkar[measure] == expected, measure
    # declined: F12 and F13; reassigned: only F12 (POLRES requested after the decline); F13's PSC 119
    # was requested together with DAMKAR, before the decline.
    assert (damkar["declined"], damkar["reassigned"]) == (2, 1)
    assert set(damkar["by_priority"]) == {"P1", "P3"}
    p1, p3 = damkar["by_priority"]["P1"], damkar["by_priority"]["P3"]
    assert (p1["assignments"], p1["declined"], p1["reassigned"]) == (13, 1, 0)
    assert {m: p1[m] for m in DAMKAR_P1} == DAMKAR_P1
    assert (p3["assignments"], p3["declined"], p3["reassigned"]) == (1, 1, 1)
    assert (p3["acknowledge"], p3["response"], p3["resolution"]) == (NOTHING, NOTHING, NOTHING)


async def test_other_agencies_are_judged_by_their_own_targets(october, leader):
    cards = {c["agency"]: c for c in (await fetch(leader, "scorecard"))["agencies"]}
    psc = cards["PSC119"]
    # F13 (ack 30, scene 500, done 4 000) and M1 (70, 1 500, 6 000); P1 targets 60 / 1 200 / 14 400.
    # N1's 5-second answer is November's.
    assert psc["assignments"] == 2
    assert psc["acknowledge"] == timing(2, 2, 30.0, 70.0, 1)  # 2 values: p50 rank 1, p90 rank 2
    assert psc["response"] == timing(2, 2, 500.0, 1500.0, 1)
    assert psc["resolution"] == timing(2, 2, 4000.0, 6000.0, 2)
    polres = cards["POLRES"]
    # F12 (P3: 300 / 3 600 / 86 400): 200, 2 000, 5 000 — response counted from the incident's
    # creation, not from POLRES's late request at 300 s; K1 (P2: 120 / 1 800 / 28 800): 50, 700, 3 000.
    assert polres["acknowledge"] == timing(2, 2, 50.0, 200.0, 2)
    assert polres["response"] == timing(2, 2, 700.0, 2000.0, 2)
    assert polres["resolution"] == timing(2, 2, 3000.0, 5000.0, 2)
    assert set(polres["by_priority"]) == {"P2", "P3"}
    assert (polres["declined"], polres["reassigned"]) == (0, 0)


async def test_the_same_times_are_judged_differently_either_side_of_a_target_change(october, leader, admin):
    history = (await admin.get("/api/v1/agencies/DAMKAR/targets")).json()
    p1 = [t for t in history if t["priority"] == 1]
    assert [t["acknowledge_seconds"] for t in p1] == [60, 120]
    assert p1[1]["valid_from"].startswith("2026-10-15T16:00:00")  # 16 Oct 00:00 WITA
    # F5 (requested 23:59:00 on the 15th) and F6 (requested 00:00:00 on the 16th) took the same
    # 100 s to acknowledge, 1 000 s to arrive and 12 000 s to finish.
    old = await fetch(leader, "scorecard", period="custom", start="2026-10-15", end="2026-10-15", agency="DAMKAR")
    # F5 and F6 were both created on the 15th (23:58, 23:59), so both are in the first period:
    (card,) = old["agencies"]
    assert card["assignments"] == 2
    assert card["acknowledge"] == timing(2, 2, 100.0, 100.0, 1)  # F5 100 > 60 (old); F6 100 ≤ 120 (new)
    assert card["response"] == timing(2, 2, 1000.0, 1000.0, 1)  # F5 1000 ≤ 1200; F6 1000 > 900
    assert card["resolution"] == timing(2, 2, 12000.0, 12000.0, 1)  # F5 ≤ 14400; F6 > 10800


async def test_an_assignment_open_long_after_its_deadline_is_a_miss_even_if_the_deadline_fell_after_the_month(
        october, leader):
    damkar = (await fetch(leader, "scorecard", period="custom", start="2026-10-31", end="2026-10-31",
                          agency="DAMKAR"))["agencies"][0]
    # F10: done after 11 000 s > 10 800 (a miss, though it finished on 1 November); F11: requested
    # 23:01 on the 31st, resolve target 10 800 s, due 02:01 on 1 November, still open on 15 December.
    # Counting F10 but not F11 would reward never finishing over finishing late.
    assert damkar["resolution"] == timing(2, 1, 11000.0, 11000.0, 0)
    assert damkar["acknowledge"] == timing(2, 2, 30.0, 30.0, 2)
    assert damkar["response"] == timing(2, 2, 600.0, 700.0, 2)  # F10 arrived at 00:11:40 on 1 Nov


async def test_the_scorecard_carries_the_previous_period_and_incident_level_times(october, leader):
    data = await fetch(leader, "scorecard")
    # September: S1 only (23:00 WITA on 30 Sep), DAMKAR 30 / 600 / 3 000, all within.
    (previous,) = data["previous"]
    assert previous["agency"] == "DAMKAR" and previous["assignments"] == 1
    assert previous["acknowledge"] == timing(1, 1, 30.0, 30.0, 1)
    assert previous["resolution"] == timing(1, 1, 3000.0, 3000.0, 1)
    # Incident level, cancelled F14 left out: 16 incidents.
    # response (created → first unit on scene) of 14: 500 600 600 700 700 800 950 1000 1000 1100 1200
    #   1500 1500 2000 → p50 rank 7 = 950, p90 rank ⌈12.6⌉ = 13 = 1500 (F9 and O1 never had one).
    # resolution (created → resolved) of 13: 3000 3600 4000 5000 6000 7200 9000 10000 11000 12000
    #   12000 14400 20000 → p50 rank ⌈6.5⌉ = 7 = 9000, p90 rank ⌈11.7⌉ = 12 = 14400.
    assert data["jurisdiction"] == {
        "incidents": 16,
        "response": {"measured": 14, "p50_s": 950.0, "p90_s": 1500.0},
        "resolution": {"measured": 13, "p50_s": 9000.0, "p90_s": 14400.0},
    }


async def test_scorecard_filters(october, leader):
    damkar_only = await fetch(leader, "scorecard", agency="DAMKAR")
    assert [c["agency"] for c in damkar_only["agencies"]] == ["DAMKAR"]
    assert {m: damkar_only["agencies"][0][m] for m in DAMKAR_P1} == DAMKAR_P1
    assert [c["agency"] for c in damkar_only["previous"]] == ["DAMKAR"]
    medical = await fetch(leader, "scorecard", type=MEDICAL)
    (psc,) = medical["agencies"]
    assert (psc["agency"], psc["acknowledge"]) == ("PSC119", timing(1, 1, 70.0, 70.0, 0))  # M1: 70 > 60
    batui = {c["agency"]: c for c in (await fetch(leader, "scorecard", kecamatan=BATUI_CODE))["agencies"]}
    # Batui: F4 (45 ≤ 60 old), F7 (150 > 120 new), F12 declined then handed to POLRES.
    assert batui["DAMKAR"]["assignments"] == 3
    assert batui["DAMKAR"]["acknowledge"] == timing(2, 2, 45.0, 150.0, 1)
    assert (batui["DAMKAR"]["declined"], batui["DAMKAR"]["reassigned"]) == (1, 1)
    assert set(batui) == {"DAMKAR", "POLRES", "PSC119"}
    fires = {c["agency"]: c["assignments"] for c in (await fetch(leader, "scorecard", type=FIRE))["agencies"]}
    assert fires == {"DAMKAR": 13, "PSC119": 1}  # F12 (tree) and its POLRES/DAMKAR pair drop out


async def test_exercises_and_duplicates_stay_out_of_the_scorecard_until_they_are_real(october, app, leader):
    async with app.state.db.session_scope() as db:
        await db.execute(update(Incident).where(Incident.id == october.incidents["X1"]).values(is_exercise=False))
        await db.execute(update(Incident).where(Incident.id == october.incidents["X2"]).values(status="resolved"))
    damkar = (await fetch(leader, "scorecard"))["agencies"][0]
    # Both were acknowledged after 5 s, on scene at 100 s, done at 200 s: 12 acknowledgements now,
    # sorted 5 5 20 30 30 45 60 90 100 100 110 150 → p50 rank 6 = 45, p90 rank ⌈10.8⌉ = 11 = 110;
    # within 7 + 2 of 13 expected.
    assert damkar["assignments"] == 16
    assert damkar["acknowledge"] == timing(13, 12, 45.0, 110.0, 9)


async def test_scorecard_downloads_as_csv(october, leader):
    response = await leader.get("/api/v1/analytics/scorecard",
                                params={"period": "month", "month": "2026-10", "format": "csv"})
    assert response.status_code == 200
    rows = {(r["agency"], r["priority"]): r for r in csv.DictReader(io.StringIO(response.text))}
    assert list(rows) == [("DAMKAR", "all"), ("DAMKAR", "P1"), ("DAMKAR", "P3"), ("POLRES", "all"),
                          ("POLRES", "P2"), ("POLRES", "P3"), ("PSC119", "all"), ("PSC119", "P1")]
    damkar = rows[("DAMKAR", "all")]
    assert (int(damkar["assignments"]), int(damkar["declined"]), int(damkar["reassigned"])) == (14, 2, 1)
    assert float(damkar["acknowledge_p50_s"]) == 60 and float(damkar["acknowledge_p90_s"]) == 110
    assert float(damkar["acknowledge_share_within"]) == 0.6364  # 7 / 11
    assert float(damkar["resolution_share_within"]) == 0.5455  # 6 / 11
    assert damkar["resolution_expected"] == "11"
    assert rows[("DAMKAR", "P3")]["acknowledge_p50_s"] == ""  # nothing measured


async def test_in_the_current_period_only_overdue_steps_count_as_misses(app, leader):
    """Today is 15 December, 12:00 WITA. DAMKAR P1 targets (seed): 60 / 1 200 / 14 400 s."""
    async with app.state.db.session_scope() as db:
        ids = await reference(db)
        ago = lambda seconds: NOW - timedelta(seconds=seconds)  # noqa: E731
        await add_incidents(db, ids, [
            # A1: requested 10 s ago, not acknowledged: due in 50 s, not a miss yet.
            Spec("A1", ago(40), FIRE, 1, "Luwuk", [Step("DAMKAR", requested=30)]),
            # A2: requested 5 min ago, not acknowledged: overdue, a miss.
            Spec("A2", ago(300), FIRE, 1, "Luwuk", [Step("DAMKAR", requested=0)]),
            # A3: created 30 min ago, dispatched late (25 min after creation), acknowledged in 20 s,
            # not on scene: the response (counted from creation) was due 10 min ago — a miss.
            Spec("A3", ago(1800), FIRE, 1, "Luwuk", [Step("DAMKAR", requested=1500, ack=20)]),
            # A4: two hours ago; acknowledged in 30 s, on scene after 900 s, still working (4 h allowed).
            Spec("A4", ago(7200), FIRE, 1, "Luwuk", [Step("DAMKAR", ack=30, on_scene=900)]),
        ])
    damkar = (await fetch(leader, "scorecard", period="today"))["agencies"][0]
    assert damkar["assignments"] == 4
    assert damkar["acknowledge"] == timing(3, 2, 20.0, 30.0, 2)  # A2 a miss, A1 not yet due
    assert damkar["response"] == timing(2, 1, 900.0, 900.0, 1)  # A3 a miss, A1 and A2 not yet due
    assert damkar["resolution"] == NOTHING  # nobody is due before 14:00


async def test_a_crew_that_sets_off_without_acknowledging_has_acknowledged(dispatched_fire, responder, leader):
    """Through the real lifecycle: DAMKAR goes requested → en_route → on_scene → completed."""
    damkar = dispatched_fire["assignments"]["DAMKAR"]["id"]
    for step in ("en_route", "on_scene", "completed"):
        response = await responder.post(f"/api/v1/assignments/{damkar}/status", json={"status": step})
        assert response.status_code == 200, response.text
    clock.travel(timedelta(minutes=2))  # past the 60 s acknowledgement target
    cards = {c["agency"]: c for c in (await fetch(leader, "scorecard", period="today"))["agencies"]}
    # DAMKAR answered by setting off at once: measured and within, not "never acknowledged".
    ack = cards["DAMKAR"]["acknowledge"]
    assert (ack["expected"], ack["measured"], ack["within_target"]) == (1, 1, 1)
    # PSC 119 was requested at the same moment and never answered: two minutes on, a miss.
    assert cards["PSC119"]["acknowledge"] == timing(1, 0, None, None, 0)
