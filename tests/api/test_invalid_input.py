"""Bad input gets a 4xx JSON error that names the field — never a 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.conftest import LUWUK_FIRE, PASSWORD

# Module-level: the conftest adds the anyio mark too late for parametrized async tests.
pytestmark = pytest.mark.anyio

TOO_BIG_ID = 2**63  # one past the largest BIGINT
HUGE_ID = 10**20


def error_of(response: httpx.Response, status: int) -> dict:  # type: ignore[type-arg]
    """The error body, after checking the status and the documented shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    for f in error.get("fields", []):
        assert set(f) == {"field", "message"} and f["message"]
    return error  # type: ignore[no-any-return]


def fields_of(response: httpx.Response, status: int = 422) -> set[str]:
    return {f["field"] for f in error_of(response, status).get("fields", [])}


async def post_raw(client: httpx.AsyncClient, path: str, raw: bytes) -> httpx.Response:
    return await client.post(path, content=raw, headers={"content-type": "application/json"})


# --- incident bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "kebakaran_hutan_di_bulan"}, "type"),
        ({"type": ""}, "type"),
        ({"lat": 91}, "lat"),
        ({"lat": -90.0001}, "lat"),
        ({"lon": 181}, "lon"),
        ({"lon": -180.5}, "lon"),
        ({"priority": 0}, "priority"),
        ({"priority": 5}, "priority"),
        ({"priority": "high"}, "priority"),
        ({"lat": "north"}, "lat"),
        ({"description": ["a", "list"]}, "description"),
        ({"people_involved": -1}, "people_involved"),
        ({"is_exercise": "maybe"}, "is_exercise"),
        ({"colour": "red"}, "colour"),  # unknown fields are refused, not ignored
        ({"description": "x" * 4001}, "description"),
        ({"address": "Jl. \x00 Ahmad Yani"}, "address"),  # PostgreSQL cannot store NUL
        ({"type": "kebakaran\x00bangunan"}, "type"),
        ({"contact_id": 0}, "contact_id"),
        ({"contact_id": HUGE_ID}, "contact_id"),
        ({"region_code": "99.99.99"}, "region_code"),
    ],
)
async def test_a_bad_incident_field_is_named(operator, change, field):
    response = await operator.post("/api/v1/incidents", json={**LUWUK_FIRE, **change})
    assert field in fields_of(response)
    assert (await operator.get("/api/v1/incidents")).json()["total"] == 0


async def test_a_missing_type_is_named(operator):
    body = {k: v for k, v in LUWUK_FIRE.items() if k != "type"}
    assert fields_of(await operator.post("/api/v1/incidents", json=body)) == {"type"}


@pytest.mark.parametrize(("given_", "missing"), [({"lat": -0.95}, "lon"), ({"lon": 122.78}, "lat")])
async def test_half_a_position_names_the_missing_coordinate(operator, given_, missing):
    body = {"type": "kebakaran_bangunan", **given_}
    assert missing in fields_of(await operator.post("/api/v1/incidents", json=body))


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"type":"kebakaran_bangunan","lat":NaN,"lon":1}', "lat"),
        (b'{"type":"kebakaran_bangunan","lat":1,"lon":Infinity}', "lon"),
        (b'{"type":"kebakaran_bangunan","lat":-Infinity,"lon":1}', "lat"),
        (b'{"type":"kebakaran_bangunan","location_accuracy_m":NaN}', "location_accuracy_m"),
    ],
)
async def test_nan_and_infinity_are_refused(operator, raw, field):
    assert field in fields_of(await post_raw(operator, "/api/v1/incidents", raw))


async def test_nan_in_a_contact_position_is_refused(operator):
    raw = b'{"channel":"phone","lat":NaN,"lon":NaN}'
    assert fields_of(await post_raw(operator, "/api/v1/contacts", raw)) >= {"lat", "lon"}


@pytest.mark.parametrize("raw", [b'{"type": "kebakaran_bangunan",', b"not json", b"{'type': 1}", b""])
async def test_malformed_json_is_a_422_saying_so(operator, raw):
    error = error_of(await post_raw(operator, "/api/v1/incidents", raw), 422)
    assert "JSON" in error["message"] or "body" in {f["field"] for f in error.get("fields", [])}


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"kebakaran"', b"null", b"42"])
async def test_a_body_that_is_not_an_object_is_refused(operator, raw):
    assert fields_of(await post_raw(operator, "/api/v1/incidents", raw)) == {"body"}


# --- size -----------------------------------------------------------------------------------------------


async def test_an_oversized_body_is_refused_with_413(operator):
    body = {**LUWUK_FIRE, "description": "api " * 17_000}  # ~68 KB > 64 KiB
    error = error_of(await operator.post("/api/v1/incidents", json=body), 413)
    assert "65536" in error["message"]
    assert (await operator.get("/api/v1/incidents")).json()["total"] == 0


async def test_an_oversized_streamed_body_is_refused_with_413(operator):
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"type":"kebakaran_bangunan","description":"'
        for _ in range(20):
            yield b"x" * 4096
        yield b'"}'

    response = await operator.post("/api/v1/incidents", content=chunks(), headers={"content-type": "application/json"})
    assert "larger than" in error_of(response, 413)["message"]


async def test_a_body_just_under_the_limit_is_read(operator):
    body = {**LUWUK_FIRE, "description": "x" * 4000, "colour": "y" * 50_000}
    assert "colour" in fields_of(await operator.post("/api/v1/incidents", json=body))


# --- dispatch and assignments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"agencies": ["DAMKAR", "PEMADAM_GAIB"]}, "agencies"),
        ({"agencies": []}, "agencies"),
        ({"agencies": "DAMKAR"}, "agencies"),
        ({"agencies": [7]}, "agencies.0"),
        ({"agencies": ["\x00"]}, "agencies"),
        ({"agency": "DAMKAR"}, "agency"),  # the single-agency field on the wrong endpoint
    ],
)
async def test_a_bad_dispatch_names_the_field_and_dispatches_nobody(operator, fire, body, field):
    response = await operator.post(f"/api/v1/incidents/{fire['id']}/dispatch", json=body)
    assert field in fields_of(response)
    incident = (await operator.get(f"/api/v1/incidents/{fire['id']}")).json()
    assert incident["assignments"] == [] and incident["status"] == "verified"  # all or none


async def test_an_unknown_agency_for_one_assignment_is_named(operator, fire):
    response = await operator.post(f"/api/v1/incidents/{fire['id']}/assignments", json={"agency": "NASA"})
    assert fields_of(response) == {"agency"}
    assert "NASA" in error_of(response, 422)["message"]


async def test_a_completed_assignment_cannot_be_acknowledged_again(damkar_dispatcher, dispatched_fire):
    damkar = dispatched_fire["assignments"]["DAMKAR"]["id"]
    for step in ("acknowledged", "completed"):
        ok = await damkar_dispatcher.post(f"/api/v1/assignments/{damkar}/status", json={"status": step})
        assert ok.status_code == 200, ok.text
    response = await damkar_dispatcher.post(f"/api/v1/assignments/{damkar}/status", json={"status": "acknowledged"})
    error = error_of(response, 409)
    assert error["code"] == "invalid_transition"
    assert "completed" in error["message"] and "acknowledged" in error["message"]


async def test_a_closed_incident_cannot_be_dispatched(operator, fire):
    cancelled = await operator.post(f"/api/v1/incidents/{fire['id']}/cancel", json={"reason": "prank"})
    assert cancelled.status_code == 200
    response = await operator.post(f"/api/v1/incidents/{fire['id']}/dispatch", json={"agencies": ["DAMKAR"]})
    assert "cancelled" in error_of(response, 409)["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"status": "declined"},
        {"status": "declined", "reason": "   "},
        {"status": "declined", "reason": ""},
    ],
)
async def test_declining_without_a_reason_names_the_reason(damkar_dispatcher, dispatched_fire, body):
    damkar = dispatched_fire["assignments"]["DAMKAR"]["id"]
    response = await damkar_dispatcher.post(f"/api/v1/assignments/{damkar}/status", json=body)
    assert fields_of(response) == {"reason"}


async def test_an_unknown_assignment_status_is_named(damkar_dispatcher, dispatched_fire):
    damkar = dispatched_fire["assignments"]["DAMKAR"]["id"]
    response = await damkar_dispatcher.post(f"/api/v1/assignments/{damkar}/status", json={"status": "teleported"})
    assert fields_of(response) == {"status"}


# --- unknown ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize("unknown", [999_999, -1, 0])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/incidents/{id}", None),
        ("GET", "/api/v1/incidents/{id}/timeline", None),
        ("POST", "/api/v1/incidents/{id}/verify", None),
        ("POST", "/api/v1/incidents/{id}/cancel", {"reason": "prank"}),
        ("POST", "/api/v1/incidents/{id}/dispatch", {"agencies": ["DAMKAR"]}),
        ("POST", "/api/v1/assignments/{id}/status", {"status": "acknowledged"}),
        ("GET", "/api/v1/contacts/{id}", None),
        ("POST", "/api/v1/contacts/{id}/classify", {"classification": "prank"}),
    ],
)
async def test_unknown_ids_are_404(supervisor, method, path, body, unknown):
    response = await supervisor.request(method, path.format(id=unknown), json=body)
    assert error_of(response, 404)["code"] == "not_found"


@pytest.mark.parametrize("huge", [TOO_BIG_ID, HUGE_ID])
@pytest.mark.parametrize("path", ["/api/v1/incidents/{id}", "/api/v1/contacts/{id}"])
async def test_ids_beyond_any_database_integer_are_a_4xx_not_a_crash(operator, path, huge):
    response = await operator.get(path.format(id=huge))
    assert 400 <= response.status_code < 500, response.text
    error_of(response, response.status_code)


async def test_an_id_that_is_not_a_number_is_named(operator):
    assert fields_of(await operator.get("/api/v1/incidents/BGI-1")) == {"incident_id"}


# --- property: no body ever makes a 5xx --------------------------------------------------------------

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
TEXT = st.text(max_size=60)  # includes NUL and other control characters
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-12))])
TIME = st.datetimes(timezones=ZONES).map(lambda d: d.isoformat()) | st.sampled_from(  # year 1 … 9999
    ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00", "2026-11-28T10:15:00+08:00"]
)
POSITION = st.just({}) | st.fixed_dictionaries({"lat": st.floats(-90, 90), "lon": st.floats(-180, 180)})
# Valid values per field: most bodies get past validation and reach the database.
INCIDENT = {
    "type": st.sampled_from(["kebakaran_bangunan", "kegawatan_medis", "kecelakaan_lalu_lintas"]),
    "priority": st.integers(1, 4),
    "location_accuracy_m": st.floats(0, 100000),
    "region_code": st.sampled_from(["72.01.04", "72.01.01"]),
    "address": TEXT,
    "landmark": TEXT,
    "description": TEXT,
    "people_involved": st.integers(0, 100000),
    "hazards": TEXT,
    "is_exercise": st.booleans(),
    "contact_id": st.sampled_from([1, 2, 2**63 - 1]),
}
CONTACT = {
    "channel": st.sampled_from(["phone", "sms", "web", "walk_in"]),
    "caller_number": st.sampled_from(["0812-3456-7890", "0461 21234", "+6281234567890", "anonymous"])
    | st.from_regex(r"\+?[0-9 ()-]{0,24}", fullmatch=True)
    | TEXT,
    "caller_name": TEXT,
    "received_at": TIME,
    "answered_at": TIME,
    "ended_at": TIME,
    "classification": st.sampled_from(["emergency", "prank", "ghost", "abandoned"]),
    "location_accuracy_m": st.floats(0, 100000),
    "location_source": st.sampled_from(["gps", "aml", "typed"]),
    "location_text": TEXT,
    "summary": TEXT,
    "is_exercise": st.booleans(),
}
DISPATCH = {
    "agencies": st.lists(st.sampled_from(["DAMKAR", "PSC119", "polres", " BPBD "]) | TEXT, min_size=1, max_size=12)
}


def bodies(valid: dict[str, st.SearchStrategy], required: str, extra: st.SearchStrategy):  # type: ignore[no-untyped-def,type-arg]
    """Valid bodies, valid bodies with one field replaced by any JSON, and any JSON at all."""
    base = st.tuples(
        st.fixed_dictionaries({required: valid[required]}, optional={k: v for k, v in valid.items() if k != required}),
        extra,
    )
    good = base.map(lambda t: {**t[0], **t[1]})
    one_bad = st.tuples(good, st.sampled_from([*valid, "lat", "lon", "unknown"]), JSON).map(
        lambda t: {**t[0], t[1]: t[2]}
    )
    return st.one_of(good, good, one_bad, JSON)


TARGETS = {
    "incidents": bodies(INCIDENT, "type", POSITION),
    "contacts": bodies(CONTACT, "channel", POSITION),
    "dispatch": bodies(DISPATCH, "agencies", st.just({})),
}

# Drawn up front: st.data() inside an async test breaks under anyio's hypothesis runner.
TARGETED = st.sampled_from(sorted(TARGETS)).flatmap(lambda t: st.tuples(st.just(t), TARGETS[t]))


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target_body=TARGETED)
async def test_no_json_body_makes_a_server_error(operator, fire, target_body):
    target, body = target_body
    path = {
        "incidents": "/api/v1/incidents",
        "contacts": "/api/v1/contacts",
        "dispatch": f"/api/v1/incidents/{fire['id']}/dispatch",
    }[target]
    raw = json.dumps(body, allow_nan=True).encode()  # NaN and Infinity go out as the bare words
    response = await post_raw(operator, path, raw)
    assert response.status_code < 500, (raw, response.text)
    if response.status_code >= 400:
        error_of(response, response.status_code)


# --- rate limit ---------------------------------------------------------------------------------------


async def test_the_sixth_request_in_a_minute_is_429_while_another_token_is_served(db_url: str, tmp_path: Path):
    from cc112.app import create_app
    from cc112.config import load_settings

    strict = load_settings(
        database_url=db_url, data_dir=tmp_path, env="test", rate_limit_per_minute=5, deadline_sweep_seconds=0
    )
    application = create_app(strict)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://cc112.test") as client:
            tokens = []
            for name in ("operator", "supervisor"):
                login = await client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
                assert login.status_code == 200, login.text
                tokens.append({"Authorization": f"Bearer {login.json()['access_token']}"})
            busy, other = tokens
            for _ in range(5):
                assert (await client.get("/api/v1/ping", headers=busy)).status_code == 200
            limited = await client.get("/api/v1/ping", headers=busy)
            error = error_of(limited, 429)
            assert error["code"] == "rate_limited"
            assert 1 <= int(limited.headers["Retry-After"]) <= 60
            assert (await client.get("/api/v1/ping", headers=other)).status_code == 200
            assert (await client.get("/healthz")).status_code == 200  # probes are never limited
