"""Concurrency tests run on PostgreSQL (when configured) and always on SQLite.

On a PostgreSQL run the SQLite variant gets a SQLite template of its own, so both databases'
locking is exercised by the same test bodies in every run.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from cc112 import clock
from cc112.config import load_settings
from tests.conftest import BACKEND, _prepare_template, requires_pg

Login = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    from cc112.migrate import upgrade

    data_dir = tmp_path_factory.mktemp("sqlite-template")
    url = f"sqlite+aiosqlite:///{data_dir / 'template.sqlite3'}"
    upgrade(url)
    asyncio.run(_prepare_template(url, data_dir))
    return url


@pytest.fixture
async def sqlite_login(sqlite_template: str, tmp_path: Path) -> AsyncIterator[Login]:
    """Like the root `login`, on a copy of the SQLite template (used when the main backend is PostgreSQL)."""
    from cc112.accounts import security
    from cc112.accounts.models import User, UserSession
    from cc112.app import create_app
    from cc112.geo.service import kecamatan_index

    target = tmp_path / "cc112.sqlite3"
    shutil.copyfile(make_url(sqlite_template).database or "", target)
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{target}", data_dir=tmp_path, env="test",
                             rate_limit_per_minute=100000, deadline_sweep_seconds=0)
    kecamatan_index._by_jurisdiction.clear()
    app = create_app(settings)
    clients: list[httpx.AsyncClient] = []
    async with app.router.lifespan_context(app):

        async def _login(name: str) -> httpx.AsyncClient:
            async with app.state.db.session_scope() as session:
                user = await session.scalar(select(User).where(User.username == name))
                assert user is not None, f"unknown persona {name}"
                sid = security.new_session_id()
                session.add(UserSession(id=sid, user_id=user.id, kind="token", created_at=clock.now(),
                                        last_seen_at=clock.now()))
            token = security.issue_token(secret=settings.secret_key, session_id=sid, user_id=user.id,
                                         at=clock.now(), hours=12)
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cc112.test",
                                       headers={"Authorization": f"Bearer {token}"})
            clients.append(client)
            return client

        yield _login
        for client in clients:
            await client.aclose()
    kecamatan_index._by_jurisdiction.clear()


@pytest.fixture(params=[pytest.param("postgresql", marks=requires_pg), "sqlite"])
def contenders(request: pytest.FixtureRequest) -> Login:
    """login(name) on the backend under test: PostgreSQL row locks, or SQLite's BEGIN IMMEDIATE."""
    if request.param == BACKEND:
        return request.getfixturevalue("login")  # type: ignore[no-any-return]
    return request.getfixturevalue("sqlite_login")  # type: ignore[no-any-return]
