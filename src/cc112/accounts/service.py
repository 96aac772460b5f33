"""Users, logins and sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts import audit, security
from cc112.accounts.models import ROLES, User, UserSession
from cc112.agencies.models import Agency
from cc112.clock import now
from cc112.config import Settings
from cc112.errors import Conflict, Invalid, Locked, NotFound, Unauthorized
from cc112.geo.models import Jurisdiction

AGENCY_REQUIRED = ("agency_dispatcher", "responder")


async def get_by_username(db: AsyncSession, username: str) -> User | None:
    return await db.scalar(select(User).where(User.username == username.strip().lower()))


async def create(
    *,
    db: AsyncSession,
    username: str,
    password: str,
    role: str,
    jurisdiction_code: str,
    agency_code: str | None = None,
    full_name: str = "",
    actor: User | None = None,
) -> User:
    """Create a staff account; agency roles must name their agency."""
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", field="role")
    if len(password) < 8:
        raise Invalid("password must have at least 8 characters", field="password")
    jur = await db.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction_code))
    if jur is None:
        raise NotFound(f"jurisdiction {jurisdiction_code} not found (run `cc112 seed`)")
    agency_id = None
    if agency_code:
        agency = await db.scalar(
            select(Agency).where(Agency.jurisdiction_id == jur.id, Agency.code == agency_code.upper())
        )
        if agency is None:
            raise NotFound(f"agency {agency_code} not found in {jur.name}", field="agency")
        agency_id = agency.id
    elif role in AGENCY_REQUIRED:
        raise Invalid(f"role {role} needs --agency", field="agency")
    if await get_by_username(db, username):
        raise Conflict(f"username {username!r} is taken", field="username")
    user = User(
        username=username.strip().lower(),
        full_name=full_name,
        password_hash=security.hash_password(password),
        role=role,
        jurisdiction_id=jur.id,
        agency_id=agency_id,
        created_at=now(),
    )
    db.add(user)
    await db.flush()
    await audit.append(
        db, actor=actor, action="user.created", object_type="user", object_id=user.id,
        jurisdiction_id=jur.id, detail={"username": user.username, "role": role},
    )
    return user


@dataclass
class LoginResult:
    user: User | None
    session_id: str | None
    error: Exception | None


async def login(*, db: AsyncSession, settings: Settings, username: str, password: str, kind: str) -> LoginResult:
    """Check a password, counting failures and locking the account after too many.

    Returns the error instead of raising so the caller can commit the failure count first.
    """
    at = now()
    user = await get_by_username(db, username)
    if user is not None and user.locked_until and user.locked_until > at:
        minutes = max(1, int((user.locked_until - at).total_seconds() // 60) + 1)
        return LoginResult(None, None, Locked(
            f"too many failed logins; try again in {minutes} minute(s) or ask an administrator"
        ))
    if not security.verify_password(user.password_hash if user else None, password) or user is None:
        if user is not None:
            failures = user.failed_logins + 1
            locked = failures >= settings.login_max_failures
            await db.execute(
                update(User).where(User.id == user.id).values(
                    failed_logins=0 if locked else failures,
                    locked_until=at + timedelta(minutes=settings.login_lockout_minutes) if locked else None,
                )
            )
            await audit.append(
                db, actor=user, action="login.failed" if not locked else "login.locked",
                object_type="user", object_id=user.id, jurisdiction_id=user.jurisdiction_id,
            )
        return LoginResult(None, None, Unauthorized("wrong username or password"))
    if not user.is_active:
        return LoginResult(None, None, Unauthorized("this account is disabled"))
    user.failed_logins = 0
    user.locked_until = None
    sid = security.new_session_id()
    db.add(UserSession(id=sid, user_id=user.id, kind=kind, created_at=at, last_seen_at=at))
    await audit.append(
        db, actor=user, action="login", object_type="user", object_id=user.id,
        jurisdiction_id=user.jurisdiction_id, detail={"kind": kind},
    )
    await db.flush()
    return LoginResult(user, sid, None)


async def resolve_session(
    *, db: AsyncSession, settings: Settings, session_id: str
) -> tuple[User, UserSession, bool]:
    """The user behind a live session; (user, session, needs_touch). Idle sessions end."""
    at = now()
    row = await db.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id).where(UserSession.id == session_id)
    )
    found = row.first()
    if found is None:
        raise Unauthorized("not logged in")
    sess, user = found
    if sess.ended_at is not None:
        raise Unauthorized("this session has ended; log in again")
    if at - sess.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        raise Unauthorized(
            f"session ended after {settings.session_idle_minutes} idle minutes; log in again"
        )
    if not user.is_active:
        raise Unauthorized("this account is disabled")
    return user, sess, (at - sess.last_seen_at) > timedelta(seconds=30)


async def touch(*, db: AsyncSession, session_id: str) -> None:
    await db.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now()))


async def logout(*, db: AsyncSession, session_id: str) -> None:
    await db.execute(
        update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None)).values(ended_at=now())
    )


SYSTEM_USERNAME = "sistem-{code}"


async def system_actor(db: AsyncSession, jurisdiction_code: str) -> User:
    """The jurisdiction's system account, the actor of public and channel intake (cannot log in)."""
    username = SYSTEM_USERNAME.format(code=jurisdiction_code)
    user = await get_by_username(db, username)
    if user is not None:
        return user
    jur = await db.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction_code))
    if jur is None:
        raise NotFound(f"jurisdiction {jurisdiction_code} not found (run `cc112 seed`)")
    user = User(username=username, full_name="Sistem 112", password_hash="!", role="operator",
                jurisdiction_id=jur.id, is_active=False, created_at=now())
    db.add(user)
    await db.flush()
    return user
