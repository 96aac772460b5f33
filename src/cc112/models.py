"""Import every domain's models so Base.metadata knows all tables (Alembic, tests)."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import cc112
from cc112.db import Base


def load_all() -> None:
    """Import cc112.<domain>.models for every domain package that has one."""
    for info in pkgutil.iter_modules(cc112.__path__):
        if info.ispkg and importlib.util.find_spec(f"cc112.{info.name}.models") is not None:
            importlib.import_module(f"cc112.{info.name}.models")


load_all()

__all__ = ["Base", "load_all"]
