"""Command Center 112: multi-agency emergency command center."""

__version__ = "0.1.0"
