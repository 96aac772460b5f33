"""Assignments: one incident × one agency (optionally one unit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cc112.db import Base, BigId, UTCDateTime

ASSIGNMENT_STATUSES = (
    "requested", "acknowledged", "en_route", "on_scene", "completed", "declined", "cancelled",
)
# status -> the statuses it may move to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "requested": ("acknowledged", "declined", "en_route", "cancelled"),
    "acknowledged": ("en_route", "on_scene", "completed", "cancelled"),
    "en_route": ("on_scene", "completed", "cancelled"),
    "on_scene": ("completed",),
    "completed": (),
    "declined": (),
    "cancelled": (),
}
ACTIVE = ("requested", "acknowledged", "en_route", "on_scene")


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_agency_status", "agency_id", "status"),
                      Index("ix_assignments_incident_agency", "incident_id", "agency_id"),
                      Index("ix_assignments_status", "status"))  # the deadline sweeper's few active ones

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(16), default="primary")
    status: Mapped[str] = mapped_column(String(16), default="requested")
    version: Mapped[int] = mapped_column(Integer, default=1)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(String(1000))
    # Set once by the deadline sweeper (compare-and-set on NULL, so never twice).
    ack_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
