"""Day rollups: the settled days of the dashboard's heavy measures, kept so a year is read fast.

A rollup is a cache of numbers the Event-backed tables already hold; deleting every row loses
nothing (the next pass rebuilds them, and until then the dashboard reads the tables directly).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from cc112.db import Base, BigId, UTCDateTime


class DayRollup(Base):
    """One local day of one measure group, e.g. kind 'timing', agency 3, priority 1.

    agency_id = priority = 0 is the day's marker row: the day was built (also when it had nothing).
    data: the group's counters and measured values (analytics.partials.TimingPartial.to_bytes).
    """

    __tablename__ = "analytics_day_rollups"
    __table_args__ = (Index("ux_analytics_day_rollups", "jurisdiction_id", "kind", "day", "agency_id", "priority",
                            unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    kind: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(40))  # what the numbers were judged against (targets)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class RollupState(Base):
    """How far the rollups of a jurisdiction have taken changes into account (Event id)."""

    __tablename__ = "analytics_rollup_state"

    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), primary_key=True)
    event_watermark: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
