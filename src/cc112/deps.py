"""Annotated dependency aliases: the request's transaction, settings, the current user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import nullcontext
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts import security
from cc112.accounts import service as accounts
from cc112.accounts.models import User
from cc112.clock import now
from cc112.config import Settings
from cc112.db import Database
from cc112.errors import Forbidden, Unauthorized
from cc112.events.bus import publish_pending

SESSION_COOKIE = "cc112_session"
CSRF_COOKIE = "cc112_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def get_database(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's one transaction: commits before the response is sent, then publishes."""
    db: Database = request.app.state.db
    write = request.method not in SAFE_METHODS
    async with db.gate.hold() if write else nullcontext(), db.session(write=write) as session:
        try:
            yield session
            if write:
                await session.commit()
        except BaseException:
            await session.rollback()
            raise
    if write:
        await publish_pending(session)


AppDatabase = Annotated[Database, Depends(get_database)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]
DbSession = Annotated[AsyncSession, Depends(get_db, scope="function")]


def _credentials(request: Request) -> tuple[str | None, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), "token"
    return request.cookies.get(SESSION_COOKIE), "cookie"


async def get_current_user(request: Request) -> User:
    """The logged-in user, from a bearer token or the session cookie (with CSRF on writes)."""
    settings: Settings = request.app.state.settings
    database: Database = request.app.state.db
    raw, kind = _credentials(request)
    if not raw:
        raise Unauthorized("log in first: send 'Authorization: Bearer <token>' from /api/v1/auth/token")
    claims = security.read_token(raw, secret=settings.secret_key, at=now())
    if claims is None:
        raise Unauthorized("token is invalid or expired; log in again")
    sid = claims["sid"]
    async with database.session(write=False) as session:
        user, _sess, needs_touch = await accounts.resolve_session(db=session, settings=settings, session_id=sid)
        session.expunge(user)
    if kind == "cookie" and request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER)
        if not security.csrf_ok(secret=settings.secret_key, session_id=sid, given=given):
            raise Forbidden("missing or wrong CSRF token; reload the page and try again")
    # Refreshes triggered by live events are not the user's activity: the idle limit still applies.
    if needs_touch and not request.headers.get("x-cc112-background"):
        async with database.session_scope() as session:
            await accounts.touch(db=session, session_id=sid)
    request.state.session_id = sid
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
