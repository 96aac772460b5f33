"""An incident from creation to closing, through the API."""

from __future__ import annotations

import re

from tests.conftest import LUWUK_FIRE


async def test_a_fire_in_luwuk_gets_a_ticket_a_kecamatan_and_proposed_agencies(operator):
    response = await operator.post("/api/v1/incidents", json=LUWUK_FIRE)
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"BGI-\d{8}-0001", body["ticket"])
    assert body["region"]["name"] == "Luwuk"
    assert body["priority"] == 1
    assert body["status"] == "verified"
    proposed = {p["agency"]: p["role"] for p in body["proposed_agencies"]}
    assert proposed["DAMKAR"] == "primary"
    assert proposed["PSC119"] == "support"


async def test_tickets_count_up_per_day(operator):
    first = (await operator.post("/api/v1/incidents", json=LUWUK_FIRE)).json()["ticket"]
    second = (await operator.post("/api/v1/incidents", json=LUWUK_FIRE)).json()["ticket"]
    assert first.endswith("-0001") and second.endswith("-0002")
    assert first[:12] == second[:12]


async def test_full_lifecycle_derives_incident_status(operator, damkar_dispatcher, psc_dispatcher, responder,
                                                      dispatched_fire):
    fid = dispatched_fire["id"]
    damkar = dispatched_fire["assignments"]["DAMKAR"]["id"]
    psc = dispatched_fire["assignments"]["PSC119"]["id"]

    async def status() -> str:
        return (await operator.get(f"/api/v1/incidents/{fid}")).json()["status"]

    assert await status() == "dispatched"
    assert (await damkar_dispatcher.post(f"/api/v1/assignments/{damkar}/status", json={"status": "acknowledged"})).status_code == 200
    assert (await psc_dispatcher.post(f"/api/v1/assignments/{psc}/status", json={"status": "acknowledged"})).status_code == 200
    assert (await responder.post(f"/api/v1/assignments/{damkar}/status", json={"status": "en_route"})).status_code == 200
    assert await status() == "dispatched"
    assert (await responder.post(f"/api/v1/assignments/{damkar}/status", json={"status": "on_scene"})).status_code == 200
    assert await status() == "on_scene"
    assert (await responder.post(f"/api/v1/assignments/{damkar}/status", json={"status": "completed"})).status_code == 200
    assert await status() == "on_scene"  # PSC 119 is still working
    for step in ("en_route", "on_scene", "completed"):
        r = await psc_dispatcher.post(f"/api/v1/assignments/{psc}/status", json={"status": step})
        assert r.status_code == 200, r.text
    assert await status() == "resolved"
    closed = await operator.post(f"/api/v1/incidents/{fid}/close", json={"reason": "api padam"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    kinds = [e["kind"] for e in (await operator.get(f"/api/v1/incidents/{fid}/timeline")).json()]
    assert kinds[0] == "incident.created"
    assert kinds.count("assignment.requested") == 2
    assert kinds[-1] == "incident.closed"


async def test_a_declined_assignment_keeps_its_reason(damkar_dispatcher, operator, dispatched_fire):
    damkar = dispatched_fire["assignments"]["DAMKAR"]["id"]
    no_reason = await damkar_dispatcher.post(f"/api/v1/assignments/{damkar}/status", json={"status": "declined"})
    assert no_reason.status_code == 422
    assert "reason" in no_reason.text
    ok = await damkar_dispatcher.post(f"/api/v1/assignments/{damkar}/status",
                                      json={"status": "declined", "reason": "semua unit di lokasi lain"})
    assert ok.status_code == 200
    assert ok.json()["decline_reason"] == "semua unit di lokasi lain"


async def test_closing_an_open_incident_is_refused_with_advice(operator, dispatched_fire):
    response = await operator.post(f"/api/v1/incidents/{dispatched_fire['id']}/close", json={})
    assert response.status_code == 409
    assert "cancel" in response.json()["error"]["message"]


async def test_merging_keeps_the_duplicate_and_moves_its_contacts(operator, fire):
    contact = (await operator.post("/api/v1/contacts", json={"channel": "phone", "caller_number": "081234567890"})).json()
    dup = (await operator.post("/api/v1/incidents", json={**LUWUK_FIRE, "contact_id": contact["id"]})).json()
    merged = await operator.post(f"/api/v1/incidents/{dup['id']}/merge", json={"into": fire["ticket"]})
    assert merged.status_code == 200, merged.text
    assert merged.json()["status"] == "merged"
    assert merged.json()["merged_into"] == fire["ticket"]
    master = (await operator.get(f"/api/v1/incidents/{fire['id']}")).json()
    assert contact["id"] in master["contact_ids"]
    again = await operator.post(f"/api/v1/incidents/{dup['id']}/merge", json={"into": fire["ticket"]})
    assert again.status_code == 409


async def test_a_call_and_its_incident_in_one_request(operator):
    body = {**LUWUK_FIRE, "contact": {"channel": "phone", "caller_number": "0812 3456 7890",
                                      "received_at": "2026-11-28T10:00:00+08:00", "classification": "emergency"}}
    response = await operator.post("/api/v1/incidents", json=body)
    assert response.status_code == 201, response.text
    incident = response.json()
    [contact_id] = incident["contact_ids"]
    contact = (await operator.get(f"/api/v1/contacts/{contact_id}")).json()
    assert contact["caller_number"] == "+6281234567890"
    assert contact["incident_id"] == incident["id"]
    both = await operator.post("/api/v1/incidents", json={**body, "contact_id": contact_id})
    assert both.status_code == 422
    assert both.json()["error"]["fields"][0]["field"] == "contact"
