"""The servicerequestupdates extension: each status change in public words, JSON and XML."""

from __future__ import annotations

from datetime import datetime, timedelta

from cc112 import clock
from tests.open311.conftest import BASE, assert_errors, both, check_update, file


async def take_through(operator, damkar_dispatcher, ticket: str) -> None:  # type: ignore[no-untyped-def]
    """Verify, dispatch Damkar, acknowledge, complete, close: the whole public life of a report."""
    incident = (await operator.get("/api/v1/incidents", params={"q": ticket})).json()["items"][0]
    assert (await operator.post(f"/api/v1/incidents/{incident['id']}/verify")).status_code == 200
    (assignment,) = (await operator.post(f"/api/v1/incidents/{incident['id']}/dispatch",
                                         json={"agencies": ["DAMKAR"]})).json()
    for step in ("acknowledged", "completed"):
        moved = await damkar_dispatcher.post(f"/api/v1/assignments/{assignment['id']}/status", json={"status": step})
        assert moved.status_code == 200, moved.text
    closed = await operator.post(f"/api/v1/incidents/{incident['id']}/close", json={"reason": "api padam"})
    assert closed.status_code == 200, closed.text


async def test_updates_tell_each_status_change_with_agency_names_only(anon, operator, damkar_dispatcher):
    receipt = await file(anon)
    ticket = receipt["service_request_id"]
    await take_through(operator, damkar_dispatcher, ticket)
    updates = await both(anon, "servicerequestupdates", root="service_request_updates")
    for update in updates:
        check_update(update)
    assert {u["service_request_id"] for u in updates} == {ticket}
    assert [(u["status"], u["description"]) for u in updates] == [
        ("open", "Laporan diterima oleh 112"),
        ("open", "Laporan diverifikasi operator 112"),
        ("open", "Dinas Pemadam Kebakaran dan Penyelamatan diminta menangani"),
        ("open", "Dinas Pemadam Kebakaran dan Penyelamatan mengonfirmasi"),
        ("closed", "Dinas Pemadam Kebakaran dan Penyelamatan selesai menangani"),
        ("closed", "Laporan ditutup"),
    ]
    ids = [int(u["update_id"]) for u in updates]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert "api padam" not in str(updates), "the closing reason is the call-taker's, not public"
    (row,) = await both(anon, f"requests/{ticket}", root="service_requests")
    closed_at = datetime.fromisoformat(row["updated_datetime"])
    last_update = datetime.fromisoformat(updates[-1]["updated_datetime"])
    assert row["status"] == "closed" and abs(closed_at - last_update) <= timedelta(seconds=1)


async def test_updates_filter_by_request_and_by_date(anon):
    first = await file(anon)
    clock.travel(timedelta(days=3))
    second = await file(anon)
    only = await both(anon, "servicerequestupdates", root="service_request_updates",
                      service_request_id=first["service_request_id"])
    assert [u["service_request_id"] for u in only] == [first["service_request_id"]]
    recent = await both(anon, "servicerequestupdates", root="service_request_updates",
                        start_date=(clock.now() - timedelta(days=1)).isoformat())
    assert [u["service_request_id"] for u in recent] == [second["service_request_id"]]
    assert len(await both(anon, "servicerequestupdates", root="service_request_updates")) == 2
    for fmt in ("json", "xml"):
        assert_errors(await anon.get(f"{BASE}/servicerequestupdates.{fmt}", params={"end_date": "soon"}), 400,
                      "end_date")
        assert_errors(await anon.get(f"{BASE}/servicerequestupdates.{fmt}", params={"jurisdiction_id": "72.71"}),
                      404, "jurisdiction_id")


async def test_a_sensitive_reports_updates_carry_no_words_of_the_report(anon):
    receipt = await file(anon, service_code="kdrt", description="Ibu R. dipukul suaminya")
    updates = await both(anon, "servicerequestupdates", root="service_request_updates")
    assert [u["description"] for u in updates] == ["Laporan diterima oleh 112"]
    assert updates[0]["service_request_id"] == receipt["service_request_id"]
