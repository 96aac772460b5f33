"""Browser tests: real uvicorn servers in threads, headless Debian chromium driven by Playwright.

Every wait is bounded (WAIT_MS). Every page's console errors and uncaught exceptions are
collected; a test that leaves any behind fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import make_url

from cc112.config import Settings, load_settings
from tests.conftest import PASSWORD, PG_URL, _admin_exec

WAIT_MS = 15_000  # the longest any single wait in these tests may take
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
_counter = itertools.count()


def run_async(factory: Callable[[], Any]) -> Any:
    """Run a coroutine in a fresh thread: Playwright's sync API keeps an event loop on this one."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(factory())
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=target, name="cc112-web-async")
    thread.start()
    thread.join(60)
    if thread.is_alive():
        raise TimeoutError("an async helper did not finish within 60 s")
    if "error" in result:
        raise result["error"]
    return result.get("value")


# ---------------------------------------------------------------- live servers


class LiveServer:
    """One app served by real uvicorn on 127.0.0.1, in a thread with its own event loop."""

    def __init__(self, settings: Settings) -> None:
        from cc112.app import create_app

        self.settings = settings
        self.app = create_app(settings)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=3,
            ws="none",
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"cc112-web-{self.port}")
        self.error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self._sock])
        except BaseException as exc:  # reported by start()
            self.error = exc

    def start(self, timeout: float = 30) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=2) as client:
            while True:
                if not self._thread.is_alive():
                    raise RuntimeError(f"the server thread stopped during start-up: {self.error!r}")
                if self.server.started:
                    try:
                        if client.get("/healthz").status_code == 200:
                            return
                    except httpx.HTTPError:
                        pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the server on port {self.port} did not answer /healthz within {timeout} s")
                time.sleep(0.05)

    def stop(self, timeout: float = 10) -> None:
        self.server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self.server.force_exit = True
            self._thread.join(5)
        self._sock.close()
        assert not self._thread.is_alive(), f"the server on port {self.port} did not stop"

    @contextlib.contextmanager
    def api(self, persona: str) -> Iterator[httpx.Client]:
        """A JSON API client logged in as a persona (through /api/v1/auth/token)."""
        with httpx.Client(base_url=self.url, timeout=20) as client:
            response = client.post("/api/v1/auth/token", data={"username": persona, "password": PASSWORD})
            assert response.status_code == 200, response.text
            client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
            yield client


@pytest.fixture
def live_db_url(template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the seeded template database (a file copy, or CREATE DATABASE … TEMPLATE)."""
    if PG_URL:
        name = f"cc112_web_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
        tpl = make_url(template).database
        run_async(lambda: _admin_exec(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"'))
        yield str(make_url(template).set(database=name).render_as_string(hide_password=False))
        run_async(lambda: _admin_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        target = tmp_path / "live.sqlite3"
        shutil.copyfile(make_url(template).database or "", target)
        yield f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def start_server(live_db_url: str, tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """start_server(**settings) -> a running LiveServer on this test's database; stopped at the end."""
    from cc112.geo.service import kecamatan_index

    servers: list[LiveServer] = []

    def _start(**overrides: Any) -> LiveServer:
        data_dir = tmp_path / f"server{len(servers)}"
        options: dict[str, Any] = {
            "database_url": live_db_url,
            "data_dir": data_dir,
            "env": "test",
            "rate_limit_per_minute": 1_000_000,
            "deadline_sweep_seconds": 0.5,
        }
        options.update(overrides)
        kecamatan_index._by_jurisdiction.clear()  # ids differ between databases
        server = LiveServer(load_settings(**options))
        servers.append(server)
        server.start()
        return server

    yield _start
    for server in reversed(servers):
        server.stop()


@pytest.fixture
def live_server(start_server: Callable[..., LiveServer]) -> LiveServer:
    return start_server()


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("browser tests need Debian's chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/screenshots with CC112_SCREENSHOTS=1, else the test's temp dir."""
    keep = os.environ.get("CC112_SCREENSHOTS") == "1"
    path = ROOT / "docs" / "screenshots" if keep else tmp_path / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Problems:
    """Console errors and uncaught page errors, per context name."""

    items: list[str] = field(default_factory=list)

    def watch(self, name: str, context: Any) -> None:
        def on_page(page: Any) -> None:
            page.on("console", lambda msg: self._console(name, msg))
            page.on("pageerror", lambda exc: self.items.append(f"[{name}] page error: {exc}"))

        context.on("page", on_page)

    def _console(self, name: str, msg: Any) -> None:
        if msg.type == "error":
            where = msg.location.get("url", "") if isinstance(msg.location, dict) else ""
            self.items.append(f"[{name}] console error: {msg.text} ({where})")


class UI:
    """Browser contexts for personas; each is watched for console and page errors."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.problems = Problems()
        self.contexts: list[Any] = []

    def page(
        self,
        name: str,
        base_url: str,
        *,
        width: int = 1600,
        height: int = 1000,
        mobile: bool = False,
        position: tuple[float, float] | None = None,
        movable_clock: bool = False,
    ) -> Any:
        """A new context and page; `position` grants geolocation, `movable_clock` lets the test move Date."""
        options: dict[str, Any] = {
            "base_url": base_url,
            "viewport": {"width": width, "height": height},
            "locale": "id-ID",
            "timezone_id": "Asia/Makassar",
        }
        if mobile:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        if position:
            options.update(geolocation={"latitude": position[0], "longitude": position[1]}, permissions=["geolocation"])
        context = self.browser.new_context(**options)
        context.set_default_timeout(WAIT_MS)
        if movable_clock:
            context.clock.install()  # time still flows; set_system_time() can shift it with the server's
        self.problems.watch(name, context)
        self.contexts.append(context)
        return context.new_page()

    def login(self, persona: str, base_url: str, *, go: str | None = None, **kwargs: Any) -> Any:
        """A new context logged in through the login form; optionally opens `go`."""
        page = self.page(persona, base_url, **kwargs)
        page.goto("/login")
        page.fill("input[name=username]", persona)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
        if go:
            page.goto(go)
        return page

    def assert_clean(self) -> None:
        assert not self.problems.items, "browser reported errors:\n" + "\n".join(self.problems.items)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


@pytest.fixture
def ui(browser: Any, start_server: Callable[..., LiveServer]) -> Iterator[UI]:
    """Set up after (so closed before) the servers: pages end their live streams first."""
    harness = UI(browser)
    yield harness
    harness.close()  # before the servers stop: live streams end first


def wait_live(page: Any) -> None:
    """The page's event stream is connected (and the server has taken its starting point)."""
    from playwright.sync_api import expect

    expect(page.locator("#live-status")).to_have_text(re.compile("LIVE"), timeout=WAIT_MS)
    page.wait_for_timeout(300)


def mark_page(page: Any) -> None:
    """Put a marker on the window; `assert_not_reloaded` fails if the page was loaded again."""
    page.evaluate("window.__cc112_marker = 'still-here'")


def assert_not_reloaded(page: Any) -> None:
    assert page.evaluate("window.__cc112_marker") == "still-here", "the page was reloaded"
