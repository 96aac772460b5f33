"""Run Alembic migrations from code (`cc112 db upgrade`, tests, demo)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str | None = None) -> Config:
    ini = ROOT / "alembic.ini"
    if not ini.exists():
        raise SystemExit(f"alembic.ini not found at {ini}; run from a source checkout")
    config = Config(str(ini))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        config.attributes["cc112_url"] = url
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database schema to `revision` (synchronous: call outside an event loop)."""
    command.upgrade(alembic_config(url), revision)
