"""Two people publish an alert: a supervisor composes, another approves. Nothing unapproved is public."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cc112.accounts.models import AuditEntry
from cc112.events.models import Event
from tests.alerts.conftest import FLOOD, TELUK_LALONG, approve, compose

pytestmark = pytest.mark.anyio


def _guessed_url(alert: dict[str, Any], day: str = "") -> str:
    # What the identifier would be if it were published now; drafts have none.
    return f"/alerts/cap/BGI-ALERT-{day}-{alert['id']:04d}.xml"


async def test_a_draft_is_not_public_until_a_second_supervisor_approves_it(supervisor, supervisor2, anon):
    draft = await compose(supervisor)
    assert draft["state"] == "draft" and draft["identifier"] is None and draft["cap_url"] is None
    assert draft["composed_by"] == "supervisor"

    feed = await anon.get("/alerts/feed.atom")
    assert "<entry>" not in feed.text and "Waspada banjir" not in feed.text

    published = await approve(supervisor2, draft)
    assert published["approved_by"] == "supervisor2"
    day = published["identifier"].split("-")[2]
    assert (await anon.get(_guessed_url(draft, day))).status_code == 200
    assert published["cap_url"].endswith(f"/alerts/cap/{published['identifier']}.xml")


async def test_an_unapproved_alert_has_no_xml_and_is_not_in_the_feed(supervisor, supervisor2, anon):
    published = await approve(supervisor2, await compose(supervisor))
    day = published["identifier"].split("-")[2]
    waiting = await compose(supervisor, info=[{**FLOOD["info"][0], "headline": "Draf belum disetujui"}])
    rejected = await compose(supervisor, info=[{**FLOOD["info"][0], "headline": "Draf yang ditolak"}])
    response = await supervisor2.post(f"/api/v1/alerts/{rejected['id']}/reject", json={"reason": "data belum pasti"})
    assert response.status_code == 200 and response.json()["state"] == "rejected"

    for alert in (waiting, rejected):
        response = await anon.get(_guessed_url(alert, day))
        assert response.status_code == 404
    assert (await anon.get("/alerts/cap/draft.xml")).status_code == 404
    feed = (await anon.get("/alerts/feed.atom")).text
    assert published["identifier"] in feed
    assert "Draf belum disetujui" not in feed and "Draf yang ditolak" not in feed
    assert feed.count("<entry>") == 1


async def test_the_composer_cannot_approve_their_own_alert(supervisor, anon):
    draft = await compose(supervisor)
    response = await supervisor.post(f"/api/v1/alerts/{draft['id']}/approve")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert "another supervisor must approve" in response.json()["error"]["message"]
    again = await supervisor.get(f"/api/v1/alerts/{draft['id']}")
    assert again.json()["state"] == "draft"
    assert "<entry>" not in (await anon.get("/alerts/feed.atom")).text


async def test_an_alert_is_approved_once(supervisor, supervisor2, admin):
    draft = await compose(supervisor)
    await approve(supervisor2, draft)
    again = await supervisor2.post(f"/api/v1/alerts/{draft['id']}/approve")
    assert again.status_code == 409
    assert "no longer a draft" in again.json()["error"]["message"]
    rejected = await supervisor2.post(f"/api/v1/alerts/{draft['id']}/reject", json={"reason": "terlambat"})
    assert rejected.status_code == 409


async def test_a_rejected_draft_cannot_be_approved_later(supervisor, supervisor2):
    draft = await compose(supervisor)
    assert (await supervisor2.post(f"/api/v1/alerts/{draft['id']}/reject", json={"reason": "salah wilayah"})
            ).status_code == 200
    response = await supervisor2.post(f"/api/v1/alerts/{draft['id']}/approve")
    assert response.status_code == 409
    detail = (await supervisor.get(f"/api/v1/alerts/{draft['id']}")).json()
    assert detail["state"] == "rejected" and detail["reject_reason"] == "salah wilayah"
    assert detail["rejected_by"] == "supervisor2"


async def test_only_the_composer_edits_a_draft(supervisor, supervisor2):
    draft = await compose(supervisor)
    edited = await supervisor.patch(f"/api/v1/alerts/{draft['id']}", json={
        "severity": "Extreme", "areas": [{"polygon": TELUK_LALONG, "description": "Pesisir Teluk Lalong"}]})
    assert edited.status_code == 200, edited.text
    assert edited.json()["severity"] == "Extreme"
    assert edited.json()["areas"][0]["kind"] == "polygon"
    assert edited.json()["urgency"] == FLOOD["urgency"]  # untouched fields stay
    other = await supervisor2.patch(f"/api/v1/alerts/{draft['id']}", json={"severity": "Minor"})
    assert other.status_code == 409
    assert "composed this draft" in other.json()["error"]["message"]
    published = await approve(supervisor2, draft)
    assert published["severity"] == "Extreme"
    late = await supervisor.patch(f"/api/v1/alerts/{draft['id']}", json={"severity": "Minor"})
    assert late.status_code == 409


async def test_update_and_cancel_refer_to_a_published_alert(supervisor, supervisor2):
    draft = await compose(supervisor)
    not_yet = await supervisor.post("/api/v1/alerts", json={"msg_type": "Update", "references": "BGI-ALERT-1-1"})
    assert not_yet.status_code == 422
    missing = await supervisor.post("/api/v1/alerts", json={"msg_type": "Cancel"})
    assert missing.status_code == 422 and missing.json()["error"]["fields"][0]["field"] == "references"
    stray = await supervisor.post("/api/v1/alerts", json={**FLOOD, "references": "BGI-ALERT-1-1"})
    assert stray.status_code == 422

    original = await approve(supervisor2, draft)
    status_change = await supervisor.post("/api/v1/alerts", json={
        "msg_type": "Update", "references": original["identifier"], "status": "Exercise"})
    assert status_change.status_code == 422
    update = await compose(supervisor, {"msg_type": "Update", "references": original["identifier"]})
    assert update["references_identifier"] == original["identifier"]
    assert update["info"] == original["info"] and update["areas"] == original["areas"]
    cancel = await approve(supervisor2, await compose(supervisor, {
        "msg_type": "Cancel", "references": original["identifier"], "note": "Debit sungai sudah turun"}))
    assert cancel["msg_type"] == "Cancel"
    assert (await supervisor.get(f"/api/v1/alerts/{original['id']}")).json()["superseded_by"] == cancel["identifier"]

    # The pending Update now refers to a cancelled alert: it cannot be published any more.
    late = await supervisor2.post(f"/api/v1/alerts/{update['id']}/approve")
    assert late.status_code == 409
    assert cancel["identifier"] in late.json()["error"]["message"]
    again = await supervisor.post("/api/v1/alerts", json={"msg_type": "Cancel", "references": original["identifier"]})
    assert again.status_code == 409
    of_cancel = await supervisor.post("/api/v1/alerts", json={"msg_type": "Update", "references": cancel["identifier"]})
    assert of_cancel.status_code == 422


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"areas": [{"polygon": "-0.94,122.78 -0.94,122.81 -0.96,122.81 -0.96,122.78", "description": "x"}]},
     "areas.0.polygon", "close the polygon"),
    ({"areas": [{"polygon": "-0.94,122.78 -0.94,122.78", "description": "x"}]}, "areas.0.polygon", "at least four"),
    ({"areas": [{"polygon": TELUK_LALONG}]}, "areas.0.description", "areaDesc"),
    ({"areas": [{"circle": "-0.95,122.79", "description": "x"}]}, "areas.0.circle", "lat,lon radius_km"),
    ({"areas": [{"circle": "95,122.79 3", "description": "x"}]}, "areas.0.circle", "outside"),
    ({"areas": [{"kecamatan": "72.01.04", "circle": "-0.95,122.79 3"}]}, "areas.0.kecamatan", "exactly one"),
    ({"areas": [{"kecamatan": "72.71.01"}]}, "areas", "unknown kecamatan"),
    ({"areas": []}, "areas", "at least 1"),
    ({"info": [{**FLOOD["info"][0], "language": "en-US"}]}, "info", "id-ID"),
    ({"info": [FLOOD["info"][0], FLOOD["info"][0]]}, "info", "each language once"),
    ({"urgency": "Soon"}, "urgency", "Immediate"),
    ({"category": None}, "category", "category"),
    ({"web": "javascript:alert(1)"}, "web", "https://"),
    ({"info": [{**FLOOD["info"][0], "headline": "bel\u0007"}]}, "info.0.headline", "control characters"),
    ({"expires_at": "2020-01-01T00:00:00+08:00"}, "expires_at", "expired"),
])
async def test_it_refuses_an_invalid_alert_with_a_clear_message(supervisor, change, field, words):
    response = await supervisor.post("/api/v1/alerts", json={**FLOOD, **change})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert any(f["field"] == field for f in error.get("fields", [])), error
    assert words in error["message"], error["message"]


async def test_every_step_is_an_event_with_its_audit_entry(app, supervisor, supervisor2):
    draft = await compose(supervisor)
    await supervisor.patch(f"/api/v1/alerts/{draft['id']}", json={"severity": "Extreme"})
    published = await approve(supervisor2, draft)
    other = await compose(supervisor)
    await supervisor2.post(f"/api/v1/alerts/{other['id']}/reject", json={"reason": "duplikat"})
    async with app.state.db.session(write=False) as session:
        events = list(await session.scalars(select(Event).where(Event.kind.like("alert.%")).order_by(Event.id)))
        audit = list(await session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("alert.%"))
                                           .order_by(AuditEntry.id)))
    kinds = [e.kind for e in events]
    assert kinds == ["alert.composed", "alert.edited", "alert.published", "alert.composed", "alert.rejected"]
    assert audit == kinds
    assert events[2].payload["identifier"] == published["identifier"]
    assert events[2].payload["sent"] == published["sent"]
    assert not events[2].is_exercise
