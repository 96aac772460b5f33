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
from sqlalchemy.engine import make_url

from cc112.config import load_settings
from tests.conftest import BACKEND, _prepare_template, client_for, requires_pg

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
            client = await client_for(app, name)
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
