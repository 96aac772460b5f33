"""Two people acting on the same thing at the same moment: exactly one wins, the other is told why."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import httpx
import pytest

from tests.conftest import LUWUK_FIRE
from tests.dispatch.conftest import Login

pytestmark = pytest.mark.anyio  # the root conftest adds it too late for parametrized fixtures
ROUNDS = 5


async def at_once(*requests: Coroutine[Any, Any, httpx.Response]) -> list[httpx.Response]:
    """Start every request in the same event-loop tick (released together by one gate); bounded in time."""
    gate = asyncio.Event()

    async def run(request: Coroutine[Any, Any, httpx.Response]) -> httpx.Response:
        await gate.wait()
        return await request

    tasks = [asyncio.create_task(run(request)) for request in requests]
    await asyncio.sleep(0)
    gate.set()
    return await asyncio.wait_for(asyncio.gather(*tasks), 30)


def one_winner(responses: list[httpx.Response], ok: int) -> tuple[int, httpx.Response]:
    """The index of the one success; the loser must be a 409 that explains itself."""
    codes = [r.status_code for r in responses]
    assert sorted(codes) == sorted([ok, 409]), [(r.status_code, r.text) for r in responses]
    winner = codes.index(ok)
    loser = responses[1 - winner]
    error = loser.json()["error"]
    assert error["code"] in ("conflict", "invalid_transition"), error
    assert len(error["message"]) > 20, error
    return winner, loser


async def _fire(client: httpx.AsyncClient, description: str) -> dict[str, Any]:
    response = await client.post("/api/v1/incidents", json={**LUWUK_FIRE, "description": description})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _kinds(client: httpx.AsyncClient, incident_id: int) -> list[str]:
    response = await client.get(f"/api/v1/incidents/{incident_id}/timeline")
    assert response.status_code == 200, response.text
    return [e["kind"] for e in response.json()]


async def _incident(client: httpx.AsyncClient, incident_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/incidents/{incident_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_two_simultaneous_acknowledgements_make_one_acknowledgement(contenders: Login):
    operator = await contenders("operator")
    damkar = await contenders("damkar_dispatcher")
    supervisor = await contenders("supervisor")
    for round_ in range(ROUNDS):
        fire = await _fire(operator, f"Ronde {round_}")
        dispatched = await operator.post(f"/api/v1/incidents/{fire['id']}/dispatch", json={"agencies": ["DAMKAR"]})
        assert dispatched.status_code == 201, dispatched.text
        url = f"/api/v1/assignments/{dispatched.json()[0]['id']}/status"
        people = [damkar, supervisor] if round_ % 2 == 0 else [supervisor, damkar]
        responses = await at_once(*(c.post(url, json={"status": "acknowledged"}) for c in people))
        winner, loser = one_winner(responses, 200)
        message = loser.json()["error"]["message"]
        assert "acknowledged" in message or "someone else" in message, message
        assert responses[winner].json()["status"] == "acknowledged"
        assert (await _kinds(operator, fire["id"])).count("assignment.acknowledged") == 1
        assignment = (await _incident(operator, fire["id"]))["assignments"][0]
        assert assignment["status"] == "acknowledged"
        assert assignment["acknowledged_at"] == responses[winner].json()["acknowledged_at"]


async def test_two_opposite_merges_at_once_leave_one_merge_and_no_cycle(contenders: Login):
    operator = await contenders("operator")
    supervisor = await contenders("supervisor")
    for round_ in range(ROUNDS):
        a = await _fire(operator, f"Laporan A ronde {round_}")
        b = await _fire(operator, f"Laporan B ronde {round_}")
        responses = await at_once(
            operator.post(f"/api/v1/incidents/{a['id']}/merge", json={"into": b["ticket"]}),
            supervisor.post(f"/api/v1/incidents/{b['id']}/merge", json={"into": a["ticket"]}),
        )
        winner, loser = one_winner(responses, 200)
        duplicate, master = (a, b) if winner == 0 else (b, a)
        assert "merged" in loser.json()["error"]["message"], loser.text
        dup_now, master_now = await _incident(operator, duplicate["id"]), await _incident(operator, master["id"])
        assert dup_now["status"] == "merged" and dup_now["merged_into"] == master["ticket"]
        assert master_now["status"] == "verified" and master_now["merged_into"] is None  # no cycle
        assert (await _kinds(operator, duplicate["id"])).count("incident.merged") == 1
        assert (await _kinds(operator, master["id"])).count("incident.merged") == 0
        assert (await _kinds(operator, master["id"])).count("incident.duplicate_linked") == 1


async def test_one_duplicate_merged_into_two_masters_at_once_goes_to_exactly_one(contenders: Login):
    operator = await contenders("operator")
    supervisor = await contenders("supervisor")
    for round_ in range(ROUNDS):
        a = await _fire(operator, f"Duplikat ronde {round_}")
        b = await _fire(operator, f"Induk B ronde {round_}")
        c = await _fire(operator, f"Induk C ronde {round_}")
        responses = await at_once(
            operator.post(f"/api/v1/incidents/{a['id']}/merge", json={"into": b["ticket"]}),
            supervisor.post(f"/api/v1/incidents/{a['id']}/merge", json={"into": c["ticket"]}),
        )
        winner, loser = one_winner(responses, 200)
        master, other = (b, c) if winner == 0 else (c, b)
        assert "merged" in loser.json()["error"]["message"], loser.text
        assert (await _incident(operator, a["id"]))["merged_into"] == master["ticket"]
        assert (await _kinds(operator, a["id"])).count("incident.merged") == 1
        assert (await _kinds(operator, master["id"])).count("incident.duplicate_linked") == 1
        assert (await _kinds(operator, other["id"])).count("incident.duplicate_linked") == 0
        assert (await _incident(operator, other["id"]))["status"] == "verified"


async def test_two_simultaneous_requests_for_the_same_agency_make_one_assignment(contenders: Login):
    operator = await contenders("operator")
    supervisor = await contenders("supervisor")
    for round_ in range(ROUNDS):
        fire = await _fire(operator, f"Ronde {round_}")
        url = f"/api/v1/incidents/{fire['id']}/assignments"
        responses = await at_once(
            operator.post(url, json={"agency": "DAMKAR"}),
            supervisor.post(url, json={"agency": "DAMKAR"}),
        )
        _winner, loser = one_winner(responses, 201)
        assert "already assigned" in loser.json()["error"]["message"], loser.text
        assignments = (await _incident(operator, fire["id"]))["assignments"]
        assert [a["agency"] for a in assignments] == ["DAMKAR"]
        assert (await _kinds(operator, fire["id"])).count("assignment.requested") == 1


async def test_two_simultaneous_dispatches_of_the_same_agencies_are_all_or_nothing(contenders: Login):
    operator = await contenders("operator")
    supervisor = await contenders("supervisor")
    for round_ in range(ROUNDS):
        fire = await _fire(operator, f"Ronde {round_}")
        url = f"/api/v1/incidents/{fire['id']}/dispatch"
        responses = await at_once(
            operator.post(url, json={"agencies": ["DAMKAR", "PSC119"]}),
            supervisor.post(url, json={"agencies": ["PSC119", "DAMKAR"]}),
        )
        winner, loser = one_winner(responses, 201)
        assert "already assigned" in loser.json()["error"]["message"], loser.text
        assignments = (await _incident(operator, fire["id"]))["assignments"]
        assert sorted(a["agency"] for a in assignments) == ["DAMKAR", "PSC119"]
        assert {a["id"] for a in assignments} == {a["id"] for a in responses[winner].json()}
        assert (await _kinds(operator, fire["id"])).count("assignment.requested") == 2
