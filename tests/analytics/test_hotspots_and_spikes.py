"""Hotspots (H3 cells) on the October history, and spikes on a history of their own."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import h3

from cc112.analytics.service import HOTSPOT_RESOLUTION
from tests.analytics.history import (
    BATUI_CODE,
    BATUI_POINT,
    FIRE,
    LUWUK_POINT,
    MEDICAL,
    TRAFFIC,
    TREE,
    Spec,
    add_incidents,
    fetch,
    reference,
    wita,
)


async def test_hotspots_group_incidents_by_hexagon(october, leader):
    luwuk, batui = (h3.latlng_to_cell(*p, HOTSPOT_RESOLUTION) for p in (LUWUK_POINT, BATUI_POINT))
    assert luwuk != batui
    cells = (await fetch(leader, "hotspots"))["cells"]
    # Luwuk: F1–F3, F5, F6, F8–F11, F13, F14 (11 fires) and K1 = 12; Batui: F4, F7, F12, M1 = 4;
    # O1 has no coordinates; X1, X2 and N1 (all in Luwuk) never count.
    assert [(c["cell"], c["count"]) for c in cells] == [(luwuk, 12), (batui, 4)]
    assert cells[0]["top_types"] == [{"code": FIRE, "count": 11}, {"code": TRAFFIC, "count": 1}]
    assert {t["code"]: t["count"] for t in cells[1]["top_types"]} == {FIRE: 2, TREE: 1, MEDICAL: 1}
    for cell, (lat, lon) in zip(cells, (LUWUK_POINT, BATUI_POINT), strict=True):
        assert abs(cell["lat"] - lat) < 0.02 and abs(cell["lon"] - lon) < 0.02  # centre of a ≈5 km² hexagon
        assert len(cell["boundary"]) == 6
    batui_only = (await fetch(leader, "hotspots", kecamatan=BATUI_CODE))["cells"]
    assert [(c["cell"], c["count"]) for c in batui_only] == [(batui, 4)]
    response = await leader.get("/api/v1/analytics/hotspots",
                                params={"period": "month", "month": "2026-10", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["cell"], r["count"]) for r in rows] == [(luwuk, "12"), (batui, "4")]
    assert rows[0]["top_types"] == f"{FIRE}:11 {TRAFFIC}:1"


def _many(prefix: str, type_code: str, moments: list[datetime], **extra) -> list[Spec]:  # type: ignore[no-untyped-def]
    return [Spec(f"{prefix}{i}", at, type_code, 2, "Luwuk", **extra) for i, at in enumerate(moments)]


async def test_a_type_far_above_its_usual_daily_rate_on_the_last_day_is_a_spike(app, leader):
    """Last day 31 October; baseline the 28 days before it (3–30 October, local)."""
    async with app.state.db.session_scope() as db:
        ids = await reference(db)
        await add_incidents(db, ids, [
            # traffic: 6 on the 31st (the last at 23:30 WITA = 15:30 UTC), 5 in the baseline
            # (5 / 28 = 0.18 a day), one on 2 Oct (before the baseline), one at 31 Oct 16:30 UTC
            # (1 November locally). Threshold max(3, 0.18 + 3·√0.18 = 1.45) = 3: a spike.
            *_many("T", TRAFFIC, [wita(10, 31, h, m) for h, m in ((8, 0), (10, 0), (12, 0), (14, 0), (16, 0), (23, 30))]
                   + [wita(10, d, 9) for d in (3, 8, 13, 20, 30)]
                   + [wita(10, 2, 9), datetime(2026, 10, 31, 16, 30, tzinfo=UTC)]),
            # medical: one every day of the baseline (1.0 a day) and 3 on the 31st: threshold
            # max(3, 1 + 3·1 = 4) = 4, so 3 is its usual noise, not a spike.
            *_many("M", MEDICAL, [wita(10, d, 10) for d in range(3, 31)] + [wita(10, 31, h) for h in (9, 10, 11)]),
            # fire: 3 on the 31st and none before: exactly at the floor of 3, a spike.
            *_many("F", FIRE, [wita(10, 31, h) for h in (1, 2, 3)]),
            # fallen trees: 2 real ones on the 31st (below the floor), plus 6 exercise ones and
            # 4 duplicates merged into the first — which must not make it a spike.
            *_many("R", TREE, [wita(10, 31, 7), wita(10, 31, 8)]),
            *_many("RX", TREE, [wita(10, 31, 9)] * 6, is_exercise=True),
            *_many("RM", TREE, [wita(10, 31, 10)] * 4, status="merged", merged_into="R0"),
        ])
    spikes = (await fetch(leader, "spikes"))["spikes"]
    assert spikes == [
        {"type": TRAFFIC, "name": "Kecelakaan lalu lintas", "day": "2026-10-31", "count": 6,
         "baseline_per_day": 0.18, "threshold": 3.0},
        {"type": FIRE, "name": "Kebakaran bangunan", "day": "2026-10-31", "count": 3,
         "baseline_per_day": 0.0, "threshold": 3.0},
    ]  # largest excess first: 6 − 0.18 before 3 − 0
    assert (await fetch(leader, "spikes", type=MEDICAL))["spikes"] == []
    # Ending on the 30th instead: one traffic accident and one medical call that day, no spike.
    assert (await fetch(leader, "spikes", period="custom", start="2026-10-01", end="2026-10-30"))["spikes"] == []
