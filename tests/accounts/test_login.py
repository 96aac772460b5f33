"""Logging in and staying logged in: tokens, lockout, idle sessions, logout, cookies with CSRF, audit."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from cc112 import clock
from cc112.accounts.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.anyio  # keeps the parametrized test's parameters (see the matrix module)

TOKEN = "/api/v1/auth/token"
COOKIE_LOGIN = "/api/v1/auth/login"


async def _token_login(
    client: httpx.AsyncClient, username: str = "operator", password: str = PASSWORD
) -> httpx.Response:
    return await client.post(TOKEN, data={"username": username, "password": password})


async def _bearer(client: httpx.AsyncClient, username: str = "operator") -> dict[str, str]:
    response = await _token_login(client, username)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _audit(app, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    async with app.state.db.session(write=False) as session:
        return list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        )


def _error(response: httpx.Response) -> str:
    error = response.json()["error"]
    assert error["code"] and " " in error["message"]
    return str(error["message"])


async def test_token_login_returns_a_bearer_token_that_works(anon):
    response = await _token_login(anon)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 12 * 3600
    assert body["user"]["username"] == "operator" and body["user"]["role"] == "operator"
    me = await anon.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "operator"


async def test_wrong_password_is_refused(anon):
    response = await _token_login(anon, password="wrong-horse-112")
    assert response.status_code == 401
    assert _error(response) == "wrong username or password"
    assert "access_token" not in response.text


async def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(anon):
    unknown = await _token_login(anon, username="nobody", password="wrong-horse-112")
    wrong = await _token_login(anon, password="wrong-horse-112")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


async def test_a_tampered_or_missing_token_is_refused(anon):
    headers = await _bearer(anon)
    tampered = {"Authorization": headers["Authorization"][:-3] + "xyz"}
    response = await anon.get("/api/v1/auth/me", headers=tampered)
    assert response.status_code == 401
    assert "log in again" in _error(response)
    missing = await anon.get("/api/v1/auth/me")
    assert missing.status_code == 401
    assert "log in first" in _error(missing)


async def test_five_failed_logins_lock_the_account_even_for_the_right_password(anon):
    for _ in range(5):
        assert (await _token_login(anon, password="wrong-horse-112")).status_code == 401
    locked = await _token_login(anon)
    assert locked.status_code == 423
    message = _error(locked)
    assert "too many failed logins" in message and "10 minute" in message
    assert "access_token" not in locked.text
    assert (await _token_login(anon, "supervisor")).status_code == 200  # only that account is locked


async def test_the_lock_lifts_after_ten_minutes(anon):
    for _ in range(5):
        await _token_login(anon, password="wrong-horse-112")
    clock.travel(timedelta(minutes=9))
    still = await _token_login(anon)
    assert still.status_code == 423
    assert "1 minute" in _error(still)
    clock.travel(timedelta(minutes=1, seconds=1))
    assert (await _token_login(anon)).status_code == 200


async def test_a_successful_login_resets_the_failure_count(anon):
    for _ in range(4):
        await _token_login(anon, password="wrong-horse-112")
    assert (await _token_login(anon)).status_code == 200
    for _ in range(4):
        await _token_login(anon, password="wrong-horse-112")
    assert (await _token_login(anon)).status_code == 200  # 8 failures, never 5 in a row


async def test_an_idle_session_ends_after_30_minutes(anon):
    headers = await _bearer(anon)
    clock.travel(timedelta(minutes=31))
    response = await anon.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert "idle" in _error(response)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_activity_keeps_the_session_alive(anon):
    headers = await _bearer(anon)
    for _ in range(3):  # 87 minutes in all, never 30 without a request
        clock.travel(timedelta(minutes=29))
        response = await anon.get("/api/v1/auth/me", headers=headers)
        assert response.status_code == 200, response.text


async def test_logout_ends_the_session(anon):
    headers = await _bearer(anon)
    assert (await anon.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    after = await anon.get("/api/v1/auth/me", headers=headers)
    assert after.status_code == 401
    assert "ended" in _error(after)


async def test_logout_of_one_session_leaves_the_other_logged_in(anon):
    first, second = await _bearer(anon), await _bearer(anon)
    assert (await anon.post("/api/v1/auth/logout", headers=first)).status_code == 204
    assert (await anon.get("/api/v1/auth/me", headers=second)).status_code == 200


async def test_cookie_login_sets_an_httponly_session_and_a_readable_csrf_cookie(anon):
    response = await anon.post(COOKIE_LOGIN, data={"username": "operator", "password": PASSWORD})
    assert response.status_code == 200, response.text
    set_cookies = {h.split("=", 1)[0]: h.lower() for h in response.headers.get_list("set-cookie")}
    assert "httponly" in set_cookies["cc112_session"]
    assert "samesite=lax" in set_cookies["cc112_session"]
    assert "httponly" not in set_cookies["cc112_csrf"]  # the page's script must read it
    assert anon.cookies["cc112_csrf"] == response.json()["csrf_token"]
    assert "access_token" not in response.json()  # the session token never reaches page scripts


async def test_a_cookie_session_reads_freely_but_writes_need_the_csrf_header(anon):
    login = await anon.post(COOKIE_LOGIN, data={"username": "operator", "password": PASSWORD})
    csrf = login.json()["csrf_token"]
    me = await anon.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "operator"
    contact = {"channel": "phone", "caller_number": "081234567890"}
    without = await anon.post("/api/v1/contacts", json=contact)
    assert without.status_code == 403
    assert "CSRF" in _error(without)
    wrong = await anon.post("/api/v1/contacts", json=contact, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    with_header = await anon.post("/api/v1/contacts", json=contact, headers={"X-CSRF-Token": csrf})
    assert with_header.status_code == 201, with_header.text
    listed = await anon.get("/api/v1/contacts")
    assert listed.json()["total"] == 1  # the refused writes left nothing behind


async def test_a_csrf_token_from_another_session_does_not_work(app, anon):
    other = await anon.post(COOKIE_LOGIN, data={"username": "supervisor", "password": PASSWORD})
    foreign_csrf = other.json()["csrf_token"]
    anon.cookies.clear()
    await anon.post(COOKIE_LOGIN, data={"username": "operator", "password": PASSWORD})
    response = await anon.post("/api/v1/contacts", json={"channel": "sms"}, headers={"X-CSRF-Token": foreign_csrf})
    assert response.status_code == 403


async def test_cookie_logout_clears_the_cookies_and_ends_the_session(anon):
    login = await anon.post(COOKIE_LOGIN, data={"username": "operator", "password": PASSWORD})
    session_cookie = anon.cookies["cc112_session"]
    out = await anon.post("/api/v1/auth/logout", headers={"X-CSRF-Token": login.json()["csrf_token"]})
    assert out.status_code == 204
    assert "cc112_session" not in anon.cookies
    anon.cookies.set("cc112_session", session_cookie)  # a copy kept from before the logout
    replay = await anon.get("/api/v1/auth/me")
    assert replay.status_code == 401


async def test_logins_failures_and_lockouts_are_audited(app, anon):
    await _bearer(anon)
    await anon.post(COOKIE_LOGIN, data={"username": "supervisor", "password": PASSWORD})
    logins = await _audit(app, "login")
    assert [(e.actor_name, e.detail["kind"]) for e in logins] == [("operator", "token"), ("supervisor", "cookie")]
    assert logins[0].object_type == "user" and logins[0].actor_id is not None
    for _ in range(5):
        await _token_login(anon, "leader", "wrong-horse-112")
    assert [e.actor_name for e in await _audit(app, "login.failed")] == ["leader"] * 4
    assert [e.actor_name for e in await _audit(app, "login.locked")] == ["leader"]


@pytest.mark.parametrize("path", [TOKEN, COOKIE_LOGIN])
async def test_password_guessing_is_rate_limited_on_both_login_routes(anon, path):
    statuses = []
    for attempt in range(31):
        response = await anon.post(path, data={"username": f"guess{attempt}", "password": "wrong-horse-112"})
        statuses.append(response.status_code)
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429
