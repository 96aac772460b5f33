"""AML SMS at the webhook: the position joins the caller's contact, faults are kept and flagged."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from cc112 import clock
from cc112.channels.aml import format_aml
from cc112.channels.models import SmsMessage
from cc112.events.models import Event
from tests.channels.conftest import SENDER, SENDER_E164, SENDER_FORMS

pytestmark = pytest.mark.anyio

LAT, LON = -0.95012, 122.78841  # Luwuk Selatan


def aml_text(**change: object) -> str:
    fields: dict[str, object] = {"lat": LAT, "lon": LON, "radius_m": 12, "positioned_at": clock.now(),
                                 "confidence": 68, "method": "G"}
    return format_aml(**{**fields, **change})  # type: ignore[arg-type]


async def call(operator, **extra: object) -> dict:  # type: ignore[no-untyped-def]
    """The call-taker records the voice call from the sender."""
    response = await operator.post("/api/v1/contacts", json={"channel": "phone", "caller_number": SENDER, **extra})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def stored(query, message_id: int) -> SmsMessage:  # type: ignore[no-untyped-def]
    [message] = await query(select(SmsMessage).where(SmsMessage.id == message_id))
    return message  # type: ignore[no-any-return]


async def test_an_aml_position_is_attached_to_the_latest_contact_from_that_number(operator, send, query, gateway):
    older = await call(operator)
    latest = await call(operator)

    response = await send(aml_text(), sender=SENDER_E164)

    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["kind"], result["status"], result["reply"]) == ("aml", "attached", "none")
    assert result["contact_id"] == latest["id"]
    contact = (await operator.get(f"/api/v1/contacts/{latest['id']}")).json()
    assert (contact["lat"], contact["lon"]) == (LAT, LON)
    assert contact["location_accuracy_m"] == 12 and contact["location_source"] == "aml"
    assert (await operator.get(f"/api/v1/contacts/{older['id']}")).json()["lat"] is None
    [event] = await query(select(Event).where(Event.kind == "contact.located"))
    assert event.audience == "intake" and event.contact_id == latest["id"]
    assert event.payload["lat"] == LAT and event.payload["accuracy_m"] == 12 and event.payload["method"] == "gnss"
    assert gateway.received == []  # an AML SMS is never answered


async def test_an_aml_sent_before_the_call_is_recorded_is_held_and_joins_the_next_contact(operator, send, query):
    result = (await send(aml_text(radius_m=30))).json()
    assert result["status"] == "held" and result["contact_id"] is None
    assert [e.audience for e in await query(select(Event).where(Event.kind == "aml.received"))] == ["intake"]

    contact = await call(operator)

    assert (contact["lat"], contact["lon"], contact["location_accuracy_m"]) == (LAT, LON, 30)
    message = await stored(query, result["id"])
    assert message.status == "attached" and message.contact_id == contact["id"]


async def test_a_held_aml_does_not_join_a_contact_made_after_the_window(operator, send, query):
    result = (await send(aml_text())).json()
    clock.travel(timedelta(minutes=6))

    contact = await call(operator)

    assert contact["lat"] is None
    assert (await stored(query, result["id"])).status == "held"


async def test_a_contact_older_than_the_window_does_not_get_the_position(operator, send, query):
    contact = await call(operator)
    clock.travel(timedelta(minutes=6))

    result = (await send(aml_text(positioned_at=clock.now()))).json()

    assert result["status"] == "held"
    assert (await operator.get(f"/api/v1/contacts/{contact['id']}")).json()["lat"] is None


async def test_an_aml_with_no_position_is_kept_flagged_and_changes_no_contact(operator, send, query, gateway):
    contact = await call(operator)
    text = aml_text(lat=0.0, lon=0.0, radius_m=None, confidence=0, method="N")

    response = await send(text)

    assert response.status_code == 200
    result = response.json()
    assert result["status"] == "unlocated" and "aml_no_position" in result["flags"]
    message = await stored(query, result["id"])
    assert message.text == text and message.lat is None
    assert (await operator.get(f"/api/v1/contacts/{contact['id']}")).json()["lat"] is None
    assert gateway.received == []


@pytest.mark.parametrize("text", [
    'A"ML=1;lt=+91.00000;lg=+122.78841;rd=12;top=20261128021500;lc=68;pm=G;ml=80',
    'A"ML=1;lt=-0.95012;lg=abc;rd=12;top=20261128021500;lc=68;pm=G',
    'A"ML=1;lt=-0.95012;lg=+122.78841;rd=-5;top=20261399999999;lc=680;pm=X;si=x;ei=;mcc=;mnc=;ml=?',
    'A"ML=',
    'A"ML=1;;;;====;lt;lg',
])
async def test_a_malformed_aml_answers_200_is_kept_raw_and_flagged(send, query, gateway, text):
    response = await send(text)

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["kind"] == "aml" and result["status"] == "unlocated"
    assert "aml_malformed" in result["flags"] and result["contact_id"] is None
    message = await stored(query, result["id"])
    assert message.text == text and message.detail  # the problems, in sentences
    assert gateway.received == []


async def test_an_aml_does_not_overwrite_a_location_the_operator_typed(operator, send, query):
    contact = await call(operator, lat=-0.9, lon=122.7, location_source="typed")

    result = (await send(aml_text())).json()

    assert "contact_location_kept" in result["flags"] and result["contact_id"] == contact["id"]
    after = (await operator.get(f"/api/v1/contacts/{contact['id']}")).json()
    assert (after["lat"], after["lon"], after["location_source"]) == (-0.9, 122.7, "typed")


async def test_aml_events_never_carry_the_number_imsi_or_imei(operator, send, query):
    await send(aml_text(imsi="510109876543210", imei="356938035643809"))
    await call(operator)
    await send(aml_text(imsi="510109876543210", imei="356938035643809"))

    payloads = [json.dumps(p) for p in await query(
        select(Event.payload).where(Event.kind.in_(("aml.received", "contact.located"))))]
    assert len(payloads) == 3
    for text in payloads:
        assert not any(secret in text for secret in (*SENDER_FORMS, "510109876543210", "356938035643809")), text
