"""Probes and the published API description."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.anyio

HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
KEY_ROUTES = {
    ("post", "/api/v1/contacts"),
    ("get", "/api/v1/contacts/{contact_id}"),
    ("post", "/api/v1/contacts/{contact_id}/classify"),
    ("get", "/api/v1/callers/{number}/history"),
    ("post", "/api/v1/incidents"),
    ("get", "/api/v1/incidents"),
    ("get", "/api/v1/incidents/{incident_id}"),
    ("post", "/api/v1/incidents/{incident_id}/dispatch"),
    ("post", "/api/v1/assignments/{assignment_id}/status"),
    ("post", "/api/v1/auth/token"),
    ("get", "/healthz"),
    ("get", "/readyz"),
}


async def test_healthz_answers_without_login(anon):
    response = await anon.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_the_database_ok(anon):
    response = await anon.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"


async def test_readyz_is_503_when_the_database_cannot_be_reached(tmp_path: Path):
    from cc112.app import create_app
    from cc112.config import load_settings

    # Nothing listens on port 1: the connection is refused at once (and asyncpg leaves no threads behind).
    broken = load_settings(
        database_url="postgresql://postgres@127.0.0.1:1/cc112", data_dir=tmp_path, env="test", deadline_sweep_seconds=0
    )
    application = create_app(broken)
    transport = httpx.ASGITransport(app=application)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(transport=transport, base_url="http://cc112.test") as client,
    ):
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        assert ready.json()["database"].startswith("error")
        assert (await client.get("/healthz")).status_code == 200  # alive, just not ready


async def test_openapi_lists_the_api_routes(anon):
    response = await anon.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "Command Center 112"
    published = {(method, path) for path, item in spec["paths"].items() for method in item if method in HTTP_METHODS}
    assert not KEY_ROUTES - published, sorted(KEY_ROUTES - published)
    for path, item in spec["paths"].items():  # every operation is a real, documented endpoint
        for method, operation in item.items():
            assert operation.get("operationId"), (method, path)
            assert "responses" in operation, (method, path)


async def test_every_published_operation_has_a_summary_and_a_docstring(anon):
    spec = (await anon.get("/openapi.json")).json()
    undocumented = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            if not operation.get("summary") or not operation.get("description", "").strip():
                undocumented.append(f"{method.upper()} {path}")
    assert undocumented == []
