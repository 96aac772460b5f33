"""Test harness: a real database per test (copied from a migrated, seeded template), personas.

SQLite by default; PostgreSQL when CC112_TEST_DATABASE_URL is set (each test gets its own
database created from a template database). Redis tests use CC112_TEST_REDIS_URL.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from cc112 import clock
from cc112.config import Settings, load_settings

PG_URL = os.environ.get("CC112_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("CC112_TEST_REDIS_URL")
BACKEND = "postgresql" if PG_URL else "sqlite"

# persona -> (role, agency code, jurisdiction code)
PERSONAS = {
    "operator": ("operator", None, "72.01"),
    "supervisor": ("supervisor", None, "72.01"),
    "damkar_dispatcher": ("agency_dispatcher", "DAMKAR", "72.01"),
    "psc_dispatcher": ("agency_dispatcher", "PSC119", "72.01"),
    "polres_dispatcher": ("agency_dispatcher", "POLRES", "72.01"),
    "responder": ("responder", "DAMKAR", "72.01"),
    "leader": ("leader", None, "72.01"),
    "admin": ("admin", None, "72.01"),
    "outsider": ("supervisor", None, "72.71"),
}
PASSWORD = "correct-horse-112"


PG_SKIP_REASON = "needs PostgreSQL: set CC112_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/postgres"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if asyncio.iscoroutinefunction(getattr(item, "function", None)):
            item.add_marker(pytest.mark.anyio)
    if PG_URL:
        return
    postgres_only = [item for item in items if item.get_closest_marker("postgres")]
    if os.environ.get("CC112_TEST_NO_SKIP") == "1":
        # CI runs the suite on PostgreSQL as well, where these run: here they are deselected
        # (and counted as such), not skipped, so that any real skip still fails the run.
        if postgres_only:
            config.hook.pytest_deselected(items=postgres_only)
            items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        return
    for item in postgres_only:
        item.add_marker(pytest.mark.skip(reason=PG_SKIP_REASON))


def pytest_report_header() -> list[str]:
    lines = [f"cc112 database backend: {BACKEND}"]
    lines.append("redis tests: " + ("enabled" if REDIS_URL else
                 "SKIPPED — set CC112_TEST_REDIS_URL=redis://127.0.0.1:6379/15 to run them"))
    return lines


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _asyncpg(url: str) -> str:
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


async def _admin_exec(sql: str) -> None:
    assert PG_URL
    admin = make_url(_asyncpg(PG_URL)).set(database="postgres")
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def _prepare_template(url: str, data_dir: Path) -> None:
    from cc112.accounts import service as accounts
    from cc112.db import Database
    from cc112.geo.models import Jurisdiction
    from cc112.seed import seed

    settings = load_settings(database_url=url, data_dir=data_dir, env="test")
    database = Database(settings)
    try:
        async with database.session_scope() as session:
            await seed(session)
            # A neighbouring jurisdiction for "outsider" tests.
            if await session.scalar(select(Jurisdiction).where(Jurisdiction.code == "72.71")) is None:
                session.add(Jurisdiction(code="72.71", name="Kota Palu", ticket_prefix="PLU",
                                         timezone="Asia/Makassar", lat=-0.898, lon=119.870))
                await session.flush()
            for name, (role, agency, jur) in PERSONAS.items():
                await accounts.create(db=session, username=name, password=PASSWORD, role=role,
                                      jurisdiction_code=jur, agency_code=agency, full_name=name.title())
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, seeded database with personas; tests copy it."""
    from cc112.migrate import upgrade

    data_dir = tmp_path_factory.mktemp("template")
    if PG_URL:
        name = f"cc112_tpl_{os.getpid()}"
        url = str(make_url(_asyncpg(PG_URL)).set(database=name).render_as_string(hide_password=False))
        asyncio.run(_admin_exec(f'DROP DATABASE IF EXISTS "{name}"'))
        asyncio.run(_admin_exec(f'CREATE DATABASE "{name}"'))
    else:
        url = f"sqlite+aiosqlite:///{data_dir / 'template.sqlite3'}"
    upgrade(url)
    asyncio.run(_prepare_template(url, data_dir))
    yield url
    if PG_URL:
        asyncio.run(_admin_exec(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


_counter = itertools.count()


@pytest.fixture
async def db_url(template: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh copy of the template database for this test."""
    if PG_URL:
        name = f"cc112_t_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        await _admin_exec(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
        url = str(make_url(template).set(database=name).render_as_string(hide_password=False))
        yield url
        await _admin_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        target = tmp_path / "cc112.sqlite3"
        shutil.copyfile(make_url(template).database or "", target)
        yield f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return load_settings(database_url=db_url, data_dir=tmp_path, env="test", rate_limit_per_minute=100000,
                         deadline_sweep_seconds=0,
                         analytics_rollup_seconds=0)


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
async def app(settings: Settings):  # type: ignore[no-untyped-def]
    from cc112.app import create_app
    from cc112.geo.service import kecamatan_index

    kecamatan_index._by_jurisdiction.clear()  # ids differ between databases
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@dataclass
class Persona:
    name: str
    client: httpx.AsyncClient
    token: str


async def client_for(app, name: str) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    """An API client of `app` with a bearer token of the persona `name` (the caller closes it)."""
    from cc112.accounts import security
    from cc112.accounts.models import User, UserSession

    async with app.state.db.session_scope() as session:
        user = await session.scalar(select(User).where(User.username == name))
        assert user is not None, f"unknown persona {name}"
        sid = security.new_session_id()
        at = clock.now()
        session.add(UserSession(id=sid, user_id=user.id, kind="token", created_at=at, last_seen_at=at))
    token = security.issue_token(secret=app.state.settings.secret_key, session_id=sid, user_id=user.id,
                                 at=clock.now(), hours=12)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cc112.test",
                             headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
async def login(app):  # type: ignore[no-untyped-def]
    """login("operator") -> an API client logged in as that persona."""
    clients: list[httpx.AsyncClient] = []

    async def _login(name: str) -> httpx.AsyncClient:
        client = await client_for(app, name)
        clients.append(client)
        return client

    yield _login
    for client in clients:
        await client.aclose()


@pytest.fixture
async def anon(app):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cc112.test") as client:
        yield client


@pytest.fixture
async def operator(login):  # type: ignore[no-untyped-def]
    return await login("operator")


@pytest.fixture
async def supervisor(login):  # type: ignore[no-untyped-def]
    return await login("supervisor")


@pytest.fixture
async def damkar_dispatcher(login):  # type: ignore[no-untyped-def]
    return await login("damkar_dispatcher")


@pytest.fixture
async def psc_dispatcher(login):  # type: ignore[no-untyped-def]
    return await login("psc_dispatcher")


@pytest.fixture
async def responder(login):  # type: ignore[no-untyped-def]
    return await login("responder")


@pytest.fixture
async def leader(login):  # type: ignore[no-untyped-def]
    return await login("leader")


@pytest.fixture
async def admin(login):  # type: ignore[no-untyped-def]
    return await login("admin")


@pytest.fixture
async def outsider(login):  # type: ignore[no-untyped-def]
    return await login("outsider")


LUWUK_FIRE = {"type": "kebakaran_bangunan", "lat": -0.951, "lon": 122.787, "address": "Jl. Ahmad Yani, Luwuk",
              "description": "Rumah terbakar, dua orang di dalam"}


@pytest.fixture
async def fire(operator):  # type: ignore[no-untyped-def]
    """A verified fire incident in Luwuk, created by the operator (not yet dispatched)."""
    response = await operator.post("/api/v1/incidents", json=LUWUK_FIRE)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def dispatched_fire(operator, fire):  # type: ignore[no-untyped-def]
    """The fire with Damkar and PSC 119 dispatched."""
    response = await operator.post(f"/api/v1/incidents/{fire['id']}/dispatch", json={"agencies": ["DAMKAR", "PSC119"]})
    assert response.status_code == 201, response.text
    assignments = {a["agency"]: a for a in response.json()}
    return {**fire, "assignments": assignments}


# PostgreSQL-only: skipped without CC112_TEST_DATABASE_URL, deselected in CI's SQLite run (see above)
requires_pg = pytest.mark.postgres
requires_redis = pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set CC112_TEST_REDIS_URL=redis://127.0.0.1:6379/15")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (CC112_TEST_NO_SKIP=1) a skipped test fails the run: nothing passes by skipping."""
    if os.environ.get("CC112_TEST_NO_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        print(f"\n{skipped} test(s) skipped while CC112_TEST_NO_SKIP=1: failing the run")
        session.exitstatus = 1
