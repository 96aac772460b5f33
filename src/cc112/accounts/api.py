"""Login, logout and who-am-I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel

from cc112.accounts import security
from cc112.accounts import service as accounts
from cc112.clock import now
from cc112.deps import CSRF_COOKIE, SESSION_COOKIE, AppSettings, CurrentUser, DbSession

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class Me(BaseModel):
    id: int
    username: str
    full_name: str
    role: str
    jurisdiction_id: int
    agency_id: int | None


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    csrf_token: str
    user: Me


def _me(user) -> Me:  # type: ignore[no-untyped-def]
    return Me(id=user.id, username=user.username, full_name=user.full_name, role=user.role,
              jurisdiction_id=user.jurisdiction_id, agency_id=user.agency_id)


@router.post("/token", response_model=TokenOut)
async def login_for_token(
    db: DbSession, settings: AppSettings,
    username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=256)],
) -> TokenOut:
    """OAuth2 password login: returns a bearer token (the session ends after idle minutes)."""
    result = await accounts.login(db=db, settings=settings, username=username, password=password, kind="token")
    if result.error is not None:
        await db.commit()  # keep the failure count even though we answer with an error
        raise result.error
    assert result.user is not None and result.session_id is not None
    token = security.issue_token(secret=settings.secret_key, session_id=result.session_id, user_id=result.user.id,
                                 at=now(), hours=settings.token_lifetime_hours)
    return TokenOut(access_token=token, expires_in=settings.token_lifetime_hours * 3600,
                    csrf_token=security.csrf_token(secret=settings.secret_key, session_id=result.session_id),
                    user=_me(result.user))


class LoginOut(BaseModel):
    csrf_token: str
    user: Me


@router.post("/login", response_model=LoginOut)
async def login_with_cookie(
    request: Request, response: Response, db: DbSession, settings: AppSettings,
    username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=256)],
) -> LoginOut:
    """Browser login: sets an HttpOnly session cookie; writes then need the X-CSRF-Token header."""
    result = await accounts.login(db=db, settings=settings, username=username, password=password, kind="cookie")
    if result.error is not None:
        await db.commit()
        raise result.error
    assert result.user is not None and result.session_id is not None
    token = security.issue_token(secret=settings.secret_key, session_id=result.session_id, user_id=result.user.id,
                                 at=now(), hours=settings.token_lifetime_hours)
    csrf = security.csrf_token(secret=settings.secret_key, session_id=result.session_id)
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="strict", secure=secure, path="/")
    return LoginOut(csrf_token=csrf, user=_me(result.user))


@router.post("/logout", status_code=204)
async def logout(request: Request, response: Response, db: DbSession, user: CurrentUser) -> None:
    """End the current session (token or cookie)."""
    await accounts.logout(db=db, session_id=request.state.session_id)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.get("/me", response_model=Me)
async def me(user: CurrentUser) -> Me:
    """The logged-in user."""
    return _me(user)
