"""HMAC-SHA256 signatures between the centre and its SMS gateway (both directions)."""

from __future__ import annotations

import hashlib
import hmac

from cc112.errors import Unauthorized, Unavailable

HEADER = "X-CC112-Signature"


def sign(secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, given: str | None) -> None:
    """Accept the body only with the right signature (hex, optionally prefixed `sha256=`)."""
    if not secret:
        raise Unavailable("the SMS channel is not configured: set CC112_SMS_SECRET to the gateway's shared secret")
    if not given or not given.strip():
        raise Unauthorized(f"the {HEADER} header is missing; sign the raw body with HMAC-SHA256 and the shared secret")
    value = given.strip()
    if value.lower().startswith("sha256="):
        value = value[7:]
    if not hmac.compare_digest(value.lower().encode("utf-8", "replace"), sign(secret, body).encode()):
        raise Unauthorized(f"the {HEADER} header does not match the body; check the shared secret")
