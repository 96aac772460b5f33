"""The /alerts page: supervisors compose and approve each other's drafts; leaders and admins read."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from tests.alerts.conftest import LUWUK, TELUK_LALONG, approve, assert_valid, compose

pytestmark = pytest.mark.anyio
HX = {"HX-Request": "true"}

FORM = {
    "msg_type": "Alert", "status": "Exercise", "category": "Geo", "urgency": "Immediate", "severity": "Extreme",
    "certainty": "Possible", "response_type": "Evacuate", "expires_hours": "6",
    "event_id": "Tsunami", "headline_id": "Latihan peringatan dini tsunami Teluk Lalong",
    "description_id": "Simulasi gempa M7,1 di Laut Banda.", "instruction_id": "Segera menuju tempat tinggi.",
    "event_en": "", "headline_en": "", "description_en": "", "instruction_en": "",
    "kecamatan": [LUWUK, "72.01.01"], "radius_km": "5",
    "polygons": TELUK_LALONG, "polygon_desc": "Pesisir Teluk Lalong", "circles": "", "circle_desc": "",
    "web": "", "note": "Latihan gabungan BPBD", "incident": "",
}


async def test_a_supervisor_sees_the_compose_form_and_the_feed_link(supervisor):
    response = await supervisor.get("/alerts")
    assert response.status_code == 200
    assert 'hx-post="/alerts/compose"' in response.text
    assert "Susun peringatan publik" in response.text
    assert 'href="/alerts/feed.atom"' in response.text
    assert f'name="kecamatan" value="{LUWUK}"' in response.text  # kecamatan are offered as areas


@pytest.mark.parametrize("persona", ["leader", "admin"])
async def test_leaders_and_admins_read_without_a_compose_form(persona, login, supervisor):
    draft = await compose(supervisor)
    client = await login(persona)
    page = await client.get("/alerts")
    assert page.status_code == 200 and 'hx-post="/alerts/compose"' not in page.text
    lists = await client.get("/alerts/lists", headers=HX)
    assert lists.status_code == 200 and f"#{draft['id']}" in lists.text
    assert "/approve" not in lists.text


@pytest.mark.parametrize("persona", ["operator", "damkar_dispatcher", "responder"])
async def test_other_staff_are_told_the_page_is_not_for_them(persona, login):
    client = await login(persona)
    response = await client.get("/alerts")
    assert response.status_code == 403
    assert "supervisor" in response.text


async def test_anonymous_visitors_are_sent_to_log_in(anon):
    response = await anon.get("/alerts")
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/alerts")


async def test_compose_on_the_page_then_another_supervisor_publishes(supervisor, supervisor2, anon, cap_schema):
    response = await supervisor.post("/alerts/compose", data=FORM, headers=HX)
    assert response.status_code == 200, response.text
    assert response.headers["hx-trigger"] == "alerts-changed"
    assert "Draf disimpan" in response.text
    draft = (await supervisor.get("/api/v1/alerts", params={"state": "draft"})).json()["items"][0]
    assert draft["status"] == "Exercise" and draft["note"] == "Latihan gabungan BPBD"
    assert [a["kind"] for a in draft["areas"]] == ["kecamatan", "kecamatan", "polygon"]
    assert draft["areas"][0]["circle"] == "-0.91,122.776 5.0"
    assert len(draft["info"]) == 1  # the empty English fields add no English block
    assert draft["expires_at"] is not None

    # The composer sees no approve button on their own draft; the second supervisor does.
    own = await supervisor.get("/alerts/lists", headers=HX)
    assert f'hx-post="/alerts/{draft["id"]}/approve"' not in own.text
    assert "Anda yang menyusun draf ini" in own.text
    other = await supervisor2.get("/alerts/lists", headers=HX)
    assert f'hx-post="/alerts/{draft["id"]}/approve"' in other.text

    refused = await supervisor.post(f"/alerts/{draft['id']}/approve", headers=HX)
    assert refused.status_code == 409 and "another supervisor" in refused.text
    published = await supervisor2.post(f"/alerts/{draft['id']}/approve", headers=HX)
    assert published.status_code == 200
    identifier = re.search(r"BGI-ALERT-\d{8}-\d{4}", published.text)
    assert identifier is not None
    cap = await anon.get(f"/alerts/cap/{identifier.group(0)}.xml")
    assert cap.status_code == 200
    root = etree.fromstring(cap.content)
    assert_valid(cap_schema, root)
    assert "<status>Exercise</status>" in cap.text and "<expires>" in cap.text


async def test_the_page_says_what_is_wrong_with_a_form(supervisor):
    response = await supervisor.post("/alerts/compose", headers=HX, data={
        **FORM, "polygons": "-0.94,122.78 -0.94,122.81 -0.96,122.81"})
    assert response.status_code == 422
    assert response.headers["hx-retarget"] == "#flash"
    assert "polygon" in response.text
    missing = await supervisor.post("/alerts/compose", headers=HX, data={**FORM, "headline_id": ""})
    assert missing.status_code == 422 and "headline" in missing.text
    unknown = await supervisor.post("/alerts/compose", headers=HX, data={**FORM, "incident": "BGI-19990101-0001"})
    assert unknown.status_code == 404


async def test_update_and_cancel_forms_are_prefilled_from_the_published_alert(supervisor, supervisor2):
    original = await approve(supervisor2, await compose(supervisor))
    lists = await supervisor.get("/alerts/lists", headers=HX)
    assert f"/alerts/compose?references={original['id']}&amp;msg_type=Cancel" in lists.text
    form = await supervisor.get("/alerts/compose", params={"references": original["id"], "msg_type": "Cancel"},
                                headers=HX)
    assert form.status_code == 200
    assert f'name="references" value="{original["identifier"]}"' in form.text
    assert 'name="msg_type" value="Cancel"' in form.text
    assert original["info"][0]["headline"] in form.text
    assert f'value="{LUWUK}" checked' in form.text

    fields = {"msg_type": "Cancel", "references": original["identifier"], "status": "Actual",
              "urgency": "Past", "severity": "Minor", "certainty": "Observed", "category": "Met",
              "event_id": "Banjir", "headline_id": "Peringatan banjir dicabut", "description_id": "Air sudah surut.",
              "kecamatan": [LUWUK], "note": "Air sudah surut"}
    response = await supervisor.post("/alerts/compose", data=fields, headers=HX)
    assert response.status_code == 200, response.text
    cancel = (await supervisor.get("/api/v1/alerts", params={"state": "draft"})).json()["items"][0]
    assert cancel["msg_type"] == "Cancel" and cancel["references_identifier"] == original["identifier"]
    await approve(supervisor2, cancel)
    lists = await supervisor.get("/alerts/lists", headers=HX)
    assert f"/alerts/compose?references={original['id']}&amp;msg_type=Update" not in lists.text


async def test_a_draft_is_rejected_from_the_page_with_a_reason(supervisor, supervisor2):
    draft = await compose(supervisor)
    empty = await supervisor2.post(f"/alerts/{draft['id']}/reject", data={"reason": ""}, headers=HX)
    assert empty.status_code == 422
    response = await supervisor2.post(f"/alerts/{draft['id']}/reject", data={"reason": "wilayah salah"}, headers=HX)
    assert response.status_code == 200 and "ditolak" in response.text
    lists = await supervisor.get("/alerts/lists", headers=HX)
    assert "wilayah salah" in lists.text
