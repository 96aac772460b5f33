"""Who may do what with alerts: supervisors compose and approve, leaders and admins read,
everyone else nothing; another jurisdiction's alerts do not exist; the public reads only what is published."""

from __future__ import annotations

import pytest

from tests.alerts.conftest import FLOOD, TELUK_LALONG, approve, compose

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("persona", ["operator", "leader", "admin", "damkar_dispatcher", "responder"])
async def test_only_supervisors_compose(persona, login):
    client = await login(persona)
    response = await client.post("/api/v1/alerts", json=FLOOD)
    assert response.status_code == 403
    assert "may not compose public alerts" in response.json()["error"]["message"]


@pytest.mark.parametrize("persona", ["operator", "leader", "admin", "damkar_dispatcher"])
async def test_only_supervisors_approve_or_reject(persona, login, supervisor):
    draft = await compose(supervisor)
    client = await login(persona)
    assert (await client.post(f"/api/v1/alerts/{draft['id']}/approve")).status_code == 403
    response = await client.post(f"/api/v1/alerts/{draft['id']}/reject", json={"reason": "tidak setuju"})
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["leader", "admin"])
async def test_leaders_and_admins_read_drafts_and_published_alerts(persona, login, supervisor, supervisor2):
    published = await approve(supervisor2, await compose(supervisor))
    draft = await compose(supervisor)
    client = await login(persona)
    listing = await client.get("/api/v1/alerts")
    assert listing.status_code == 200
    assert {a["id"] for a in listing.json()["items"]} == {published["id"], draft["id"]}
    drafts = await client.get("/api/v1/alerts", params={"state": "draft"})
    assert [a["id"] for a in drafts.json()["items"]] == [draft["id"]]
    assert (await client.get(f"/api/v1/alerts/{draft['id']}")).status_code == 200


@pytest.mark.parametrize("persona", ["operator", "damkar_dispatcher", "responder"])
async def test_other_staff_do_not_read_alert_drafts(persona, login, supervisor):
    draft = await compose(supervisor)
    client = await login(persona)
    assert (await client.get("/api/v1/alerts")).status_code == 403
    assert (await client.get(f"/api/v1/alerts/{draft['id']}")).status_code == 403


async def test_the_outsider_sees_nothing_of_banggai_alerts(outsider, supervisor, supervisor2):
    published = await approve(supervisor2, await compose(supervisor))
    draft = await compose(supervisor)
    listing = await outsider.get("/api/v1/alerts")
    assert listing.status_code == 200 and listing.json()["total"] == 0 and listing.json()["items"] == []
    for alert in (published, draft):
        response = await outsider.get(f"/api/v1/alerts/{alert['id']}")
        assert response.status_code == 404
        assert "Waspada" not in response.text
    assert (await outsider.post(f"/api/v1/alerts/{draft['id']}/approve")).status_code == 404
    assert (await outsider.post(f"/api/v1/alerts/{draft['id']}/reject", json={"reason": "bukan wilayah"})
            ).status_code == 404
    assert (await outsider.patch(f"/api/v1/alerts/{draft['id']}", json={"severity": "Minor"})).status_code == 404
    # Nor can they build on a Banggai alert.
    response = await outsider.post("/api/v1/alerts", json={"msg_type": "Cancel", "references": published["identifier"]})
    assert response.status_code == 422
    # A Palu supervisor cannot use Banggai's kecamatan either.
    response = await outsider.post("/api/v1/alerts", json=FLOOD)
    assert response.status_code == 422 and "unknown kecamatan" in response.json()["error"]["message"]
    assert (await supervisor.get(f"/api/v1/alerts/{draft['id']}")).json()["state"] == "draft"


async def test_anonymous_callers_get_no_staff_routes(anon, supervisor):
    draft = await compose(supervisor)
    assert (await anon.get("/api/v1/alerts")).status_code == 401
    assert (await anon.post("/api/v1/alerts", json=FLOOD)).status_code == 401
    assert (await anon.post(f"/api/v1/alerts/{draft['id']}/approve")).status_code == 401


async def test_each_jurisdiction_keeps_its_own_alerts(outsider, supervisor):
    palu = await compose(outsider, areas=[{"polygon": TELUK_LALONG, "description": "Teluk Palu (uji)"}])
    assert palu["sender"] == "urn:cc112:jurisdiction:72.71"
    assert (await supervisor.get("/api/v1/alerts")).json()["total"] == 0
    assert (await supervisor.get(f"/api/v1/alerts/{palu['id']}")).status_code == 404
    assert (await supervisor.post(f"/api/v1/alerts/{palu['id']}/approve")).status_code == 404
