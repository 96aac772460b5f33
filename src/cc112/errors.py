"""Domain errors; services raise these, one handler maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class InvalidTransition(DomainError):
    status_code = 409
    code = "invalid_transition"


class Invalid(DomainError):
    status_code = 422
    code = "invalid"


class Locked(DomainError):
    status_code = 423
    code = "locked"


class TooLarge(DomainError):
    status_code = 413
    code = "too_large"


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A feature that is switched off or not configured here (e.g. the SMS channel without its secret)."""

    status_code = 503
    code = "unavailable"
