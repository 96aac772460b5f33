"""Contacts through the API: number normalisation, masking and audit, prank blocking, caller history."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from cc112 import clock
from cc112.accounts.models import AuditEntry
from tests.conftest import LUWUK_FIRE

# Module-level: the conftest adds the anyio mark too late for parametrized async tests.
pytestmark = pytest.mark.anyio

MOBILE = "+6281234567890"
PRANKSTER = "0813-1111-2222"
PRANKSTER_E164 = "+6281311112222"


async def record(client, **fields):  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/contacts", json={"channel": "phone", **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def personal_views(app) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    async with app.state.db.session_scope(write=False) as session:
        return list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "personal.viewed").order_by(AuditEntry.id)
            )
        )


async def travel(login, *, hours: float):  # type: ignore[no-untyped-def]
    """Move the clock; idle sessions end after 30 minutes, so the operator logs in again."""
    clock.travel(timedelta(hours=hours))
    return await login("operator")


def field_names(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {f["field"] for f in response.json()["error"].get("fields", [])}


# --- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812-3456-7890", MOBILE),
        ("0812 3456 7890", MOBILE),
        ("+62 812 3456 7890", MOBILE),
        ("0461 21234", "+6246121234"),  # a Luwuk fixed line
        ("(0461) 21234", "+6246121234"),
        ("+6246121234", "+6246121234"),
    ],
)
async def test_caller_numbers_are_stored_as_e164(operator, typed, stored):
    contact = await record(operator, caller_number=typed)
    assert contact["caller_number"] == stored
    again = await operator.get(f"/api/v1/contacts/{contact['id']}")
    assert again.json()["caller_number"] == stored
    assert again.json()["caller_masked"] is False


@pytest.mark.parametrize("garbage", ["abc", "12", "112", "0812345678901234567", "+62 hello"])
async def test_a_garbage_number_is_refused_naming_caller_number(operator, garbage):
    response = await operator.post("/api/v1/contacts", json={"channel": "phone", "caller_number": garbage})
    assert response.status_code == 422, response.text
    assert field_names(response) == {"caller_number"}
    assert garbage in response.json()["error"]["fields"][0]["message"]


@pytest.mark.parametrize("withheld", [None, "", "anonymous", "Private", "tidak diketahui"])
async def test_a_withheld_number_is_kept_as_null(operator, withheld):
    contact = await record(operator, caller_number=withheld)
    assert contact["caller_number"] is None
    assert contact["caller_blocked"] is False


async def test_times_are_kept_in_utc(operator):
    contact = await record(
        operator,
        received_at="2026-11-28T10:15:00+08:00",
        answered_at="2026-11-28T10:15:08+08:00",
        ended_at="2026-11-28T10:17:00+08:00",
    )
    assert datetime.fromisoformat(contact["received_at"]) == datetime.fromisoformat("2026-11-28T02:15:00+00:00")
    assert datetime.fromisoformat(contact["answered_at"]) - datetime.fromisoformat(contact["received_at"]) == timedelta(
        seconds=8
    )


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"received_at": "2026-11-28T10:15:00+08:00", "answered_at": "2026-11-28T10:14:00+08:00"}, "answered_at"),
        ({"answered_at": "2026-11-28T10:15:00+08:00", "ended_at": "2026-11-28T10:14:59+08:00"}, "ended_at"),
        ({"received_at": "2026-11-28T10:15:00"}, "received_at"),  # no UTC offset
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "0001-01-01T00:00:00+08:00"}, "received_at"),  # before UTC's year 1
        ({"ended_at": "9999-12-31T23:59:59-12:00"}, "ended_at"),
    ],
)
async def test_impossible_times_are_refused(operator, times, field):
    response = await operator.post("/api/v1/contacts", json={"channel": "phone", **times})
    assert response.status_code == 422, response.text
    assert field in field_names(response)


# --- who sees what ----------------------------------------------------------------------------------


async def test_leader_and_admin_see_masked_numbers_and_no_name_and_leave_no_audit(app, operator, leader, admin):
    contact = await record(operator, caller_number="0812-3456-7890", caller_name="Ibu Sari")
    for viewer in (leader, admin):
        one = (await viewer.get(f"/api/v1/contacts/{contact['id']}")).json()
        assert one["caller_number"] == "+62812****7890"
        assert one["caller_masked"] is True
        assert one["caller_name"] is None
        listed = (await viewer.get("/api/v1/contacts")).json()["items"]
        assert [c["caller_number"] for c in listed] == ["+62812****7890"]
        assert "Ibu Sari" not in (await viewer.get("/api/v1/contacts")).text
    assert await personal_views(app) == []


@pytest.mark.parametrize("viewer_name", ["operator", "supervisor"])
async def test_intake_staff_see_the_number_and_each_view_is_audited(app, login, operator, viewer_name):
    contact = await record(operator, caller_number="0812-3456-7890", caller_name="Ibu Sari")
    viewer = await login(viewer_name)
    before = len(await personal_views(app))

    async def new_views() -> list[AuditEntry]:
        return (await personal_views(app))[before:]

    one = (await viewer.get(f"/api/v1/contacts/{contact['id']}")).json()
    assert (one["caller_number"], one["caller_name"], one["caller_masked"]) == (MOBILE, "Ibu Sari", False)
    views = await new_views()
    assert len(views) == 1
    assert (views[0].actor_name, views[0].object_type) == (viewer_name, "contact")
    assert views[0].object_id == str(contact["id"])
    listed = (await viewer.get("/api/v1/contacts")).json()["items"]
    assert listed[0]["caller_number"] == MOBILE
    assert (await viewer.get(f"/api/v1/callers/{MOBILE}/history")).status_code == 200
    classified = await viewer.post(f"/api/v1/contacts/{contact['id']}/classify", json={"classification": "information"})
    assert classified.json()["caller_name"] == "Ibu Sari"
    views = await new_views()
    purposes = [v.detail["purpose"] for v in views]
    assert purposes == ["contact detail", "contact list", "caller history", "contact classify"]
    assert all(v.actor_name == viewer_name and contact["id"] in v.detail["contact_ids"] for v in views)


async def test_viewing_a_withheld_nameless_contact_is_not_a_personal_view(app, operator):
    contact = await record(operator, caller_number="anonymous")
    before = len(await personal_views(app))
    assert (await operator.get(f"/api/v1/contacts/{contact['id']}")).json()["caller_number"] is None
    assert len(await personal_views(app)) == before


async def test_roles_without_intake_work_cannot_record_or_look_up_callers(operator, leader, damkar_dispatcher, anon):
    await record(operator, caller_number=MOBILE)
    assert (await leader.post("/api/v1/contacts", json={"channel": "phone"})).status_code == 403
    assert (await leader.get(f"/api/v1/callers/{MOBILE}/history")).status_code == 403
    assert (await damkar_dispatcher.get("/api/v1/contacts")).status_code == 403
    assert (await anon.get("/api/v1/contacts")).status_code == 401


async def test_another_jurisdiction_has_no_access_to_our_contacts(operator, outsider):
    contact = await record(operator, caller_number=MOBILE, caller_name="Ibu Sari")
    assert (await outsider.get(f"/api/v1/contacts/{contact['id']}")).status_code == 404
    assert (await outsider.get("/api/v1/contacts")).json()["total"] == 0
    assert (
        await outsider.post(f"/api/v1/contacts/{contact['id']}/classify", json={"classification": "prank"})
    ).status_code == 404
    history = (await outsider.get(f"/api/v1/callers/{MOBILE}/history")).json()
    assert history["contacts_total"] == 0 and history["contacts"] == []


# --- prank blocking -------------------------------------------------------------------------------


async def test_the_third_prank_in_a_day_blocks_the_number_for_24_hours(login):
    operator = await login("operator")
    first = await record(operator, caller_number=PRANKSTER, classification="prank")
    operator = await travel(login, hours=10)
    second = await record(operator, caller_number=PRANKSTER, classification="prank")
    assert not first["caller_blocked"] and not second["caller_blocked"]
    assert second["blocked_until"] is None
    operator = await travel(login, hours=10)
    third = await record(operator, caller_number=PRANKSTER, classification="prank")  # recorded, not dropped
    assert third["caller_blocked"] is True
    until = datetime.fromisoformat(third["blocked_until"])
    assert abs(until - (clock.now() + timedelta(hours=24))) < timedelta(minutes=1)

    operator = await travel(login, hours=1)
    later = await record(operator, caller_number=PRANKSTER, summary="minta ambulans")
    assert later["caller_blocked"] is True
    assert datetime.fromisoformat(later["blocked_until"]) == until
    assert (await operator.get(f"/api/v1/contacts/{later['id']}")).json()["caller_blocked"] is True
    other = await record(operator, caller_number="0813-1111-3333")
    assert other["caller_blocked"] is False

    operator = await travel(login, hours=25)
    after = await record(operator, caller_number=PRANKSTER)
    assert after["caller_blocked"] is False
    assert after["blocked_until"] is None
    history = (await operator.get(f"/api/v1/callers/{PRANKSTER_E164}/history")).json()
    assert history["blocked_until"] is None
    assert history["contacts_total"] == 5  # nothing was dropped


async def test_pranks_spread_over_more_than_a_day_do_not_block(login):
    operator = await login("operator")
    for _ in range(3):
        contact = await record(operator, caller_number=PRANKSTER, classification="prank")
        operator = await travel(login, hours=13)
    assert contact["caller_blocked"] is False
    assert (await record(operator, caller_number=PRANKSTER))["caller_blocked"] is False


async def test_classifying_contacts_as_prank_counts_towards_the_block(operator, supervisor):
    ids = [(await record(operator, caller_number=PRANKSTER))["id"] for _ in range(3)]
    for contact_id in ids[:2]:
        response = await operator.post(f"/api/v1/contacts/{contact_id}/classify", json={"classification": "prank"})
        assert response.status_code == 200, response.text
        assert response.json()["caller_blocked"] is False
    again = await operator.post(f"/api/v1/contacts/{ids[1]}/classify", json={"classification": "prank"})
    assert again.json()["caller_blocked"] is False  # one contact classified twice is one prank
    third = await supervisor.post(
        f"/api/v1/contacts/{ids[2]}/classify", json={"classification": "prank", "summary": "tertawa lalu menutup"}
    )
    assert third.status_code == 200
    assert third.json()["caller_blocked"] is True
    assert third.json()["blocked_until"] is not None
    assert (await record(operator, caller_number=PRANKSTER))["caller_blocked"] is True


async def test_ghost_and_abandoned_contacts_do_not_block(operator):
    for classification in ("ghost", "abandoned", "ghost", "abandoned"):
        await record(operator, caller_number=PRANKSTER, classification=classification)
    assert (await record(operator, caller_number=PRANKSTER))["caller_blocked"] is False


async def test_a_block_is_kept_per_jurisdiction(operator, outsider):
    for _ in range(3):
        await record(operator, caller_number=PRANKSTER, classification="prank")
    assert (await record(operator, caller_number=PRANKSTER))["caller_blocked"] is True
    assert (await record(outsider, caller_number=PRANKSTER))["caller_blocked"] is False


async def test_classify_refuses_unknown_classes_and_contacts(operator):
    contact = await record(operator, caller_number=MOBILE)
    bad = await operator.post(f"/api/v1/contacts/{contact['id']}/classify", json={"classification": "joke"})
    assert bad.status_code == 422
    assert field_names(bad) == {"classification"}
    missing = await operator.post("/api/v1/contacts/999999/classify", json={"classification": "prank"})
    assert missing.status_code == 404


# --- caller history --------------------------------------------------------------------------------


async def test_caller_history_shows_contacts_pranks_block_and_tickets(operator):
    emergency = await record(operator, caller_number=PRANKSTER, summary="rumah terbakar")
    incident = (await operator.post("/api/v1/incidents", json={**LUWUK_FIRE, "contact_id": emergency["id"]})).json()
    for _ in range(3):
        await record(operator, caller_number=PRANKSTER, classification="prank")
    await record(operator, caller_number=MOBILE)  # someone else

    for spelling in (PRANKSTER_E164, "081311112222", "0813-1111-2222"):
        response = await operator.get(f"/api/v1/callers/{spelling}/history")
        assert response.status_code == 200, response.text
        history = response.json()
        assert history["caller_number"] == PRANKSTER_E164
        assert history["contacts_total"] == 4
        assert len(history["contacts"]) == 4
        assert {c["caller_number"] for c in history["contacts"]} == {PRANKSTER_E164}
        assert history["pranks_in_window"] == 3
        assert history["blocked_until"] is not None
        assert history["incident_tickets"] == [incident["ticket"]]


async def test_caller_history_of_an_unknown_number_is_empty_and_of_garbage_is_refused(operator):
    empty = (await operator.get("/api/v1/callers/081299998888/history")).json()
    assert (empty["contacts_total"], empty["pranks_in_window"], empty["blocked_until"]) == (0, 0, None)
    assert empty["incident_tickets"] == []
    garbage = await operator.get("/api/v1/callers/not-a-number/history")
    assert garbage.status_code == 422
    assert field_names(garbage) == {"number"}
    assert (await operator.get("/api/v1/callers/anonymous/history")).status_code == 404


# --- linking to incidents --------------------------------------------------------------------------


async def test_an_incident_created_from_a_contact_links_it(operator):
    contact = await record(operator, caller_number=MOBILE)
    incident = await operator.post("/api/v1/incidents", json={**LUWUK_FIRE, "contact_id": contact["id"]})
    assert incident.status_code == 201, incident.text
    assert incident.json()["contact_ids"] == [contact["id"]]
    linked = (await operator.get(f"/api/v1/contacts/{contact['id']}")).json()
    assert linked["incident_id"] == incident.json()["id"]
    assert linked["classification"] == "emergency"


async def test_linking_an_already_linked_contact_is_a_conflict(operator):
    contact = await record(operator, caller_number=MOBILE)
    first = (await operator.post("/api/v1/incidents", json={**LUWUK_FIRE, "contact_id": contact["id"]})).json()
    second = await operator.post("/api/v1/incidents", json={**LUWUK_FIRE, "contact_id": contact["id"]})
    assert second.status_code == 409, second.text
    assert field_names(second) == {"contact_id"}
    assert (await operator.get(f"/api/v1/contacts/{contact['id']}")).json()["incident_id"] == first["id"]
    incidents = (await operator.get("/api/v1/incidents")).json()
    assert incidents["total"] == 1  # the refused incident was not half-created


async def test_linking_an_unknown_or_foreign_contact_is_refused(operator, outsider):
    foreign = await record(outsider, caller_number=MOBILE)
    for contact_id in (999999, foreign["id"]):
        response = await operator.post("/api/v1/incidents", json={**LUWUK_FIRE, "contact_id": contact_id})
        assert response.status_code == 422, response.text
        assert field_names(response) == {"contact_id"}
