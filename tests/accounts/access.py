"""Pieces of the authorization matrix: the Rule shape, per-route setup and what an allowed persona must see."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.accounts.conftest import CALLER_E164, CALLER_MASKED
from tests.conftest import PASSWORD
from tests.conftest import PERSONAS as STAFF_PERSONAS

PERSONAS = [*STAFF_PERSONAS, "anonymous"]
STAFF = frozenset(STAFF_PERSONAS)
EVERYONE = STAFF | {"anonymous"}
NOBODY: frozenset[str] = frozenset()
BANGGAI = STAFF - {"outsider"}
INTAKE = frozenset({"operator", "supervisor"})
OUTSIDER = frozenset({"outsider"})
# Agency staff whose agency (Damkar or PSC 119) is assigned to the fire; Polres is not.
FIRE_AGENCIES = frozenset({"damkar_dispatcher", "psc_dispatcher", "responder"})
SEES_FIRE = INTAKE | FIRE_AGENCIES | {"leader", "admin"}
NOT_SENT = frozenset({"polres_dispatcher", "outsider"})
ALERT_READERS = frozenset({"supervisor", "leader", "admin"})
DASHBOARD = frozenset({"supervisor", "leader", "admin"})

Scene = dict[str, Any]
Check = Callable[[str, httpx.Response, Scene], None]
Request = Callable[[Scene, str], dict[str, Any]]
Prepare = Callable[..., Awaitable[Scene]]


@dataclass(frozen=True)
class Rule:
    """allow: personas that get through; hidden: those for whom the object does not exist (404).

    Every other staff persona gets 403 and anonymous 401 — unless `denied` names one status for
    every refusal (a webhook that only trusts its signature). Allowed personas get `ok`, or the
    business outcome in `business` (e.g. 409 when the incident is in the wrong state).
    """

    allow: frozenset[str]
    hidden: frozenset[str] = frozenset()
    ok: int = 200
    business: Mapping[str, int] = field(default_factory=dict)
    request: Request | None = None  # -> httpx request kwargs (json, data, params, files)
    check: Check | None = None
    prepare: Prepare | None = None  # extra objects for this route, merged into the scene
    ids: Mapping[str, str] = field(default_factory=dict)  # path placeholder -> scene key
    denied: int | None = None
    stream: bool = False

    def expected(self, persona: str) -> int:
        if persona in self.allow:
            return self.business.get(persona, self.ok)
        if self.denied is not None:
            return self.denied
        if persona == "anonymous":
            return 401
        return 404 if persona in self.hidden else 403


# -- requests ------------------------------------------------------------------------------------


def credentials(_: Scene, persona: str) -> dict[str, Any]:
    username = "operator" if persona == "anonymous" else persona
    return {"data": {"username": username, "password": PASSWORD}}


def send(kind: str, payload: Any) -> Request:
    """kind is json, data or params; payload a value or a function of the scene."""
    return lambda scene, _: {kind: payload(scene) if callable(payload) else payload}


def photo_upload(scene: Scene, _: str) -> dict[str, Any]:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 60, 30)).save(out, format="PNG")
    return {"data": {"code": scene["public_code"]}, "files": {"photo": ("asap.png", out.getvalue(), "image/png")}}


# -- per-route setup -----------------------------------------------------------------------------

PUBLIC_REPORT = {
    "category": "banjir",
    "description": "Air naik setinggi lutut di jalan utama",
    "region_code": "72.01.04",
    "phone": "0813-1111-2222",
}
OPEN311_FIRE = {
    "service_code": "kebakaran_bangunan",
    "lat": "-0.951234",
    "long": "122.787654",
    "address_string": "Jl. Ahmad Yani 12, Luwuk",
    "description": "Gudang kopra terbakar",
    "phone": "0813-1111-2222",
}
FLOOD_ALERT = {
    "category": "Met",
    "urgency": "Expected",
    "severity": "Severe",
    "certainty": "Likely",
    "response_type": "Prepare",
    "areas": [{"kecamatan": "72.01.04"}],
    "info": [
        {
            "language": "id-ID",
            "event": "Banjir",
            "headline": "Waspada banjir di Kecamatan Luwuk",
            "description": "Hujan lebat sejak sore.",
            "instruction": "Warga bersiap mengungsi.",
        }
    ],
}


async def public_report(*, anon: httpx.AsyncClient, **_: Any) -> Scene:
    response = await anon.post("/api/v1/public/reports", json=PUBLIC_REPORT)
    assert response.status_code == 201, response.text
    return {"public_ticket": response.json()["ticket"], "public_code": response.json()["tracking_code"]}


async def open311_request(*, anon: httpx.AsyncClient, **_: Any) -> Scene:
    response = await anon.post("/open311/v2/requests.json", data=OPEN311_FIRE)
    assert response.status_code == 200, response.text
    (receipt,) = response.json()
    return {"service_request_id": receipt["service_request_id"], "token": receipt["token"]}


async def alert_drafts(*, app: Any, login: Any, **_: Any) -> Scene:
    """One draft by `supervisor` (theirs to edit) and one by a second supervisor (theirs to approve)."""
    from cc112.accounts import service as accounts

    async with app.state.db.session_scope() as session:
        await accounts.create(
            db=session,
            username="supervisor2",
            password=PASSWORD,
            role="supervisor",
            jurisdiction_code="72.01",
            full_name="Siti Rahmawati",
        )
    drafts = {}
    for key, name in (("own_alert_id", "supervisor"), ("alert_id", "supervisor2")):
        response = await (await login(name)).post("/api/v1/alerts", json=FLOOD_ALERT)
        assert response.status_code == 201, response.text
        drafts[key] = response.json()["id"]
    return drafts


# -- what an allowed persona must (not) see ------------------------------------------------------


def _items(response: httpx.Response) -> list[dict[str, Any]]:
    body = response.json()
    return body["items"] if isinstance(body, dict) and "items" in body else body if isinstance(body, list) else [body]


def lists_fire_iff(who: frozenset[str]) -> Check:
    def check(persona: str, response: httpx.Response, scene: Scene) -> None:
        ids = {item["id"] for item in _items(response)}
        assert (scene["incident_id"] in ids) == (persona in who), ids

    return check


def contact_masking(persona: str, response: httpx.Response, scene: Scene) -> None:
    items = _items(response)
    if persona == "outsider":
        assert items == [] and response.json()["total"] == 0
        return
    contact = next(c for c in items if c["id"] == scene["contact_id"])
    full = persona in INTAKE
    assert contact["caller_number"] == (CALLER_E164 if full else CALLER_MASKED)
    assert contact["caller_name"] == ("Budi Santoso" if full else None)
    assert contact["caller_masked"] is not full


def agencies_seen(persona: str, response: httpx.Response, scene: Scene) -> None:
    seen = {a["agency"] for a in response.json() if a["incident_id"] == scene["incident_id"]}
    expected = {
        "damkar_dispatcher": {"DAMKAR"},
        "responder": {"DAMKAR"},
        "psc_dispatcher": {"PSC119"},
        "polres_dispatcher": set(),
        "outsider": set(),
    }.get(persona, {"DAMKAR", "PSC119"})
    assert seen == expected


def caller_history(persona: str, response: httpx.Response, _: Scene) -> None:
    assert response.json()["contacts_total"] == (0 if persona == "outsider" else 1)


def timeline(_: str, response: httpx.Response, __: Scene) -> None:
    kinds = [e["kind"] for e in response.json()]
    assert kinds[0] == "incident.created" and "assignment.requested" in kinds


def status_is(expected: str, key: str = "status") -> Check:
    def check(_: str, response: httpx.Response, __: Scene) -> None:
        assert response.json()[key] == expected, response.text

    return check


def empty_for_outsider(persona: str, response: httpx.Response, _: Scene) -> None:
    # Kota Palu has nothing in the test data, so whatever the outsider sees would be Banggai's.
    assert (_items(response) == []) == (persona == "outsider"), response.text


def nothing_of_banggai_for_outsider(persona: str, response: httpx.Response, _: Scene) -> None:
    if persona == "outsider":
        for banggai in ("DAMKAR", "PSC119", "Luwuk", "kebakaran_bangunan"):
            assert banggai not in response.text, banggai


def counts_the_fire(persona: str, response: httpx.Response, _: Scene) -> None:
    fires = sum(row["count"] for row in response.json()["by_type"] if row["code"] == "kebakaran_bangunan")
    assert fires == (0 if persona == "outsider" else 2), response.json()["by_type"]  # the fire and its duplicate


def counts_the_month(persona: str, response: httpx.Response, _: Scene) -> None:
    total = sum(month["count"] for month in response.json()["months"])
    assert total == (0 if persona == "outsider" else 2), response.json()["months"]


def whoami(persona: str, response: httpx.Response, _: Scene) -> None:
    assert response.json()["username"] == persona


def logged_in(persona: str, response: httpx.Response, _: Scene) -> None:
    assert response.json()["user"]["username"] == ("operator" if persona == "anonymous" else persona)


def no_personal_data(_: str, response: httpx.Response, __: Scene) -> None:
    for leak in ("0813", "+62813", "6281311112222", CALLER_E164, "Budi"):
        assert leak not in response.text, leak


def stream_ready(_: str, response: httpx.Response, __: Scene) -> None:
    assert "event: ready" in response.text


def assert_denial(response: httpx.Response, status: int, scene: Scene) -> None:
    """A refusal in the product's error shape, with a sentence a person can act on."""
    error = response.json().get("error")
    assert isinstance(error, dict), response.text
    assert error["code"] == {401: "unauthorized", 403: "forbidden", 404: "not_found"}[status]
    message = error["message"]
    assert isinstance(message, str) and len(message) > 10 and " " in message, message
    if status == 401:
        assert response.headers.get("www-authenticate") == "Bearer"
    if status == 404:
        assert scene["ticket"] not in response.text  # a hidden incident leaks nothing


def assert_business(response: httpx.Response) -> None:
    error = response.json().get("error")
    if error is None:
        pytest.fail(f"a business refusal should explain itself: {response.text}")
    assert error["code"] not in ("unauthorized", "forbidden", "not_found"), response.text
