"""Met / not met against the one goal, trends and shortfalls: what leaders read off the scorecard."""

from __future__ import annotations

from cc112.analytics import present
from cc112.analytics.present import TARGET_SHARE_GOAL, Format, Verdict


def timing(share: float | None, expected: int = 10) -> dict[str, object]:
    within = round((share or 0) * expected)
    return {"expected": expected, "measured": expected, "p50_s": 30.0, "p90_s": 80.0, "within_target": within,
            "share_within": share}


def card(code: str, ack: float | None, response: float | None, resolution: float | None) -> dict[str, object]:
    return {"agency": code, "name": code.title(), "assignments": 10, "declined": 0, "reassigned": 0,
            "acknowledge": timing(ack), "response": timing(response), "resolution": timing(resolution)}


def test_the_goal_is_ninety_percent_and_exactly_ninety_meets_it():
    assert TARGET_SHARE_GOAL == 0.90
    assert "90 %" in present.GOAL_LABEL
    assert Verdict(share=0.9).met is True
    assert Verdict(share=0.8999).met is False
    assert Verdict(share=None).met is None


def test_an_agency_meets_the_goal_only_when_every_measured_step_does():
    rows = present.agency_rows([card("DAMKAR", 1.0, 0.95, None), card("PSC119", 0.95, 0.7, 0.92)], [])
    assert [r.met for r in rows] == [True, False]
    assert rows[0].measures["resolution"].met is None


def test_misses_say_by_how_much_the_largest_first():
    rows = present.agency_rows([card("POLRES", 0.85, 0.9, 1.0), card("PSC119", 0.9, 0.6, 1.0)], [])
    misses = present.misses(rows)
    assert [(m["agency"], m["measure"], m["verdict"].shortfall_pp) for m in misses] == [
        ("PSC119", "response", 30.0), ("POLRES", "acknowledge", 5.0)]
    assert misses[0]["verdict"].missed == 4


def test_the_trend_compares_with_the_previous_period_in_points():
    rows = present.agency_rows([card("PSC119", 0.8, 0.7, None)], [card("PSC119", 0.9, 0.5, 0.9)])
    measures = rows[0].measures
    assert measures["acknowledge"].trend_pp == -10.0
    assert measures["response"].trend_pp == 20.0
    assert measures["resolution"].trend_pp is None
    assert present.agency_rows([card("SAR", 0.9, 0.9, 0.9)], [])[0].measures["response"].trend_pp is None


def test_numbers_read_the_indonesian_way():
    f = Format("id")
    assert f.pct(0.875) == "87,5 %"
    assert f.num(12345) == "12.345"
    assert f.pp(-3.4) == "−3,4 poin" and f.pp(2.0) == "+2,0 poin" and f.pp(0.0) == "±0,0 poin"
    assert f.dur(45) == "45 d" and f.dur(125) == "2 m 05 d" and f.dur(3 * 3600 + 20 * 60) == "3 j 20 m"
    assert f.month("2026-10") == "Oktober 2026"
    assert Format("en").pct(0.875) == "87.5 %"


def test_the_heat_grid_shades_relative_to_the_busiest_hour():
    grid = [[0] * 24 for _ in range(7)]
    grid[4][20] = 9
    grid[0][8] = 1
    cells = present.heat_cells(grid)
    assert cells[4][20] == {"count": 9, "shade": 1.0}
    assert 0 < cells[0][8]["shade"] < 0.5
    assert cells[1][1]["shade"] == 0.0
