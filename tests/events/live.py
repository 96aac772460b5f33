"""Real servers and a small SSE client for live-event tests. Every wait here is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select

from cc112 import clock
from cc112.config import Settings
from cc112.db import Database

STREAM = "/api/v1/events/stream"


def bound_socket() -> socket.socket:
    """A listening-ready socket on a free 127.0.0.1 port (no race between choosing and binding)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThreadServer:
    """An app served by real uvicorn on 127.0.0.1, in a thread with its own event loop."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._sock = bound_socket()
        self.port = int(self._sock.getsockname()[1])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                timeout_graceful_shutdown=3, ws="none")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"uvicorn-{self.port}")
        self.error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop

    def _run(self) -> None:
        try:
            self.loop = asyncio.new_event_loop()
            self.loop.run_until_complete(self.server.serve(sockets=[self._sock]))
        except BaseException as exc:  # surfaced by start()
            self.error = exc
        finally:
            self.loop.close()

    async def call(self, coro: Any, within: float = 10) -> Any:
        """Run a coroutine on the server's own event loop (e.g. publish on its bus)."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return await asyncio.wait_for(asyncio.wrap_future(future), within)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, within: float = 30) -> None:
        self._thread.start()
        deadline = time.monotonic() + within
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the server thread stopped during start-up: {self.error!r}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server on port {self.port} did not start within {within} s")
            await asyncio.sleep(0.02)

    async def stop(self, within: float = 10) -> None:
        self.server.should_exit = True
        await asyncio.to_thread(self._thread.join, within)
        if self._thread.is_alive():
            self.server.force_exit = True
            await asyncio.to_thread(self._thread.join, 5)
        self._sock.close()


class ProcessServer:
    """`cc112 serve` in a subprocess (settings from CC112_* variables), logs kept in files."""

    def __init__(self, env: dict[str, str], log_dir: Path, name: str) -> None:
        self.port = free_port()
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        script = Path(sys.executable).parent / "cc112"
        command = [str(script)] if script.exists() else [sys.executable, "-m", "cc112.cli"]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [*command, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    async def wait_ready(self, within: float = 45) -> dict[str, Any]:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.get("/readyz")
                    if response.status_code == 200:
                        return response.json()  # type: ignore[no-any-return]
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.name} not ready within {within} s:\n{self.log()}")
                await asyncio.sleep(0.2)

    async def stop(self, within: float = 10) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(asyncio.to_thread(self.process.wait), within)
            except TimeoutError:
                self.process.kill()
                await asyncio.wait_for(asyncio.to_thread(self.process.wait), 10)
        self._log.close()


@dataclass
class Frame:
    id: int | None
    event: str
    data: dict[str, Any]

    @property
    def incident_id(self) -> int | None:
        return self.data.get("incident_id")

    @property
    def agency(self) -> str | None:
        return (self.data.get("payload") or {}).get("agency")


_CLOSED = object()


class SSEClient:
    """One EventSource-like connection; frames are parsed by hand and queued for the test."""

    def __init__(self, base_url: str, token: str, *, last_event_id: int | str | None = None,
                 after: int | None = None) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id is not None:
            self.headers["Last-Event-ID"] = str(last_event_id)
        self.params = {"after": str(after)} if after is not None else {}
        self.status: int | None = None
        self.error_body = ""
        self.closed = False
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._connected = asyncio.Event()
        self._client = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(10, read=None))
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> SSEClient:
        self._task = asyncio.create_task(self._read())
        await asyncio.wait_for(self._connected.wait(), 15)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _read(self) -> None:
        try:
            async with self._client.stream("GET", STREAM, headers=self.headers, params=self.params) as response:
                self.status = response.status_code
                self._connected.set()
                if response.status_code != 200:
                    self.error_body = (await response.aread()).decode(errors="replace")
                    return
                fields: dict[str, list[str]] = {}
                async for line in response.aiter_lines():
                    if line == "":
                        if "data" in fields or "event" in fields:
                            self._queue.put_nowait(_to_frame(fields))
                        fields = {}
                    elif line.startswith(":"):
                        continue  # comment (ping)
                    else:
                        name, _, value = line.partition(":")
                        fields.setdefault(name, []).append(value[1:] if value.startswith(" ") else value)
        except (httpx.HTTPError, asyncio.CancelledError):
            pass
        finally:
            self._connected.set()
            self.closed = True
            self._queue.put_nowait(_CLOSED)

    async def next(self, within: float = 10) -> Frame:
        """The next frame; StreamEnded when the server ended the stream, TimeoutError when silent."""
        item = await asyncio.wait_for(self._queue.get(), within)
        if item is _CLOSED:
            self._queue.put_nowait(_CLOSED)
            raise StreamEnded("the server ended the stream")
        return item  # type: ignore[no-any-return]

    async def until(self, predicate: Callable[[Frame], bool], within: float = 10) -> list[Frame]:
        """Frames up to and including the first one matching `predicate`, within `within` seconds."""
        frames: list[Frame] = []
        deadline = time.monotonic() + within
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching frame within {within} s; got {[(f.id, f.event) for f in frames]}")
            try:
                frame = await self.next(remaining)
            except TimeoutError:
                raise TimeoutError(
                    f"no matching frame within {within} s; got {[(f.id, f.event) for f in frames]}") from None
            frames.append(frame)
            if predicate(frame):
                return frames

    async def ready(self, within: float = 15) -> tuple[list[Frame], int]:
        """Replayed frames before the 'ready' marker, and the marker's cursor."""
        frames = await self.until(lambda f: f.event == "ready", within)
        return frames[:-1], int(frames[-1].data["after"])

    async def drain(self, seconds: float) -> list[Frame]:
        """Whatever arrives within `seconds` (for 'nothing else came' checks)."""
        frames: list[Frame] = []
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                frames.append(await self.next(remaining))
            except (TimeoutError, StreamEnded):
                break
        return frames

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, 10)
        await self._client.aclose()


class StreamEnded(AssertionError):
    pass


def _to_frame(fields: dict[str, list[str]]) -> Frame:
    raw_id = fields.get("id", [""])[-1]
    data = "\n".join(fields.get("data", []))
    try:
        parsed = json.loads(data) if data else {}
    except json.JSONDecodeError:
        parsed = {"raw": data}
    return Frame(id=int(raw_id) if raw_id.isdigit() else None, event=fields.get("event", ["message"])[-1],
                 data=parsed)


async def mint_token(database: Database, settings: Settings, username: str) -> str:
    """A bearer token for a persona, made the way /api/v1/auth/token makes one (without Argon2)."""
    from cc112.accounts import security
    from cc112.accounts.models import User, UserSession

    async with database.session_scope() as session:
        user = await session.scalar(select(User).where(User.username == username))
        assert user is not None, f"unknown persona {username}"
        sid = security.new_session_id()
        at = clock.now()
        session.add(UserSession(id=sid, user_id=user.id, kind="token", created_at=at, last_seen_at=at))
        user_id = user.id
    return security.issue_token(secret=settings.secret_key, session_id=sid, user_id=user_id, at=clock.now(), hours=12)


async def all_events(database: Database) -> list[dict[str, Any]]:
    """Every Event row in id order, as the bus and the stream carry it."""
    from cc112.events.models import Event
    from cc112.events.service import event_to_dict

    async with database.session(write=False) as session:
        return [event_to_dict(e) for e in await session.scalars(select(Event).order_by(Event.id))]


async def user_named(database: Database, username: str) -> Any:
    from cc112.accounts.models import User

    async with database.session(write=False) as session:
        user = await session.scalar(select(User).where(User.username == username))
        assert user is not None
        session.expunge(user)
        return user


class Live:
    """A running server plus persona clients and SSE connections against it, closed at the end."""

    def __init__(self, server: ThreadServer, settings: Settings, database: Database) -> None:
        self.server = server
        self.settings = settings
        self.database = database
        self._tokens: dict[str, str] = {}
        self._clients: list[httpx.AsyncClient] = []
        self._streams: list[SSEClient] = []

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def bus(self) -> Any:
        return self.server.app.state.bus

    @property
    def feed(self) -> Any:
        """The instance's event feed: what each open stream subscribes to."""
        return self.server.app.state.feed

    async def token(self, name: str) -> str:
        if name not in self._tokens:
            self._tokens[name] = await mint_token(self.database, self.settings, name)
        return self._tokens[name]

    async def client(self, name: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.url, timeout=20,
                                   headers={"Authorization": f"Bearer {await self.token(name)}"})
        self._clients.append(client)
        return client

    async def sse(self, name: str, **kwargs: Any) -> SSEClient:
        stream = SSEClient(self.url, await self.token(name), **kwargs)
        self._streams.append(stream)
        return await stream.__aenter__()

    async def user(self, name: str) -> Any:
        return await user_named(self.database, name)

    async def events(self) -> list[dict[str, Any]]:
        return await all_events(self.database)

    async def close(self) -> None:
        for stream in self._streams:
            await stream.close()
        for client in self._clients:
            await client.aclose()
