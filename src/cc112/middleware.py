"""ASGI middleware: body size limit and rate limits (memory or Redis)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from limits import parse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cc112.config import Settings
from cc112.ratelimit import Limiter


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None) -> None:
    raw = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
                + (headers or [])})
    await send({"type": "http.response.body", "body": raw})


class BodySizeLimit:
    """Refuse bodies over the limit with 413, whether announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int, overrides: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = overrides or {}  # path prefix -> limit (photo uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = next((v for k, v in self.overrides.items() if scope["path"].startswith(k)), self.max_bytes)
        message = {"error": {"code": "too_large", "message": f"request body is larger than {limit} bytes"}}
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_json(send, 413, message)
                return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLarge(413, message["error"]["message"])
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_json(send, 413, message)


class _TooLarge(HTTPException):
    # An HTTPException, because FastAPI turns any other error while reading the body into a 400.
    pass


class RateLimit:
    """Per-credential (or per-IP) limit for every request; login has a tighter per-IP limit."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limiter = Limiter(settings.redis_url)
        self.general = parse(f"{settings.rate_limit_per_minute}/minute")
        self.login = parse("30/minute")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/healthz", "/readyz") or scope["path"].startswith(
            ("/static/", "/vendor/")
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        client = (scope.get("client") or ("?", 0))[0]
        auth = headers.get(b"authorization") or headers.get(b"cookie")
        if scope["path"] in ("/api/v1/auth/token", "/api/v1/auth/login", "/login"):
            item, key = self.login, f"login:{client}"
        elif auth:
            item, key = self.general, "cred:" + hashlib.sha256(auth).hexdigest()[:24]
        else:
            item, key = self.general, f"ip:{client}"
        retry = await self.limiter.hit(item, key)
        if retry is None:
            await self.app(scope, receive, send)
            return
        await _send_json(send, 429, {"error": {"code": "rate_limited", "message": f"too many requests; retry in {retry} s"}},
                         [(b"retry-after", str(retry).encode())])
