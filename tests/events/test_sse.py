"""Live events over Server-Sent Events against a real server: delivery, resume, and who sees what."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from cc112.events.service import can_see
from tests.conftest import LUWUK_FIRE, requires_pg
from tests.events.live import Frame, Live, StreamEnded

pytestmark = pytest.mark.anyio  # the root conftest adds it too late for parametrized fixtures
WAIT = 10  # seconds any single expected frame may take


async def _fire(client: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/incidents", json={**LUWUK_FIRE, **changes})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _dispatch(client: httpx.AsyncClient, incident_id: int, *agencies: str) -> dict[str, dict[str, Any]]:
    response = await client.post(f"/api/v1/incidents/{incident_id}/dispatch", json={"agencies": list(agencies)})
    assert response.status_code == 201, response.text
    return {a["agency"]: a for a in response.json()}


async def _contact(client: httpx.AsyncClient, number: str = "081234567890") -> dict[str, Any]:
    response = await client.post("/api/v1/contacts", json={"channel": "phone", "caller_number": number})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _set_status(client: httpx.AsyncClient, assignment_id: int, status: str) -> None:
    response = await client.post(f"/api/v1/assignments/{assignment_id}/status", json={"status": status})
    assert response.status_code == 200, response.text


def _ids(frames: list[Frame]) -> list[int]:
    """The event ids carried by the frames (the SSE id is the resume point, usually the same)."""
    return [int(f.data["id"]) for f in frames if f.event != "ready"]


def _is_incident_created(incident_id: int):  # type: ignore[no-untyped-def]
    return lambda f: f.event == "incident.created" and f.incident_id == incident_id


# (a) live delivery ---------------------------------------------------------------------------------------------


async def test_a_damkar_dispatcher_receives_its_assignment_live_after_a_dispatch(live: Live):
    stream = await live.sse("damkar_dispatcher")
    replayed, _ = await stream.ready()
    assert replayed == []  # a fresh connection without Last-Event-ID replays nothing
    operator = await live.client("operator")
    fire = await _fire(operator)
    assignments = await _dispatch(operator, fire["id"], "DAMKAR", "PSC119")

    frames = await stream.until(lambda f: f.event == "assignment.requested" and f.agency == "DAMKAR", WAIT)
    requested = frames[-1]
    assert requested.incident_id == fire["id"]
    assert requested.data["assignment_id"] == assignments["DAMKAR"]["id"]
    assert requested.id == requested.data["id"]  # the SSE id is the event id (what Last-Event-ID resumes from)
    assert requested.data["payload"]["ticket"] == fire["ticket"]
    assert [f.event for f in frames][0] == "incident.created"  # the shared picture comes first, in order

    damkar = await live.client("damkar_dispatcher")
    await _set_status(damkar, assignments["DAMKAR"]["id"], "acknowledged")
    acked = (await stream.until(lambda f: f.event == "assignment.acknowledged", WAIT))[-1]
    assert acked.data["assignment_id"] == assignments["DAMKAR"]["id"]
    assert acked.id is not None and acked.id > requested.id


async def test_the_stream_refuses_anonymous_clients(live: Live):
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as anon:
        response = await anon.get("/api/v1/events/stream")
    assert response.status_code == 401
    assert "log in" in response.json()["error"]["message"]


async def test_a_closed_connection_releases_its_feed_subscription(live: Live):
    before = live.feed.subscriber_count
    stream = await live.sse("operator")
    await stream.ready()
    assert live.feed.subscriber_count == before + 1
    await stream.close()
    operator = await live.client("operator")
    for _ in range(100):  # the server notices the disconnect when it next writes
        if live.feed.subscriber_count == before:
            break
        await _contact(operator)
        await asyncio.sleep(0.05)
    assert live.feed.subscriber_count == before


async def test_a_bus_message_that_is_not_in_the_event_table_reaches_nobody(live: Live):
    """The table is the truth: a message on the bus (from another deployment sharing Redis, or
    forged) is only a hint to look, never itself delivered."""
    stream = await live.sse("operator")
    await stream.ready()
    banggai = (await live.user("operator")).jurisdiction_id
    stray = {"id": 10**9, "kind": "incident.created", "at": "2026-01-01T00:00:00+00:00", "jurisdiction_id": banggai,
             "incident_id": 424242, "assignment_id": None, "contact_id": None, "actor_id": None, "agency_ids": [],
             "audience": "all", "is_exercise": False, "payload": {"ticket": "BGI-00000000-9999"}}
    await live.server.call(live.bus.publish(stray))
    sentinel = await _fire(await live.client("operator"))
    frames = await stream.until(_is_incident_created(sentinel["id"]), WAIT)
    assert 10**9 not in _ids(frames)
    assert not [f for f in frames if f.incident_id == 424242]


# (b) resume with Last-Event-ID ---------------------------------------------------------------------------------


async def test_a_reconnecting_client_gets_every_missed_event_once_in_order_then_live_ones(live: Live):
    operator = await live.client("operator")
    damkar = await live.client("damkar_dispatcher")
    me = await live.user("damkar_dispatcher")

    stream = await live.sse("damkar_dispatcher")
    await stream.ready()
    first = await _fire(operator)
    first_asg = await _dispatch(operator, first["id"], "DAMKAR")
    seen = await stream.until(lambda f: f.event == "assignment.requested", WAIT)
    last_id = seen[-1].id
    assert last_id is not None
    await stream.close()

    # While it is away: things it may see, and things it may not.
    await _contact(operator)                                             # intake only
    await _set_status(damkar, first_asg["DAMKAR"]["id"], "acknowledged")  # its own
    second = await _fire(operator, description="Gudang kopra terbakar")
    await _dispatch(operator, second["id"], "DAMKAR", "PSC119")            # its own
    police_only = await _fire(operator, description="Mobil terbakar di jalan")
    await _dispatch(operator, police_only["id"], "POLRES")                 # another agency's
    await _contact(operator, "081299990000")                             # intake only

    expected = [e["id"] for e in await live.events() if e["id"] > last_id and can_see(me, e)]
    assert len(expected) >= 5

    again = await live.sse("damkar_dispatcher", last_event_id=last_id)
    replayed, _cursor = await again.ready()
    assert _ids(replayed) == expected  # every missed event it may see, in id order, exactly once
    kinds = [f.event for f in replayed]
    assert "assignment.acknowledged" in kinds
    assert not any(k.startswith(("contact.", "caller.")) for k in kinds)
    assert not any(f.event.startswith("assignment.") and f.incident_id == police_only["id"] for f in replayed)

    # … and then live ones, none of the replayed repeated.
    third = await _fire(operator, description="Kios terbakar")
    await _dispatch(operator, third["id"], "DAMKAR")
    live_frames = await again.until(lambda f: f.event == "assignment.requested" and f.incident_id == third["id"], WAIT)
    assert not set(_ids(live_frames)) & set(expected)
    assert _ids(live_frames) == [e["id"] for e in await live.events() if e["id"] > expected[-1] and can_see(me, e)]


async def test_query_after_resumes_like_last_event_id_and_the_header_wins(live: Live):
    operator = await live.client("operator")
    fire = await _fire(operator)
    await _dispatch(operator, fire["id"], "DAMKAR", "PSC119")
    everything = [e["id"] for e in await live.events() if can_see(await live.user("operator"), e)]
    assert len(everything) >= 3
    pivot = everything[0]

    by_query = await live.sse("operator", after=pivot)
    assert _ids((await by_query.ready())[0]) == everything[1:]
    header_wins = await live.sse("operator", after=0, last_event_id=everything[1])
    assert _ids((await header_wins.ready())[0]) == everything[2:]


async def test_resuming_while_others_keep_writing_loses_and_repeats_nothing(live: Live):
    """The hand-over from replay to live has no gap and no double, even under concurrent writes."""
    operator = await live.client("operator")
    supervisor = await live.client("supervisor")
    me = await live.user("operator")
    start = max((e["id"] for e in await live.events()), default=0)
    for _ in range(30):
        await _contact(operator)

    async def keep_writing(client: httpx.AsyncClient, n: int) -> None:
        for _ in range(n):
            await _contact(client, "081377770000")

    writers = asyncio.gather(keep_writing(operator, 25), keep_writing(supervisor, 25))
    stream = await live.sse("operator", last_event_id=start)
    await asyncio.wait_for(writers, 60)
    sentinel = await _fire(operator, description="Penanda akhir")
    frames = await stream.until(_is_incident_created(sentinel["id"]), 30)
    ready = next(i for i, f in enumerate(frames) if f.event == "ready")
    received = _ids(frames)
    expected = [e["id"] for e in await live.events() if e["id"] > start and can_see(me, e)]
    assert len(received) == len(set(received)), "an event arrived twice"
    assert sorted(received) == expected, "an event was lost across the replay/live hand-over"
    replayed = _ids(frames[:ready])
    assert replayed == sorted(replayed) and len(replayed) >= 30  # what it missed: in id order
    resume_points = [f.id for f in frames if f.id is not None]
    assert resume_points == sorted(resume_points)  # never resumes behind what it already has
    assert len(received) >= 81


@requires_pg
async def test_an_event_committed_after_a_higher_id_still_reaches_a_connected_console(live: Live):
    """PostgreSQL hands out ids at insert; a slow transaction can commit a lower id later."""
    from cc112.contacts import service as contacts
    from cc112.contacts.schemas import ContactCreate
    from cc112.events.service import event_to_dict

    stream = await live.sse("operator")
    await stream.ready()
    async with live.database.session() as slow:  # takes its event id now, commits later
        operator_user = await slow.merge(await live.user("operator"))
        await contacts.create(db=slow, contact_in=ContactCreate(channel="phone", caller_number="081211112222"),
                              actor=operator_user, settings=live.settings)
        (late,) = slow.info.pop("pending_events")
        quick = await _contact(await live.client("operator"), "081233334444")
        first = (await stream.until(lambda f: f.data.get("contact_id") == quick["id"], WAIT))[-1]
        assert first.data["id"] > late.id
        await slow.commit()
    await live.server.call(live.bus.publish(event_to_dict(late)))
    second = (await stream.until(lambda f: f.event == "contact.received", WAIT))[-1]
    assert second.data["id"] == late.id  # the late one arrives, once
    assert second.id == first.id  # and resuming from it would not repeat the higher one
    again = await live.sse("operator", last_event_id=second.id)
    replayed, _ = await again.ready()
    assert late.id not in _ids(replayed) and first.data["id"] not in _ids(replayed)


async def test_replay_spans_more_than_one_page(live: Live):
    operator = await live.client("operator")
    me = await live.user("operator")
    start = max((e["id"] for e in await live.events()), default=0)

    async def burst(n: int) -> None:
        for _ in range(n):
            await _contact(operator)

    await asyncio.wait_for(asyncio.gather(*(burst(65) for _ in range(8))), 120)  # 520 events > one page of 500
    stream = await live.sse("operator", last_event_id=start)
    replayed, cursor = await stream.ready(within=30)
    expected = [e["id"] for e in await live.events() if e["id"] > start and can_see(me, e)]
    assert len(expected) >= 520
    assert _ids(replayed) == expected
    assert cursor == expected[-1]


async def test_a_client_that_falls_behind_loses_nothing(live: Live, monkeypatch):
    """A subscriber queue that overflows must not drop events silently (at worst the client resumes)."""
    from cc112.events import bus

    monkeypatch.setattr(bus.Subscription.__init__, "__defaults__", (2,))  # a tiny queue for this test
    operator = await live.client("operator")
    me = await live.user("operator")
    stream = await live.sse("operator")
    _, resume_from = await stream.ready()
    fire = await _fire(operator)
    await _dispatch(operator, fire["id"], "DAMKAR", "PSC119", "POLRES", "BPBD")  # four events in one commit
    expected = [e["id"] for e in await live.events() if e["incident_id"] == fire["id"] and can_see(me, e)]
    assert len(expected) == 5

    received: list[int] = []
    reconnects = 0
    while not set(expected) <= set(received):
        try:
            frame = await stream.next(WAIT)
        except StreamEnded:  # what an EventSource does: reconnect with the last id it saw
            reconnects += 1
            assert reconnects <= 3
            stream = await live.sse("operator", last_event_id=resume_from)
            replayed, resume_from = await stream.ready()
            received += _ids(replayed)
            continue
        if frame.id is not None:
            received.append(frame.id)
            resume_from = frame.id
    assert received == expected


# (c) never what it may not see --------------------------------------------------------------------------------


async def test_nobody_receives_events_they_may_not_see(live: Live):
    names = ("operator", "supervisor", "damkar_dispatcher", "psc_dispatcher", "responder", "leader", "outsider")
    streams = {name: await live.sse(name) for name in names}
    for stream in streams.values():
        await stream.ready()
    operator = await live.client("operator")
    damkar = await live.client("damkar_dispatcher")
    outsider = await live.client("outsider")

    contact = await _contact(operator)
    classified = await operator.post(f"/api/v1/contacts/{contact['id']}/classify", json={"classification": "emergency"})
    assert classified.status_code == 200, classified.text
    damkar_fire = await _fire(operator, contact_id=contact["id"])
    damkar_asg = await _dispatch(operator, damkar_fire["id"], "DAMKAR")
    await _set_status(damkar, damkar_asg["DAMKAR"]["id"], "acknowledged")
    psc_case = await _fire(operator, description="Orang pingsan di pasar")
    await _dispatch(operator, psc_case["id"], "PSC119")
    for _ in range(3):  # a prank caller: the third prank blocks the number (caller.blocked, intake only)
        prank = await _contact(operator, "081200000003")
        await operator.post(f"/api/v1/contacts/{prank['id']}/classify", json={"classification": "prank"})
    palu_contact = await _contact(outsider, "081355550000")  # the outsider's own jurisdiction
    sentinel = await _fire(operator, description="Penanda akhir")

    got: dict[str, list[Frame]] = {}
    for name in names:
        if name == "outsider":
            got[name] = await streams[name].until(lambda f: f.data.get("contact_id") == palu_contact["id"], WAIT)
        else:
            got[name] = await streams[name].until(_is_incident_created(sentinel["id"]), WAIT)
    got["outsider"] += await streams["outsider"].drain(1.0)

    def kinds(name: str) -> list[str]:
        return [f.event for f in got[name]]

    banggai = (await live.user("operator")).jurisdiction_id
    # Intake events (contacts, blocked callers) reach operators and supervisors only.
    for name in ("operator", "supervisor"):
        assert {"contact.received", "contact.classified", "caller.blocked"} <= set(kinds(name)), kinds(name)
    for name in ("damkar_dispatcher", "psc_dispatcher", "responder", "leader"):
        assert not [k for k in kinds(name) if k.startswith(("contact.", "caller."))], (name, kinds(name))
    # Assignment events of an incident not assigned to PSC 119 never reach its dispatcher …
    psc_assignment_incidents = {f.incident_id for f in got["psc_dispatcher"] if f.event.startswith("assignment.")}
    assert psc_assignment_incidents == {psc_case["id"]}
    # … and DAMKAR's never hear of PSC 119's alone, but do hear their own.
    for name in ("damkar_dispatcher", "responder"):
        mine = {(f.event, f.incident_id) for f in got[name] if f.event.startswith("assignment.")}
        assert mine == {("assignment.requested", damkar_fire["id"]), ("assignment.acknowledged", damkar_fire["id"])}
    # The shared picture (incident.created) reaches every Banggai staff member.
    for name in names[:-1]:
        assert {damkar_fire["id"], psc_case["id"], sentinel["id"]} <= {
            f.incident_id for f in got[name] if f.event == "incident.created"}
    # The outsider from Palu receives nothing of Banggai: only its own contact.
    assert [(f.event, f.data["contact_id"]) for f in got["outsider"]] == [("contact.received", palu_contact["id"])]
    assert all(f.data["jurisdiction_id"] != banggai for f in got["outsider"])

    # The live stream and the replay apply the same rule: compare both with the table.
    rows = await live.events()
    for name in names:
        user = await live.user(name)
        first, last = _ids(got[name])[0], _ids(got[name])[-1]
        visible = [e["id"] for e in rows if first <= e["id"] <= last and can_see(user, e)]
        assert _ids(got[name]) == visible, name
        replay = await live.sse(name, after=0)
        replayed, _ = await replay.ready()
        assert [i for i in _ids(replayed) if i <= last] == \
            [e["id"] for e in rows if e["id"] <= last and can_see(user, e)], name
        if name != "outsider":
            assert not any(f.data["jurisdiction_id"] != banggai for f in replayed), name
        else:
            assert all(f.data["jurisdiction_id"] != banggai for f in replayed)
        if name in ("damkar_dispatcher", "psc_dispatcher", "responder", "leader"):
            assert not any(f.event.startswith(("contact.", "caller.")) for f in replayed), name
        await replay.close()


async def test_the_operator_receives_contact_events_live(live: Live):
    stream = await live.sse("operator")
    await stream.ready()
    operator = await live.client("operator")
    contact = await _contact(operator)
    frame = (await stream.until(lambda f: f.event == "contact.received", WAIT))[-1]
    assert frame.data["contact_id"] == contact["id"]
    assert frame.data["audience"] == "intake"
    assert "caller_number" not in frame.data["payload"]  # events carry no personal data
    assert "081234567890" not in str(frame.data)
