"""Incidents and their per-day ticket counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import h3
from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cc112.db import Base, BigId, UTCDateTime

STATUSES = (
    "received", "verified", "dispatched", "on_scene", "resolved", "closed", "cancelled", "merged",
)
OPEN_STATUSES = ("received", "verified", "dispatched", "on_scene")
TERMINAL_STATUSES = ("closed", "cancelled", "merged")
HOTSPOT_RESOLUTION = 7  # H3 cells of ≈ 5 km² (a village or a town quarter): the hotspot map's hexagons


def hotspot_cell(lat: float | None, lon: float | None) -> str | None:
    """The incident's H3 cell at the hotspot resolution (None without a position)."""
    return None if lat is None or lon is None else h3.latlng_to_cell(lat, lon, HOTSPOT_RESOLUTION)


def _cell_default(context: Any) -> str | None:
    params = context.get_current_parameters()
    return hotspot_cell(params.get("lat"), params.get("lon"))


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_jur_status", "jurisdiction_id", "status"),
        Index("ix_incidents_jur_created", "jurisdiction_id", "created_at"),
        # covers every incident count of the dashboard (migration 0007; bench/analytics.py)
        Index("ix_incidents_analytics", "jurisdiction_id", "created_at", "is_exercise", "status", "incident_type_id",
              "priority", "region_id", "h3_cell"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    ticket: Mapped[str] = mapped_column(String(32), unique=True)
    incident_type_id: Mapped[int] = mapped_column(ForeignKey("incident_types.id"), index=True)
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # Kept with the position (set on insert; positions are never moved afterwards) so hotspots
    # are counted in the database instead of cell by cell in Python.
    h3_cell: Mapped[str | None] = mapped_column(String(16), default=_cell_default)
    location_accuracy_m: Mapped[float | None] = mapped_column(Float)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    desa_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    address: Mapped[str | None] = mapped_column(String(300))
    landmark: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    people_involved: Mapped[int | None] = mapped_column(Integer)
    hazards: Mapped[str | None] = mapped_column(String(300))
    is_exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    close_reason: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TicketCounter(Base):
    __tablename__ = "ticket_counters"

    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD, local time
    last: Mapped[int] = mapped_column(Integer, default=0)
