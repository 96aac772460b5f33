"""No public output ever carries a caller's number or a person's name.

Every GET route of the app is tried without logging in; whatever answers (pages, JSON, XML,
CSV, GeoJSON, feeds) is scanned for the numbers and names used while building the history.
"""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from tests.alerts.conftest import FLOOD, approve, compose

CALLER = "081377712345"
CALLER_FORMS = ("081377712345", "+6281377712345", "6281377712345", "81377712345", "0813-7771-2345",
                "0813 7771 2345")
CALLER_NAME = "Wayan Sukaryawan"
REPORTER_NAME = "Ni Luh Pradnyani"
STAFF_NAME = "Budi Santoso Wicaksono"
STAFF_LOGIN = "budi_ops"


async def _history(app, anon, login, operator, supervisor):  # type: ignore[no-untyped-def]
    from cc112.accounts import service as accounts
    from tests.conftest import PASSWORD

    async with app.state.db.session_scope() as s:
        await accounts.create(db=s, username=STAFF_LOGIN, password=PASSWORD, role="operator",
                              jurisdiction_code="72.01", full_name=STAFF_NAME)
        await accounts.create(db=s, username="supervisor_b", password=PASSWORD, role="supervisor",
                              jurisdiction_code="72.01", full_name="Rina Supervisor Kedua")
    staff = await login(STAFF_LOGIN)
    contact = (await staff.post("/api/v1/contacts", json={"channel": "phone", "caller_number": CALLER,
                                                          "caller_name": CALLER_NAME})).json()
    incident = (await staff.post("/api/v1/incidents", json={
        "type": "kebakaran_bangunan", "lat": -0.95123, "lon": 122.78765, "contact_id": contact["id"],
        "description": f"Penelepon {CALLER_NAME} ({CALLER}) melaporkan rumah terbakar"})).json()
    assert "id" in incident, incident
    await staff.post(f"/api/v1/incidents/{incident['id']}/dispatch", json={"agencies": ["DAMKAR"]})
    receipt = (await anon.post("/api/v1/public/reports", json={
        "category": "banjir", "description": f"Saya {REPORTER_NAME}, hubungi {CALLER}", "region_code": "72.01.04",
        "phone": CALLER})).json()
    open311 = await anon.post("/open311/v2/requests.json", data={
        "service_code": "pohon_tumbang", "lat": "-0.95", "long": "122.78", "description": "Pohon tumbang",
        "first_name": REPORTER_NAME.split()[0], "last_name": REPORTER_NAME.split()[-1], "phone": CALLER,
        "email": "ni.luh@example.com"})
    assert open311.status_code in (200, 201), open311.text
    second = await login("supervisor_b")
    published = await approve(second, await compose(supervisor, FLOOD))
    token = open311.json()[0].get("token", "")
    return {"ticket": receipt["ticket"], "code": receipt["tracking_code"], "identifier": published["identifier"],
            "token": token, "service_code": "banjir", "incident_ticket": incident["ticket"]}


def _routes(routes, prefix: str = ""):  # type: ignore[no-untyped-def]
    """Every route, also inside included routers (FastAPI keeps them nested)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _routes(inner.routes, prefix + (getattr(context, "prefix", "") or ""))
        elif isinstance(route, APIRoute):
            if prefix:
                route = APIRoute(prefix + route.path, route.endpoint, methods=list(route.methods))
            yield route


def _fill(path: str, values: dict[str, str]) -> str | None:
    mapping = {"ticket": values["ticket"], "service_request_id": values["ticket"], "identifier": values["identifier"],
               "token": values["token"], "service_code": values["service_code"], "fmt": "json"}
    def repl(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        return mapping.get(name, "\x00")
    filled = re.sub(r"{([^}]+)}", repl, path)
    return None if "\x00" in filled else filled


async def test_no_public_output_contains_a_phone_number_or_a_name(app, anon, login, operator, supervisor):
    values = await _history(app, anon, login, operator, supervisor)
    paths = sorted({r.path for r in _routes(app.routes) if isinstance(r, APIRoute) and "GET" in r.methods})
    scanned = []
    for path in paths:
        filled = _fill(path, values)
        if filled is None:
            continue
        variants = [filled]
        if filled.endswith(".json"):
            variants.append(filled[:-5] + ".xml")
        for url in variants:
            params = {"code": values["code"], "kode": values["code"]}
            response = await anon.get(url, params=params)
            if response.status_code in (401, 403, 404, 405, 303, 307, 422) or response.status_code >= 500:
                assert response.status_code < 500, (url, response.status_code)
                continue
            body = response.text
            scanned.append(url)
            for form in CALLER_FORMS:
                assert form not in body, f"{url} shows the caller number ({form})"
            for name in (CALLER_NAME, REPORTER_NAME, STAFF_NAME, STAFF_LOGIN, "Rina Supervisor Kedua", "ni.luh@"):
                assert name not in body, f"{url} shows a personal name ({name})"
    for must in ("/", "/peringatan", "/alerts/feed.atom", "/api/v1/public/categories", "/open311/v2/requests.json",
                 "/open311/v2/requests.xml", "/open311/v2/servicerequestupdates.json", f"/lacak/{values['ticket']}",
                 f"/api/v1/public/reports/{values['ticket']}", f"/alerts/cap/{values['identifier']}.xml"):
        assert must in scanned, f"{must} was not scanned (it answered with an error)"
