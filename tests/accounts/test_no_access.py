"""Who has no access, told as stories: each test is one thing a persona must not see or do."""

from __future__ import annotations

from sqlalchemy import select

from cc112.accounts.models import AuditEntry
from tests.accounts.conftest import CALLER_E164, CALLER_MASKED, asgi_stream


async def _status(client, incident_id: int) -> dict:  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/incidents/{incident_id}")
    assert response.status_code == 200, response.text
    return {a["agency"]: a["status"] for a in response.json()["assignments"]} | {"incident": response.json()["status"]}


async def test_it_rejects_ack_from_other_agency(psc_dispatcher, polres_dispatcher, operator, scene):
    for other in (psc_dispatcher, polres_dispatcher):
        response = await other.post(
            f"/api/v1/assignments/{scene['damkar_assignment']}/status", json={"status": "acknowledged"}
        )
        assert response.status_code == 404, response.text
        assert "not found" in response.json()["error"]["message"]
    assert (await _status(operator, scene["incident_id"]))["DAMKAR"] == "requested"


async def test_polres_dispatcher_cannot_open_a_fire_polres_was_not_sent_to(polres_dispatcher, scene):
    detail = await polres_dispatcher.get(f"/api/v1/incidents/{scene['incident_id']}")
    assert detail.status_code == 404
    assert "not assigned to your agency" in detail.json()["error"]["message"]
    listed = (await polres_dispatcher.get("/api/v1/incidents")).json()
    assert listed["total"] == 0 and listed["items"] == []
    assert (await polres_dispatcher.get("/api/v1/assignments")).json() == []


async def test_damkar_dispatcher_sees_the_fire_only_once_damkar_is_dispatched(operator, damkar_dispatcher, fire):
    before = await damkar_dispatcher.get(f"/api/v1/incidents/{fire['id']}")
    assert before.status_code == 404
    sent = await operator.post(f"/api/v1/incidents/{fire['id']}/dispatch", json={"agencies": ["DAMKAR"]})
    assert sent.status_code == 201
    after = await damkar_dispatcher.get(f"/api/v1/incidents/{fire['id']}")
    assert after.status_code == 200
    assert after.json()["ticket"] == fire["ticket"]


async def test_responder_may_not_acknowledge_or_decline(responder, operator, scene):
    for body in ({"status": "acknowledged"}, {"status": "declined", "reason": "tidak ada unit"}):
        response = await responder.post(f"/api/v1/assignments/{scene['damkar_assignment']}/status", json=body)
        assert response.status_code == 403, response.text
        assert "ask your dispatcher" in response.json()["error"]["message"]
    assert (await _status(operator, scene["incident_id"]))["DAMKAR"] == "requested"


async def test_responder_reports_en_route_on_scene_and_completed(responder, operator, scene):
    for step in ("en_route", "on_scene", "completed"):
        response = await responder.post(
            f"/api/v1/assignments/{scene['damkar_assignment']}/status", json={"status": step}
        )
        assert response.status_code == 200, response.text
    seen = await _status(operator, scene["incident_id"])
    assert seen["DAMKAR"] == "completed" and seen["incident"] == "on_scene"  # PSC 119 is still working


async def test_responder_cannot_move_another_agencys_assignment(responder, operator, scene):
    response = await responder.post(
        f"/api/v1/assignments/{scene['psc_assignment']}/status", json={"status": "en_route"}
    )
    assert response.status_code == 404, response.text
    assert (await _status(operator, scene["incident_id"]))["PSC119"] == "requested"


async def test_outsider_sees_no_banggai_incident(outsider, scene):
    fid = scene["incident_id"]
    for path in (
        f"/api/v1/incidents/{fid}",
        f"/api/v1/incidents/{fid}/timeline",
        f"/api/v1/contacts/{scene['contact_id']}",
    ):
        response = await outsider.get(path)
        assert response.status_code == 404, path
        assert scene["ticket"] not in response.text
    assert (await outsider.get("/api/v1/incidents")).json()["total"] == 0
    assert (await outsider.get("/api/v1/map/incidents")).json() == []
    assert (await outsider.get("/api/v1/assignments")).json() == []
    assert (await outsider.get("/api/v1/contacts")).json()["total"] == 0
    history = (await outsider.get(f"/api/v1/callers/{CALLER_E164}/history")).json()
    assert history["contacts_total"] == 0 and history["incident_tickets"] == []


async def test_outsider_cannot_change_a_banggai_incident(outsider, operator, scene):
    fid = scene["incident_id"]
    attempts = [
        (f"/api/v1/incidents/{fid}/cancel", {"reason": "bukan wilayah kami"}),
        (f"/api/v1/incidents/{fid}/merge", {"into": str(scene["duplicate_id"])}),
        (f"/api/v1/incidents/{fid}/dispatch", {"agencies": ["BPBD"]}),
        (f"/api/v1/assignments/{scene['damkar_assignment']}/status", {"status": "acknowledged"}),
        (f"/api/v1/contacts/{scene['contact_id']}/classify", {"classification": "prank"}),
    ]
    for path, body in attempts:
        response = await outsider.post(path, json=body)
        assert response.status_code == 404, (path, response.text)
    seen = await _status(operator, fid)
    assert seen == {"incident": "dispatched", "DAMKAR": "requested", "PSC119": "requested"}
    contact = (await operator.get(f"/api/v1/contacts/{scene['contact_id']}")).json()
    assert contact["classification"] is None


async def test_outsider_live_stream_replays_nothing_from_banggai(app, outsider, scene):
    response = await asgi_stream(
        app, "/api/v1/events/stream?after=0", {"Authorization": outsider.headers["Authorization"]}
    )
    assert response.status_code == 200
    events = [line for line in response.text.splitlines() if line.startswith("event:")]
    assert events == ["event: ready"]
    assert scene["ticket"] not in response.text


async def test_polres_stream_shows_the_shared_map_but_not_other_agencies_assignments(
    app, polres_dispatcher, damkar_dispatcher, scene
):
    async def replay(client) -> str:  # type: ignore[no-untyped-def]
        response = await asgi_stream(
            app, "/api/v1/events/stream?after=0", {"Authorization": client.headers["Authorization"]}
        )
        assert response.status_code == 200
        return response.text

    polres, damkar = await replay(polres_dispatcher), await replay(damkar_dispatcher)
    assert "event: incident.created" in polres  # the shared situational picture
    assert "event: assignment.requested" not in polres
    assert "event: assignment.requested" in damkar
    assert "event: contact.received" not in polres + damkar  # intake only


async def test_leader_sees_masked_caller_numbers(leader, scene):
    listed = (await leader.get("/api/v1/contacts")).json()["items"]
    one = (await leader.get(f"/api/v1/contacts/{scene['contact_id']}")).json()
    for contact in (next(c for c in listed if c["id"] == scene["contact_id"]), one):
        assert contact["caller_number"] == CALLER_MASKED
        assert contact["caller_name"] is None and contact["caller_masked"] is True
    assert CALLER_E164 not in (await leader.get("/api/v1/contacts")).text
    history = await leader.get(f"/api/v1/callers/{CALLER_E164}/history")
    assert history.status_code == 403


async def test_admin_sees_masked_caller_numbers(admin, scene):
    response = await admin.get(f"/api/v1/contacts/{scene['contact_id']}")
    assert response.status_code == 200
    assert response.json()["caller_number"] == CALLER_MASKED
    assert "Budi" not in response.text


async def test_operator_sees_the_full_number_and_the_view_is_audited(app, operator, leader, scene):
    async def views() -> list[AuditEntry]:
        async with app.state.db.session(write=False) as session:
            return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "personal.viewed")))

    await leader.get(f"/api/v1/contacts/{scene['contact_id']}")
    assert await views() == []  # a masked view shows nothing personal
    response = await operator.get(f"/api/v1/contacts/{scene['contact_id']}")
    assert response.json()["caller_number"] == CALLER_E164
    assert response.json()["caller_name"] == "Budi Santoso"
    [entry] = await views()
    assert entry.actor_name == "operator" and entry.detail["contact_ids"] == [scene["contact_id"]]


async def test_leader_cannot_dispatch_close_or_cancel(leader, operator, scene):
    fid = scene["incident_id"]
    for path, body in (
        (f"/api/v1/incidents/{fid}/dispatch", {"agencies": ["BPBD"]}),
        (f"/api/v1/incidents/{fid}/cancel", {"reason": "tidak perlu"}),
        (f"/api/v1/incidents/{fid}/close", {"reason": "selesai"}),
    ):
        response = await leader.post(path, json=body)
        assert response.status_code == 403
        assert "your role (leader) may not" in response.json()["error"]["message"]
    assert (await _status(operator, fid))["incident"] == "dispatched"


async def test_agency_dispatcher_cannot_open_incidents_or_read_contacts(damkar_dispatcher, scene):
    created = await damkar_dispatcher.post("/api/v1/incidents", json={"type": "kebakaran_bangunan"})
    assert created.status_code == 403
    assert "may not create incidents" in created.json()["error"]["message"]
    contacts = await damkar_dispatcher.get(f"/api/v1/contacts/{scene['contact_id']}")
    assert contacts.status_code == 403
    assert CALLER_E164 not in contacts.text


async def test_operator_cannot_acknowledge_for_an_agency(operator, scene):
    response = await operator.post(
        f"/api/v1/assignments/{scene['damkar_assignment']}/status", json={"status": "acknowledged"}
    )
    assert response.status_code == 403
    assert (await _status(operator, scene["incident_id"]))["DAMKAR"] == "requested"


async def test_an_agency_cannot_silently_cancel_its_own_assignment(damkar_dispatcher, supervisor, operator, scene):
    url = f"/api/v1/assignments/{scene['damkar_assignment']}/status"
    refused = await damkar_dispatcher.post(url, json={"status": "cancelled"})
    assert refused.status_code == 403
    assert "decline it with a reason" in refused.json()["error"]["message"]
    assert (await _status(operator, scene["incident_id"]))["DAMKAR"] == "requested"
    stood_down = await supervisor.post(url, json={"status": "cancelled"})  # the command center may
    assert stood_down.status_code == 200
