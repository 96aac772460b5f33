"""Citizens' reports through the public API: filing, retries, tracking, feedback."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from cc112.events.models import Event
from cc112.incidents.models import Incident

REPORT = {"category": "banjir", "description": "Air naik setinggi lutut di jalan utama", "region_code": "72.01.04",
          "phone": "0812-3456-7890"}


def client_from(app, ip: str) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="http://cc112.test")


async def file_report(anon, **extra):  # type: ignore[no-untyped-def]
    response = await anon.post("/api/v1/public/reports", json={**REPORT, **extra})
    assert response.status_code == 201, response.text
    return response.json()


async def count_incidents(app) -> int:  # type: ignore[no-untyped-def]
    async with app.state.db.session() as s:
        return int(await s.scalar(select(func.count(Incident.id))))


async def test_a_report_is_unverified_and_not_dispatched(anon, operator):
    receipt = await file_report(anon)
    assert receipt["ticket"].startswith("BGI-") and len(receipt["tracking_code"]) == 8
    page = (await operator.get("/api/v1/incidents", params={"q": receipt["ticket"]})).json()
    incident = page["items"][0]
    assert incident["status"] == "received"
    assert incident["assignments"] == []
    assert incident["region"]["name"] == "Luwuk"


async def test_a_retry_with_the_same_key_returns_the_first_answer_and_creates_nothing(app, anon):
    headers = {"Idempotency-Key": "laporan-retry-0001"}
    first = await anon.post("/api/v1/public/reports", json=REPORT, headers=headers)
    again = await anon.post("/api/v1/public/reports", json=REPORT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert await count_incidents(app) == 1


async def test_the_same_key_with_another_body_is_refused(anon):
    headers = {"Idempotency-Key": "laporan-retry-0002"}
    assert (await anon.post("/api/v1/public/reports", json=REPORT, headers=headers)).status_code == 201
    other = await anon.post("/api/v1/public/reports", json={**REPORT, "description": "lain"}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["error"]["message"]


async def test_tracking_needs_the_right_code(anon):
    receipt = await file_report(anon)
    ok = await anon.get(f"/api/v1/public/reports/{receipt['ticket']}", params={"code": receipt["tracking_code"]})
    assert ok.status_code == 200
    assert ok.json()["status"] == "received"
    assert ok.json()["timeline"][0]["text"] == "Laporan diterima oleh 112"
    wrong = await anon.get(f"/api/v1/public/reports/{receipt['ticket']}", params={"code": "AAAAAAAA"})
    assert wrong.status_code == 404


async def _resolve(operator, damkar_dispatcher, ticket):  # type: ignore[no-untyped-def]
    incident = (await operator.get("/api/v1/incidents", params={"q": ticket})).json()["items"][0]
    assert (await operator.post(f"/api/v1/incidents/{incident['id']}/verify")).status_code == 200
    assignment = (await operator.post(f"/api/v1/incidents/{incident['id']}/assignments", json={"agency": "DAMKAR"})).json()
    for status in ("acknowledged", "en_route", "on_scene", "completed"):
        r = await damkar_dispatcher.post(f"/api/v1/assignments/{assignment['id']}/status", json={"status": status})
        assert r.status_code == 200, r.text
    return incident


async def test_the_citizen_follows_progress_and_rates_once(anon, operator, damkar_dispatcher):
    receipt = await file_report(anon)
    ticket, code = receipt["ticket"], receipt["tracking_code"]
    early = await anon.post(f"/api/v1/public/reports/{ticket}/feedback", json={"code": code, "rating": 5})
    assert early.status_code == 409
    await _resolve(operator, damkar_dispatcher, ticket)
    status = (await anon.get(f"/api/v1/public/reports/{ticket}", params={"code": code})).json()
    assert status["status"] == "resolved"
    texts = [e["text"] for e in status["timeline"]]
    assert "Dinas Pemadam Kebakaran dan Penyelamatan tiba di lokasi" in texts
    assert status["can_give_feedback"] is True
    rated = await anon.post(f"/api/v1/public/reports/{ticket}/feedback", json={"code": code, "rating": 4, "comment": "cepat"})
    assert rated.status_code == 201
    assert rated.json()["feedback"] == {"rating": 4, "not_fixed": False}
    twice = await anon.post(f"/api/v1/public/reports/{ticket}/feedback", json={"code": code, "rating": 1})
    assert twice.status_code == 409


async def test_not_fixed_reopens_the_report_and_tells_the_supervisor(app, anon, operator, damkar_dispatcher):
    receipt = await file_report(anon)
    incident = await _resolve(operator, damkar_dispatcher, receipt["ticket"])
    r = await anon.post(f"/api/v1/public/reports/{receipt['ticket']}/feedback",
                        json={"code": receipt["tracking_code"], "rating": 1, "not_fixed": True})
    assert r.status_code == 201
    assert r.json()["status"] == "verified"
    async with app.state.db.session() as s:
        kinds = list(await s.scalars(select(Event.kind).where(Event.incident_id == incident["id"])))
    assert "incident.reopened" in kinds and "feedback.received" in kinds


async def test_a_filled_honeypot_is_refused(anon):
    r = await anon.post("/api/v1/public/reports", json={**REPORT, "website": "http://spam.example"})
    assert r.status_code == 422


async def test_unknown_or_internal_categories_are_refused(anon):
    r = await anon.post("/api/v1/public/reports", json={**REPORT, "category": "rahasia"})
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "category"


async def test_a_report_needs_a_place(anon):
    r = await anon.post("/api/v1/public/reports", json={"category": "banjir", "description": "air naik"})
    assert r.status_code == 422
    assert "region_code" in r.text


async def test_a_blocked_prank_number_is_flagged_not_dropped(anon, operator):
    for _ in range(3):
        c = (await operator.post("/api/v1/contacts", json={"channel": "phone", "caller_number": "081299990000",
                                                           "classification": "prank"})).json()
    assert c["caller_blocked"] is True
    receipt = await file_report(anon, phone="081299990000")
    incident = (await operator.get("/api/v1/incidents", params={"q": receipt["ticket"]})).json()["items"][0]
    contact = (await operator.get(f"/api/v1/contacts/{incident['contact_ids'][0]}")).json()
    assert contact["caller_blocked"] is True


async def test_a_thousand_reports_a_minute_from_one_source_get_429_while_others_get_through(app):
    flooder, neighbour = client_from(app, "10.9.9.9"), client_from(app, "10.1.1.1")
    try:
        codes = [(await flooder.post("/api/v1/public/reports", json={**REPORT, "phone": None})).status_code
                 for _ in range(1000)]
        assert codes.count(201) == 10  # CC112_PUBLIC_REPORTS_PER_IP default: 10/minute
        assert codes.count(429) == 990
        limited = await flooder.post("/api/v1/public/reports", json={**REPORT, "phone": None})
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert "try again" in limited.json()["error"]["message"]
        assert (await neighbour.post("/api/v1/public/reports", json=REPORT)).status_code == 201
    finally:
        await flooder.aclose()
        await neighbour.aclose()
