"""Who may read the numbers, what an outsider sees, and filters that name what they cannot find."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cc112.geo.models import Region
from tests.analytics.history import LUWUK_CODE, OCTOBER, fetch

# Module-level: the root conftest adds the anyio mark too late for parametrized async tests.
pytestmark = pytest.mark.anyio

ENDPOINTS = ("incidents", "scorecard", "contacts", "ratings", "hotspots", "spikes")


@pytest.mark.parametrize("persona", ["leader", "supervisor", "admin"])
async def test_leaders_supervisors_and_administrators_read_banggais_numbers(october, login, persona):
    client = await login(persona)
    for endpoint in ENDPOINTS:
        await fetch(client, endpoint)
    assert (await fetch(client, "incidents"))["total"] == 17


@pytest.mark.parametrize("persona", ["operator", "damkar_dispatcher", "responder"])
async def test_operators_and_agency_staff_are_refused(october, login, persona):
    client = await login(persona)
    for endpoint in ENDPOINTS:
        response = await client.get(f"/api/v1/analytics/{endpoint}", params=OCTOBER)
        assert response.status_code == 403, (endpoint, response.text)


async def test_without_a_login_nothing_is_shown(october, anon):
    for endpoint in ENDPOINTS:
        assert (await anon.get(f"/api/v1/analytics/{endpoint}", params=OCTOBER)).status_code == 401


async def test_an_outsider_sees_none_of_banggais_numbers(october, outsider):
    """A supervisor of Kota Palu reads Palu's dashboard: empty, whatever Banggai recorded."""
    incidents = await fetch(outsider, "incidents")
    assert incidents["total"] == 0 and incidents["by_type"] == [] and incidents["by_kecamatan"] == []
    assert all(d["count"] == 0 for d in incidents["by_day"])
    assert sum(map(sum, incidents["hour_weekday"])) == 0
    scorecard = await fetch(outsider, "scorecard")
    assert (scorecard["agencies"], scorecard["previous"], scorecard["jurisdiction"]["incidents"]) == ([], [], 0)
    contacts = await fetch(outsider, "contacts")
    assert (contacts["total"], contacts["false_share"], contacts["mean_answer_s"]) == (0, None, None)
    assert (await fetch(outsider, "ratings"))["count"] == 0
    assert (await fetch(outsider, "hotspots"))["cells"] == []
    assert (await fetch(outsider, "spikes"))["spikes"] == []
    # Banggai's agencies and kecamatan are not Palu's filters either.
    response = await outsider.get("/api/v1/analytics/incidents", params={**OCTOBER, "agency": "DAMKAR"})
    assert response.status_code == 422
    response = await outsider.get("/api/v1/analytics/incidents", params={**OCTOBER, "kecamatan": LUWUK_CODE})
    assert response.status_code == 422


async def _luwuk_desa(app) -> str:  # type: ignore[no-untyped-def]
    async with app.state.db.session_scope(write=False) as db:
        code = await db.scalar(select(Region.code).where(Region.parent_code == LUWUK_CODE).limit(1))
    assert code
    return code


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_unknown_filter_values_are_refused_naming_the_field(app, leader, endpoint):
    desa = await _luwuk_desa(app)
    cases = [({"agency": "PEMADAM"}, "agency"), ({"type": "kebakaran"}, "type"),
             ({"kecamatan": "72.01.99"}, "kecamatan"), ({"kecamatan": desa}, "kecamatan"),  # a desa, not a kecamatan
             ({"month": "2026-13"}, "month"), ({"period": "week"}, "period"),
             ({"period": "custom", "start": "2026-10-31", "end": "2026-10-01"}, "end")]
    for params, field in cases:
        response = await leader.get(f"/api/v1/analytics/{endpoint}", params={**OCTOBER, **params})
        assert response.status_code == 422, (params, response.text)
        assert field in [f["field"] for f in response.json()["error"]["fields"]], (params, response.text)
