"""Password hashing (Argon2), signed tokens (JWT) and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so timing does not tell.
_DUMMY = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def issue_token(*, secret: str, session_id: str, user_id: int, at: datetime, hours: int) -> str:
    claims = {"sid": session_id, "sub": str(user_id), "iat": at, "exp": at + timedelta(hours=hours)}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, *, secret: str, at: datetime) -> dict[str, str] | None:
    """Claims of a valid token, or None (bad signature, expired, malformed)."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False}
        )
    except jwt.PyJWTError:
        return None
    if int(claims.get("exp", 0)) < at.timestamp():
        return None
    return claims


def csrf_token(*, secret: str, session_id: str) -> str:
    return hmac.new(secret.encode(), b"csrf:" + session_id.encode(), hashlib.sha256).hexdigest()


def csrf_ok(*, secret: str, session_id: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(secret=secret, session_id=session_id), given or "")
