"""Shared schema pieces: a strict base, coordinates, times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def field_error(field: str, message: str, value: object = None) -> ValidationError:
    """A cross-field check's error that names one field (a plain ValueError names only 'body')."""
    return ValidationError.from_exception_data("input", [InitErrorDetails(
        type=PydanticCustomError("value_error", message), loc=(field,), input=value)])


class Strict(BaseModel):
    """Input models: unknown fields, NaN, infinities and NUL characters are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        # PostgreSQL cannot store NUL in text; refuse it on every database alike.
        if _has_nul(value):
            raise ValueError("NUL characters (\\u0000) are not allowed")
        return value


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("time needs a UTC offset, e.g. 2026-11-28T10:15:00+08:00")
    try:
        value.astimezone(UTC)  # stored in UTC: 0001-01-01T00:00+08:00 has no UTC equivalent
    except OverflowError:
        raise ValueError("time is out of range") from None
    return value


Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="WGS84 degrees")]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, description="WGS84 degrees")]
AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
ShortText = Annotated[str, Field(max_length=300)]
LongText = Annotated[str, Field(max_length=4000)]


class Page(BaseModel):
    total: int
    limit: int
    offset: int
