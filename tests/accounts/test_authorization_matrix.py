"""Who may call which API route: every route of the OpenAPI schema × every persona, from one table.

A route that appears in the schema without a row in RULES fails: deciding who may call it is part
of adding it. Denied calls must say why in a sentence: 401 without credentials, 403 when the role
may not do this at all, 404 when the object is another jurisdiction's or not assigned to the
persona's agency (it does not exist for them).
"""

from __future__ import annotations

from typing import Any

import pytest

from cc112.app import create_app
from cc112.config import load_settings
from tests.accounts import access as a
from tests.accounts.access import (
    ALERT_READERS,
    BANGGAI,
    DASHBOARD,
    EVERYONE,
    INTAKE,
    NOBODY,
    NOT_SENT,
    OUTSIDER,
    PERSONAS,
    SEES_FIRE,
    STAFF,
    Rule,
    send,
)
from tests.accounts.conftest import asgi_stream

# Marked here, not only by the root conftest: anyio otherwise rebuilds parametrized async tests
# without their parameters.
pytestmark = pytest.mark.anyio

PUBLIC = {"ids": {"ticket": "public_ticket"}, "prepare": a.public_report}
OPEN311 = {"prepare": a.open311_request}

RULES: dict[str, Rule] = {
    # -- accounts ---------------------------------------------------------------------------------
    "POST /api/v1/auth/token": Rule(EVERYONE, request=a.credentials, check=a.logged_in),
    "POST /api/v1/auth/login": Rule(EVERYONE, request=a.credentials, check=a.logged_in),
    "POST /api/v1/auth/logout": Rule(STAFF, ok=204),
    "GET /api/v1/auth/me": Rule(STAFF, check=a.whoami),
    # -- contacts: the outsider is a supervisor at home, recording contacts in Kota Palu -------
    "POST /api/v1/contacts": Rule(
        INTAKE | OUTSIDER, ok=201, request=send("json", {"channel": "sms", "caller_number": "081298765432"})
    ),
    "GET /api/v1/contacts": Rule(INTAKE | {"leader", "admin", "outsider"}, check=a.contact_masking),
    "GET /api/v1/contacts/{contact_id}": Rule(INTAKE | {"leader", "admin"}, hidden=OUTSIDER, check=a.contact_masking),
    "POST /api/v1/contacts/{contact_id}/classify": Rule(
        INTAKE, hidden=OUTSIDER, request=send("json", {"classification": "emergency"})
    ),
    "GET /api/v1/callers/{number}/history": Rule(INTAKE | OUTSIDER, check=a.caller_history),
    # -- incidents --------------------------------------------------------------------------------
    # Palu has no incident types in the test data: the outsider passes authorization, then 422.
    "POST /api/v1/incidents": Rule(
        INTAKE | OUTSIDER,
        ok=201,
        business={"outsider": 422},
        request=send("json", {"type": "kebakaran_bangunan", "lat": -0.95, "lon": 122.78}),
    ),
    "GET /api/v1/incidents": Rule(STAFF, check=a.lists_fire_iff(SEES_FIRE)),
    "GET /api/v1/incidents/{incident_id}": Rule(SEES_FIRE, hidden=NOT_SENT),
    "GET /api/v1/incidents/{incident_id}/timeline": Rule(SEES_FIRE, hidden=NOT_SENT, check=a.timeline),
    # Operator-created incidents start verified, dispatched ones are not resolved: 409 once allowed.
    "POST /api/v1/incidents/{incident_id}/verify": Rule(
        INTAKE, hidden=OUTSIDER, business={"operator": 409, "supervisor": 409}
    ),
    "POST /api/v1/incidents/{incident_id}/close": Rule(
        INTAKE,
        hidden=OUTSIDER,
        business={"operator": 409, "supervisor": 409},
        request=send("json", {"reason": "selesai"}),
    ),
    "POST /api/v1/incidents/{incident_id}/cancel": Rule(
        INTAKE, hidden=OUTSIDER, check=a.status_is("cancelled"), request=send("json", {"reason": "laporan palsu"})
    ),
    "POST /api/v1/incidents/{incident_id}/merge": Rule(
        INTAKE,
        hidden=OUTSIDER,
        check=a.status_is("merged"),
        request=send("json", lambda s: {"into": str(s["duplicate_id"])}),
    ),
    # The shared situational picture: every Banggai staff member, Polres included.
    "GET /api/v1/map/incidents": Rule(STAFF, check=a.lists_fire_iff(BANGGAI)),
    # -- dispatch ---------------------------------------------------------------------------------
    "POST /api/v1/incidents/{incident_id}/assignments": Rule(
        INTAKE, hidden=OUTSIDER, ok=201, request=send("json", {"agency": "POLRES"})
    ),
    "POST /api/v1/incidents/{incident_id}/dispatch": Rule(
        INTAKE, hidden=OUTSIDER, ok=201, request=send("json", {"agencies": ["BPBD", "SAR"]})
    ),
    # Acknowledging the Damkar assignment: Damkar's dispatcher or a supervisor, nobody else.
    "POST /api/v1/assignments/{assignment_id}/status": Rule(
        frozenset({"supervisor", "damkar_dispatcher"}),
        hidden=frozenset({"psc_dispatcher"}) | NOT_SENT,
        request=send("json", {"status": "acknowledged"}),
        check=a.status_is("acknowledged"),
    ),
    "GET /api/v1/assignments": Rule(STAFF, check=a.agencies_seen),
    # -- catalog and live events ------------------------------------------------------------------
    "GET /api/v1/incident-types": Rule(STAFF, check=a.empty_for_outsider),
    "GET /api/v1/agencies": Rule(STAFF, check=a.empty_for_outsider),
    "GET /api/v1/units": Rule(STAFF, check=a.empty_for_outsider),
    "GET /api/v1/regions": Rule(STAFF, check=a.empty_for_outsider),
    "GET /api/v1/events/stream": Rule(STAFF, stream=True, check=a.stream_ready),
    # Targets: everyone reads them (Palu has no Damkar), only an administrator sets them.
    "GET /api/v1/agencies/{code}/targets": Rule(BANGGAI, hidden=OUTSIDER),
    "POST /api/v1/agencies/{code}/targets": Rule(
        frozenset({"admin"}),
        ok=201,
        request=send(
            "json",
            {
                "priority": 1,
                "acknowledge_seconds": 60,
                "on_scene_seconds": 600,
                "resolve_seconds": 3600,
                "valid_from": "2030-01-01",
            },
        ),
    ),
    # -- the leaders' dashboard: supervisors, leaders, admins (the outsider sees Palu's zeros) ----
    "GET /api/v1/analytics/incidents": Rule(DASHBOARD | OUTSIDER, check=a.counts_the_fire),
    "GET /api/v1/analytics/scorecard": Rule(DASHBOARD | OUTSIDER, check=a.nothing_of_banggai_for_outsider),
    "GET /api/v1/analytics/contacts": Rule(DASHBOARD | OUTSIDER, check=a.nothing_of_banggai_for_outsider),
    "GET /api/v1/analytics/ratings": Rule(DASHBOARD | OUTSIDER, check=a.nothing_of_banggai_for_outsider),
    "GET /api/v1/analytics/hotspots": Rule(DASHBOARD | OUTSIDER, check=a.nothing_of_banggai_for_outsider),
    "GET /api/v1/analytics/spikes": Rule(DASHBOARD | OUTSIDER, check=a.nothing_of_banggai_for_outsider),
    "GET /api/v1/analytics/monthly": Rule(DASHBOARD | OUTSIDER, check=a.counts_the_month),
    # -- open data: public, aggregated, no personal data --------------------------------------------
    "GET /opendata/index.json": Rule(EVERYONE),
    "GET /opendata/dictionary.json": Rule(EVERYONE),
    "GET /opendata/{dataset}.{fmt}": Rule(EVERYONE, check=a.no_personal_data),
    # -- CAP alerts: supervisors compose and approve (never their own), leaders and admins read ----
    # Palu has no kecamatan in the test data: the outsider's draft is refused as unlocatable.
    "POST /api/v1/alerts": Rule(
        frozenset({"supervisor", "outsider"}), ok=201, business={"outsider": 422}, request=send("json", a.FLOOD_ALERT)
    ),
    "GET /api/v1/alerts": Rule(ALERT_READERS | OUTSIDER, check=a.empty_for_outsider, prepare=a.alert_drafts),
    "GET /api/v1/alerts/{alert_id}": Rule(ALERT_READERS, hidden=OUTSIDER, prepare=a.alert_drafts),
    "PATCH /api/v1/alerts/{alert_id}": Rule(
        frozenset({"supervisor"}),
        hidden=OUTSIDER,
        prepare=a.alert_drafts,
        ids={"alert_id": "own_alert_id"},
        request=send("json", {"severity": "Moderate"}),
    ),
    "POST /api/v1/alerts/{alert_id}/approve": Rule(
        frozenset({"supervisor"}), hidden=OUTSIDER, prepare=a.alert_drafts, check=a.status_is("published", "state")
    ),
    "POST /api/v1/alerts/{alert_id}/reject": Rule(
        frozenset({"supervisor"}),
        hidden=OUTSIDER,
        prepare=a.alert_drafts,
        check=a.status_is("rejected", "state"),
        request=send("json", {"reason": "data belum pasti"}),
    ),
    # -- citizens: public, and a staff token changes nothing -------------------------------------
    "GET /api/v1/public/categories": Rule(EVERYONE),
    "POST /api/v1/public/reports": Rule(EVERYONE, ok=201, request=send("json", a.PUBLIC_REPORT)),
    "GET /api/v1/public/reports/{ticket}": Rule(
        EVERYONE,
        **PUBLIC,
        check=a.no_personal_data,  # type: ignore[arg-type]
        request=send("params", lambda s: {"code": s["public_code"]}),
    ),
    # Feedback waits until the report is resolved: 409 for everyone, a business answer.
    "POST /api/v1/public/reports/{ticket}/feedback": Rule(
        EVERYONE,
        ok=409,
        **PUBLIC,  # type: ignore[arg-type]
        request=send("json", lambda s: {"code": s["public_code"], "rating": 5}),
    ),
    "POST /api/v1/public/reports/{ticket}/photos": Rule(
        EVERYONE,
        ok=201,
        **PUBLIC,  # type: ignore[arg-type]
        request=a.photo_upload,
    ),
    # Only the gateway's HMAC signature opens the SMS webhook; a staff token does not.
    "POST /channels/sms/inbound": Rule(
        NOBODY,
        denied=401,
        request=send("json", {"message_id": "m-1", "sender": "081311112222", "text": "KEBAKARAN Luwuk"}),
    ),
    "GET /open311/v2/discovery.{fmt}": Rule(EVERYONE),
    "GET /open311/v2/services.{fmt}": Rule(EVERYONE),
    "GET /open311/v2/services/{service_code}.{fmt}": Rule(EVERYONE),
    "POST /open311/v2/requests.{fmt}": Rule(EVERYONE, request=send("data", a.OPEN311_FIRE)),
    "GET /open311/v2/requests.{fmt}": Rule(EVERYONE, **OPEN311, check=a.no_personal_data),  # type: ignore[arg-type]
    "GET /open311/v2/requests/{service_request_id}.{fmt}": Rule(
        EVERYONE,
        **OPEN311,  # type: ignore[arg-type]
        check=a.no_personal_data,
    ),
    "GET /open311/v2/tokens/{token}.{fmt}": Rule(EVERYONE, **OPEN311),  # type: ignore[arg-type]
    "GET /open311/v2/servicerequestupdates.{fmt}": Rule(
        EVERYONE,
        **OPEN311,  # type: ignore[arg-type]
        check=a.no_personal_data,
    ),
    # -- health -----------------------------------------------------------------------------------
    "GET /healthz": Rule(EVERYONE),
    "GET /readyz": Rule(EVERYONE),
    "GET /api/v1/ping": Rule(STAFF),
}
FIXED_PATH_VALUES = {
    "fmt": "json",
    "service_code": "kebakaran_bangunan",
    "code": "DAMKAR",
    "dataset": "incidents-monthly",
}


def _schema_routes(schema: dict[str, Any]) -> list[str]:
    methods = ("get", "post", "put", "patch", "delete")
    return [f"{m.upper()} {path}" for path, ops in schema["paths"].items() for m in ops if m in methods]


def _collected_routes() -> list[str]:
    # Building the app touches no database; the schema is what /openapi.json serves.
    app = create_app(load_settings(database_url="sqlite+aiosqlite://", env="test"))
    return _schema_routes(app.openapi())


ROUTES = _collected_routes()


async def test_every_route_in_the_openapi_schema_has_an_authorization_rule(anon):
    response = await anon.get("/openapi.json")
    assert response.status_code == 200
    routes = set(_schema_routes(response.json()))
    missing = sorted(routes - RULES.keys())
    stale = sorted(RULES.keys() - routes)
    assert not missing, f"routes without an authorization rule (add them to RULES): {missing}"
    assert not stale, f"rules for routes that no longer exist: {stale}"


def test_the_table_is_consistent():
    for route, rule in RULES.items():
        assert rule.allow <= EVERYONE and rule.hidden <= STAFF, route
        assert not rule.allow & rule.hidden, f"{route}: a persona cannot be both allowed and hidden"
        assert set(rule.business) <= rule.allow, route


@pytest.mark.parametrize(
    ("route", "persona"),
    [(r, p) for r in ROUTES for p in PERSONAS],
    ids=[f"{r} as {p}" for r in ROUTES for p in PERSONAS],
)
async def test_route_access(route, persona, app, login, anon, as_persona, scene):
    rule = RULES.get(route)
    if rule is None:
        pytest.fail(f"{route} has no authorization rule; add a row to RULES saying who may call it")
    if rule.prepare is not None:
        scene = {**scene, **await rule.prepare(app=app, login=login, anon=anon)}
    method, template = route.split(" ", 1)
    values = {**scene, **FIXED_PATH_VALUES, **{name: scene[key] for name, key in rule.ids.items()}}
    url = template.format(**values)
    client = await as_persona(persona)
    if rule.stream:
        headers = {k: v for k, v in client.headers.items() if k.lower() == "authorization"}
        response = await asgi_stream(app, url, headers)
    else:
        response = await client.request(method, url, **(rule.request(scene, persona) if rule.request else {}))
    expected = rule.expected(persona)
    assert response.status_code == expected, f"{route} as {persona}: {response.status_code} {response.text}"
    if persona not in rule.allow:
        a.assert_denial(response, expected, scene)
    elif expected >= 400:
        a.assert_business(response)
    elif rule.check is not None:
        rule.check(persona, response, scene)
