"""Every published alert is a valid CAP 1.2 message (official OASIS XSD), whatever its type and status."""

from __future__ import annotations

import re

import pytest

from tests.alerts.conftest import ENGLISH, FLOOD, LUWUK, TELUK_LALONG, approve, assert_valid, compose, fetch_cap, text
from tests.conftest import LUWUK_FIRE

# Marked here, not only by the root conftest: anyio otherwise rebuilds parametrized async tests
# without their parameters.
pytestmark = pytest.mark.anyio

CAP_SENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


@pytest.mark.parametrize("msg_type", ["Alert", "Update", "Cancel"])
@pytest.mark.parametrize("status", ["Actual", "Exercise"])
async def test_every_message_type_and_status_validates_against_the_cap_xsd(
        msg_type, status, supervisor, supervisor2, anon, cap_schema):
    original = await approve(supervisor2, await compose(supervisor, status=status))
    alert = original
    if msg_type != "Alert":
        body = {"msg_type": msg_type, "references": original["identifier"], "note": f"{msg_type} uji skema"}
        alert = await approve(supervisor2, await compose(supervisor, body))

    root = await fetch_cap(anon, alert)
    assert_valid(cap_schema, root)
    assert text(root, "cap:msgType") == msg_type
    assert text(root, "cap:status") == status
    assert text(root, "cap:scope") == "Public"
    assert text(root, "cap:identifier") == alert["identifier"]
    if msg_type == "Alert":
        assert root.find("cap:references", {"cap": root.nsmap[None]}) is None
    else:
        # references = "sender,identifier,sent" of the earlier alert
        assert text(root, "cap:references") == f"{original['sender']},{original['identifier']},{original['sent']}"
        assert alert["references"] == text(root, "cap:references")


async def test_sent_carries_the_wita_offset_and_the_identifier_is_a_cap_token(supervisor, supervisor2, anon):
    alert = await approve(supervisor2, await compose(supervisor))
    root = await fetch_cap(anon, alert)
    sent = text(root, "cap:sent")
    assert sent is not None and CAP_SENT.match(sent), sent
    assert "Z" not in sent
    assert alert["sent"] == sent
    identifier = alert["identifier"]
    assert re.fullmatch(r"BGI-ALERT-\d{8}-\d{4}", identifier), identifier
    assert identifier.split("-")[2] == sent[:10].replace("-", "")  # the local (WITA) day of sending
    for forbidden in (" ", ",", "<", "&"):
        assert forbidden not in identifier and forbidden not in alert["sender"]


async def test_polygon_circle_and_kecamatan_areas_are_all_in_the_message(supervisor, supervisor2, anon, cap_schema):
    areas = [
        {"kecamatan": LUWUK},
        {"kecamatan": "72.01.01", "radius_km": 4.5},
        {"polygon": TELUK_LALONG, "description": "Pesisir Teluk Lalong"},
        {"circle": "-0.951,122.787 2", "description": "Sekitar Pelabuhan Luwuk"},
    ]
    alert = await approve(supervisor2, await compose(supervisor, areas=areas))
    root = await fetch_cap(anon, alert)
    assert_valid(cap_schema, root)
    found = root.findall("cap:info/cap:area", {"cap": root.nsmap[None]})
    assert [text(a, "cap:areaDesc") for a in found] == [
        "Kecamatan Luwuk", "Kecamatan Batui", "Pesisir Teluk Lalong", "Sekitar Pelabuhan Luwuk"]
    luwuk, batui, lalong, harbour = found
    # A kecamatan becomes its Kemendagri geocode plus a circle (default 10 km) around its centroid.
    assert text(luwuk, "cap:circle") == "-0.91,122.776 10.0"
    assert text(luwuk, "cap:geocode/cap:value") == LUWUK
    assert text(luwuk, "cap:geocode/cap:valueName") == "KEMENDAGRI"
    assert text(batui, "cap:circle") == "-1.187,122.442 4.5"
    assert text(lalong, "cap:polygon") == TELUK_LALONG
    assert lalong.find("cap:circle", {"cap": root.nsmap[None]}) is None
    assert text(harbour, "cap:circle") == "-0.951,122.787 2.0"


async def test_the_english_text_is_optional_and_follows_the_indonesian(supervisor, supervisor2, anon, cap_schema):
    only_id = await approve(supervisor2, await compose(supervisor))
    root = await fetch_cap(anon, only_id)
    assert [text(i, "cap:language") for i in root.findall("cap:info", {"cap": root.nsmap[None]})] == ["id-ID"]

    both = await approve(supervisor2, await compose(supervisor, info=[ENGLISH, FLOOD["info"][0]]))
    root = await fetch_cap(anon, both)
    assert_valid(cap_schema, root)
    infos = root.findall("cap:info", {"cap": root.nsmap[None]})
    assert [text(i, "cap:language") for i in infos] == ["id-ID", "en-US"]
    assert text(infos[1], "cap:headline") == ENGLISH["headline"]
    # Areas apply to every language block.
    assert len(infos[1].findall("cap:area", {"cap": root.nsmap[None]})) == 1


async def test_an_alert_linked_to_an_incident_takes_its_cap_category_and_names_the_ticket(
        supervisor, supervisor2, anon, cap_schema, fire):
    body = {k: v for k, v in FLOOD.items() if k != "category"}
    body["info"] = [{**FLOOD["info"][0], "event": "Kebakaran", "headline": "Kebakaran rumah di Jl. Ahmad Yani"}]
    alert = await approve(supervisor2, await compose(supervisor, body, incident_id=fire["id"]))
    assert alert["category"] == "Fire" and alert["incident_ticket"] == fire["ticket"]
    root = await fetch_cap(anon, alert)
    assert_valid(cap_schema, root)
    assert text(root, "cap:info/cap:category") == "Fire"
    assert text(root, "cap:incidents") == fire["ticket"]


async def test_an_exercise_incident_gives_an_exercise_alert_and_never_an_actual_one(operator, supervisor, supervisor2,
                                                                                    anon, cap_schema):
    drill = await operator.post("/api/v1/incidents", json={**LUWUK_FIRE, "is_exercise": True})
    assert drill.status_code == 201, drill.text
    refused = await supervisor.post("/api/v1/alerts", json={**FLOOD, "incident_id": drill.json()["id"],
                                                            "status": "Actual"})
    assert refused.status_code == 422
    assert "exercise" in refused.json()["error"]["message"]
    alert = await approve(supervisor2, await compose(supervisor, incident_id=drill.json()["id"]))
    assert alert["status"] == "Exercise"
    root = await fetch_cap(anon, alert)
    assert_valid(cap_schema, root)
    assert text(root, "cap:status") == "Exercise"


async def test_the_message_carries_no_staff_names(supervisor, supervisor2, anon):
    alert = await approve(supervisor2, await compose(supervisor))
    xml = (await anon.get(f"/alerts/cap/{alert['identifier']}.xml")).text
    for personal in ("supervisor", "Supervisor", "Siti", "Rahmawati"):
        assert personal not in xml
    assert "<contact>112</contact>" in xml


async def test_an_update_of_an_update_references_the_whole_chain(supervisor, supervisor2, anon, cap_schema):
    first = await approve(supervisor2, await compose(supervisor))
    second = await approve(supervisor2, await compose(supervisor, {"msg_type": "Update",
                                                                    "references": first["identifier"]}))
    third = await approve(supervisor2, await compose(supervisor, {"msg_type": "Update",
                                                                   "references": second["identifier"],
                                                                   "severity": "Extreme"}))
    root = await fetch_cap(anon, third)
    assert_valid(cap_schema, root)
    assert text(root, "cap:references") == " ".join(
        f"{a['sender']},{a['identifier']},{a['sent']}" for a in (first, second))
    assert text(root, "cap:info/cap:severity") == "Extreme"
    # What the Update did not change is kept from the alert it updates.
    assert text(root, "cap:info/cap:headline") == FLOOD["info"][0]["headline"]


async def test_expiry_is_written_with_the_wita_offset(supervisor, supervisor2, anon, cap_schema):
    alert = await approve(supervisor2, await compose(supervisor, expires_at="2099-01-01T06:00:00+00:00"))
    root = await fetch_cap(anon, alert)
    assert_valid(cap_schema, root)
    assert text(root, "cap:info/cap:expires") == "2099-01-01T14:00:00+08:00"
