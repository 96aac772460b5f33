"""The SMS webhook: keyword reports, free text, unknown keywords, signatures, repeats, replies."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select

from cc112.accounts.models import AuditEntry
from cc112.catalog.models import IncidentType
from cc112.channels import signing
from cc112.channels.models import SmsMessage
from cc112.contacts.models import Contact
from cc112.dispatch.models import Assignment
from cc112.events.models import Event
from cc112.geo.models import Region
from cc112.incidents.models import Incident
from tests.channels.conftest import SECRET, SENDER_E164, SENDER_FORMS, post_sms, sms_body
from tests.channels.gateway import closed_port_url

# Module-level: the root conftest adds the anyio mark too late for parametrized async tests.
pytestmark = pytest.mark.anyio

FIRE_SMS = "112 KEBAKARAN Desa Hanga-Hanga rumah terbakar"


async def count(query, model) -> int:  # type: ignore[no-untyped-def]
    return (await query(select(func.count()).select_from(model)))[0]


async def test_a_keyword_sms_becomes_an_unverified_incident_in_the_desa_and_the_sender_gets_the_ticket(
    send, query, gateway
):
    response = await send(FIRE_SMS)

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["kind"] == "keyword" and result["status"] == "processed" and result["reply"] == "queued"
    assert result["ticket"].startswith("BGI-")
    [incident] = await query(select(Incident).where(Incident.ticket == result["ticket"]))
    [itype] = await query(select(IncidentType).where(IncidentType.id == incident.incident_type_id))
    [desa] = await query(select(Region).where(Region.id == incident.desa_id))
    [kecamatan] = await query(select(Region).where(Region.id == incident.region_id))
    assert incident.status == "received" and incident.verified_at is None
    assert itype.code == "kebakaran_bangunan"
    assert (desa.name, desa.level, kecamatan.name) == ("Hanga Hanga", "kelurahan", "Luwuk Selatan")
    assert incident.description == "rumah terbakar"
    [contact] = await query(select(Contact).where(Contact.id == result["contact_id"]))
    assert contact.channel == "sms" and contact.classification is None
    assert contact.caller_number == SENDER_E164 and contact.incident_id == incident.id
    assert contact.summary == FIRE_SMS
    assert await query(select(Assignment).where(Assignment.incident_id == incident.id)) == []  # nothing dispatched
    [reply] = gateway.received
    assert reply.body["to"] == SENDER_E164 and result["ticket"] in reply.body["text"]
    assert reply.body["reference"].startswith("cc112-sms-")
    assert reply.headers[signing.HEADER.lower()] == signing.sign(SECRET, reply.raw)
    [outbox] = await query(select(SmsMessage).where(SmsMessage.direction == "outbound"))
    assert outbox.status == "sent" and outbox.attempts == 1 and outbox.recipient == SENDER_E164


@pytest.mark.parametrize(("text", "type_code", "desa"), [
    ("112 BANJIR Kel. Hanga-Hanga Permai air masuk rumah", "banjir", "Hanga-Hanga Permai"),
    ("112 longsor desa ranga-ranga jalan tertutup", "tanah_longsor", "Ranga-Ranga"),
    ("112 MELAHIRKAN Hangahanga ibu pendarahan", "darurat_ibu_hamil", "Hanga Hanga"),
    ("112 TENGGELAM perahu terbalik", "kecelakaan_laut", None),
])
async def test_the_keyword_picks_the_type_and_the_words_after_it_the_desa(send, query, text, type_code, desa):
    result = (await send(text)).json()

    [incident] = await query(select(Incident).where(Incident.ticket == result["ticket"]))
    [itype] = await query(select(IncidentType).where(IncidentType.id == incident.incident_type_id))
    assert itype.code == type_code
    names = await query(select(Region.name).where(Region.id == incident.desa_id)) if incident.desa_id else [None]
    assert names == [desa]


async def test_free_text_becomes_a_contact_for_an_operator_and_no_incident(send, query, gateway):
    response = await send("tolong ada rumah terbakar di dekat pasar")

    result = response.json()
    assert response.status_code == 200 and result["kind"] == "free_text" and result["ticket"] is None
    [contact] = await query(select(Contact).where(Contact.id == result["contact_id"]))
    assert contact.channel == "sms" and contact.incident_id is None and contact.classification is None
    assert await count(query, Incident) == 0
    [reply] = gateway.received
    assert "operator 112 akan segera menelepon" in reply.body["text"].lower()


async def test_an_unknown_keyword_gets_a_contact_and_a_reply_listing_valid_keywords(send, query, gateway):
    response = await send("112 GUNUNGMELETUS abu turun di desa")

    result = response.json()
    assert result["kind"] == "unknown_keyword" and result["ticket"] is None and result["contact_id"]
    assert await count(query, Incident) == 0
    text = gateway.received[0].body["text"]
    assert '"GUNUNGMELETUS" tidak dikenali' in text
    assert all(word in text for word in ("KEBAKARAN", "KECELAKAAN", "BANJIR"))


async def test_a_form_encoded_message_works_like_json(send, query):
    response = await send(FIRE_SMS, form=True)

    assert response.status_code == 200, response.text
    assert response.json()["ticket"].startswith("BGI-")


async def test_a_repeated_gateway_message_id_creates_nothing_and_answers_the_first_result(send, query, gateway):
    first = await send(FIRE_SMS, message_id="gw-repeat-1")
    again = await send(FIRE_SMS, message_id="gw-repeat-1")

    assert again.status_code == 200
    assert again.json() == {**first.json(), "duplicate": True}
    assert await count(query, Incident) == 1 and await count(query, Contact) == 1
    assert await count(query, SmsMessage) == 2  # the inbound message and one reply
    assert len(gateway.received) == 1


@pytest.mark.parametrize("signature", [None, "", "0" * 64, "sha256=deadbeef", "ünïcode".encode("latin-1")])
async def test_a_missing_or_wrong_signature_is_refused_with_401(anon, query, signature):
    body = json.dumps(sms_body(FIRE_SMS)).encode()
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers[signing.HEADER] = signature

    response = await anon.post("/channels/sms/inbound", content=body, headers=headers)

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthorized" and signing.HEADER in error["message"]
    assert await count(query, SmsMessage) == 0


async def test_a_body_signed_with_another_secret_is_refused(anon, query):
    response = await post_sms(anon, sms_body(FIRE_SMS), secret="not-the-shared-secret")

    assert response.status_code == 401
    assert "does not match" in response.json()["error"]["message"]


async def test_the_sha256_prefix_and_upper_case_hex_are_accepted(anon):
    body = json.dumps(sms_body(FIRE_SMS)).encode()
    signature = "sha256=" + signing.sign(SECRET, body).upper()

    response = await anon.post("/channels/sms/inbound", content=body,
                               headers={"content-type": "application/json", signing.HEADER: signature})

    assert response.status_code == 200, response.text


@pytest.mark.sms_settings(sms_secret="")
async def test_without_a_configured_secret_the_channel_answers_503_saying_so(send, query):
    response = await send(FIRE_SMS)

    assert response.status_code == 503
    assert "CC112_SMS_SECRET" in response.json()["error"]["message"]
    assert await count(query, SmsMessage) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"sender": "0812", "text": "x"}, "message_id"),
    ({"message_id": "a", "text": "x"}, "sender"),
    ({"message_id": "a", "sender": "0812", "text": "x", "sent_at": "kemarin"}, "sent_at"),
    ({"message_id": "a", "sender": "0812", "text": "x" * 2001}, "text"),
])
async def test_an_incomplete_message_is_refused_naming_the_field(anon, body, field):
    response = await post_sms(anon, body)

    assert response.status_code == 422
    assert field in {f["field"] for f in response.json()["error"]["fields"]}


async def test_a_body_that_is_not_an_object_is_refused_in_a_sentence(anon):
    raw = b'["112 KEBAKARAN"]'
    response = await anon.post("/channels/sms/inbound", content=raw, headers={
        "content-type": "application/json", signing.HEADER: signing.sign(SECRET, raw)})

    assert response.status_code == 422
    assert "JSON object" in response.json()["error"]["message"]


async def test_an_alphanumeric_sender_is_kept_flagged_and_not_answered(send, query, gateway):
    response = await send("Info: paket data Anda hampir habis", sender="TELKOMSEL")

    result = response.json()
    assert response.status_code == 200 and "sender_invalid" in result["flags"] and result["reply"] == "none"
    [contact] = await query(select(Contact).where(Contact.id == result["contact_id"]))
    assert contact.caller_number is None
    assert gateway.received == []


@pytest.mark.sms_settings(sms_outbound_url=closed_port_url(), sms_send_attempts=3)
async def test_when_the_gateway_is_down_the_report_is_kept_and_the_reply_marked_failed(send, query, caplog):
    response = await send(FIRE_SMS)

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["ticket"].startswith("BGI-") and await count(query, Incident) == 1
    [inbound] = await query(select(SmsMessage).where(SmsMessage.direction == "inbound"))
    assert inbound.text == FIRE_SMS and inbound.incident_id is not None
    [reply] = await query(select(SmsMessage).where(SmsMessage.direction == "outbound"))
    assert (reply.status, reply.attempts) == ("failed", 3)
    assert "could not be reached" in reply.last_error
    kinds = await query(select(Event.kind))
    assert "sms.reply_failed" in kinds  # the console learns the sender was not answered
    assert not any(form in caplog.text for form in SENDER_FORMS)


async def test_a_reply_refused_once_by_the_gateway_is_retried_and_sent(send, query, gateway):
    gateway.fail_next = 1

    await send(FIRE_SMS)

    [reply] = await query(select(SmsMessage).where(SmsMessage.direction == "outbound"))
    assert (reply.status, reply.attempts) == ("sent", 2)
    assert len(gateway.received) == 1


@pytest.mark.sms_settings(sms_outbound_url="")
async def test_without_an_outbound_gateway_the_reply_is_recorded_as_failed_with_the_reason(send, query):
    await send(FIRE_SMS)

    [reply] = await query(select(SmsMessage).where(SmsMessage.direction == "outbound"))
    assert reply.status == "failed" and "CC112_SMS_OUTBOUND_URL" in reply.last_error


async def test_no_event_or_audit_entry_carries_the_senders_number(send, query):
    await send(FIRE_SMS)
    await send("tolong")
    await send("112 ZZZ halo")

    payloads = [json.dumps(p) for p in await query(select(Event.payload))]
    details = [json.dumps(d) for d in await query(select(AuditEntry.detail))]
    assert payloads and details
    for text in payloads + details:
        assert not any(form in text for form in SENDER_FORMS), text


async def test_the_same_message_delivered_twice_at_once_is_stored_once(anon, query, gateway):
    body = sms_body(FIRE_SMS, message_id="gw-race-1")

    responses = await asyncio.gather(*(post_sms(anon, body) for _ in range(3)))

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert sorted(r.json()["duplicate"] for r in responses) == [False, True, True]
    assert len({r.json()["ticket"] for r in responses}) == 1
    assert await count(query, Incident) == 1 and await count(query, Contact) == 1
    assert len(gateway.received) == 1
