"""Settings: one class, CC112_* variables, validated at start-up."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me-before-production"  # noqa: S105 - refused when CC112_ENV=production


class ConfigError(RuntimeError):
    """A setting has a bad value; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CC112_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./data")
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str = DEV_SECRET
    timezone: str = "Asia/Makassar"
    language: Literal["id", "en"] = "id"
    jurisdiction: str = "72.01"

    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    token_lifetime_hours: int = Field(12, ge=1, le=24 * 7)
    login_max_failures: int = Field(5, ge=1, le=100)
    login_lockout_minutes: int = Field(10, ge=1, le=24 * 60)
    prank_block_threshold: int = Field(3, ge=1, le=100)
    prank_window_hours: int = Field(24, ge=1, le=24 * 30)
    prank_block_hours: int = Field(24, ge=1, le=24 * 30)
    max_body_bytes: int = Field(65536, ge=1024, le=50 * 1024 * 1024)
    max_photo_bytes: int = Field(10 * 1024 * 1024, ge=100_000, le=50 * 1024 * 1024)
    max_photo_pixels: int = Field(40_000_000, ge=1_000_000, le=200_000_000)
    public_reports_per_ip: str = Field("10/minute;60/hour", description="limits for citizen reports per IP")
    public_reports_per_number: str = Field("5/10minutes;20/day", description="limits per reporter phone")
    rate_limit_per_minute: int = Field(600, ge=1)
    sse_ping_seconds: float = Field(15.0, gt=0)
    map_tile_url: str = Field("", description="XYZ tile URL; empty = plain background with markers")
    audit_chain_seconds: float = Field(1.0, ge=0, description="how often new audit entries are chained; 0 = off")
    deadline_sweep_seconds: float = Field(5.0, ge=0, description="0 turns the sweeper off")
    analytics_rollup_seconds: float = Field(300.0, ge=0, description="how often settled days are rolled up for the "
                                            "dashboard (the numbers are exact either way: days not rolled up yet "
                                            "are read from the tables); 0 = off")
    sms_secret: str = Field("", repr=False, description="HMAC-SHA256 secret shared with the SMS gateway; "
                            "empty = the SMS channel answers 503")
    sms_outbound_url: str = Field("", description="gateway URL that sends replies (POST JSON {to, text, reference})")
    sms_send_attempts: int = Field(3, ge=1, le=20, description="tries per reply before it is marked failed")
    sms_retry_seconds: float = Field(5.0, ge=0, le=3600, description="first retry delay; doubles each try")
    sms_timeout_seconds: float = Field(10.0, gt=0, le=120, description="per request to the outbound gateway")
    sms_sweep_seconds: float = Field(30.0, ge=0, description="resend due replies this often; 0 turns it off")
    sms_aml_window_seconds: int = Field(300, ge=10, le=3600, description="AML joins a contact this close in time")
    opendata_min_cell: int = Field(5, ge=2, le=1000, description="open data: counts below this are suppressed, "
                                   "and so are times and shares computed from fewer items")

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (use an IANA name such as Asia/Makassar)")
        return v

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if v.startswith("postgresql://") or v.startswith("postgres://"):
            v = "postgresql+asyncpg://" + v.split("://", 1)[1]
        if v.startswith("sqlite://") and not v.startswith("sqlite+aiosqlite://"):
            v = "sqlite+aiosqlite://" + v.split("://", 1)[1]
        if not (v.startswith("sqlite+aiosqlite://") or v.startswith("postgresql+asyncpg://")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return v

    @field_validator("sms_outbound_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL (or empty)")
        return v

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, v: str | None) -> str | None:
        if not v:
            return None
        if not v.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// or rediss://")
        return v

    @model_validator(mode="after")
    def _production_needs_secret(self) -> Settings:
        if self.env == "production" and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise ValueError("CC112_SECRET_KEY must be set to 32+ random characters in production")
        return self

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'cc112.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one message naming each variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "CC112_" + str(err["loc"][0]).upper() if err["loc"] else "CC112_*"
            lines.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
