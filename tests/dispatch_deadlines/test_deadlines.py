"""Escalation of assignments that miss their agency's targets."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cc112 import clock
from cc112.dispatch.deadlines import sweep
from cc112.events.models import Event


async def _sweep(app):  # type: ignore[no-untyped-def]
    async with app.state.db.session_scope() as session:
        return await sweep(session)


async def test_nothing_escalates_before_the_target(app, dispatched_fire):
    clock.travel(timedelta(seconds=30))  # P1 acknowledgement target is 60 s
    assert await _sweep(app) == []


async def test_an_unacknowledged_assignment_escalates_once(app, dispatched_fire, damkar_dispatcher):
    damkar = dispatched_fire["assignments"]["DAMKAR"]["id"]
    ok = await damkar_dispatcher.post(f"/api/v1/assignments/{damkar}/status", json={"status": "acknowledged"})
    assert ok.status_code == 200
    clock.travel(timedelta(seconds=61))
    escalated = await _sweep(app)
    assert [(e.agency, e.reason) for e in escalated] == [("PSC119", "not_acknowledged")]
    assert await _sweep(app) == []  # never twice


async def test_late_arrival_escalates_and_reaches_the_agency(app, dispatched_fire, damkar_dispatcher):
    clock.travel(timedelta(minutes=21))  # P1 on-scene target is 20 minutes
    reasons = sorted((e.agency, e.reason) for e in await _sweep(app))
    assert ("DAMKAR", "not_on_scene") in reasons and ("DAMKAR", "not_acknowledged") in reasons
    timeline = (await damkar_dispatcher.get(f"/api/v1/incidents/{dispatched_fire['id']}/timeline")).json()
    escalations = [e for e in timeline if e["kind"] == "assignment.escalated" and e["payload"]["agency"] == "DAMKAR"]
    assert {e["payload"]["reason"] for e in escalations} == {"not_acknowledged", "not_on_scene"}
    assert all(e["payload"]["overdue_seconds"] >= 60 for e in escalations)


async def test_an_assignment_on_scene_in_time_never_escalates_for_arrival(app, dispatched_fire, damkar_dispatcher):
    damkar = dispatched_fire["assignments"]["DAMKAR"]["id"]
    for status in ("acknowledged", "en_route", "on_scene"):
        assert (await damkar_dispatcher.post(f"/api/v1/assignments/{damkar}/status",
                                             json={"status": status})).status_code == 200
    clock.travel(timedelta(hours=2))
    await _sweep(app)
    async with app.state.db.session() as s:
        rows = list(await s.scalars(select(Event).where(Event.kind == "assignment.escalated",
                                                        Event.assignment_id == damkar)))
    assert rows == []
