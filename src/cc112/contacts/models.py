"""Inbound contacts on every channel, and blocks on repeat prank numbers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cc112.db import Base, BigId, UTCDateTime

CHANNELS = ("phone", "sms", "web", "app", "cctv", "walk_in", "radio")
CLASSIFICATIONS = ("emergency", "non_emergency", "information", "prank", "ghost", "abandoned")
FALSE_CLASSES = ("prank", "ghost")


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_caller_received", "caller_number", "received_at"),
        Index("ix_contacts_jur_received", "jurisdiction_id", "received_at"),
        Index("ix_contacts_analytics", "jurisdiction_id", "received_at", "is_exercise", "classification", "channel",
              "answered_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    channel: Mapped[str] = mapped_column(String(16))
    caller_number: Mapped[str | None] = mapped_column(String(20))  # E.164
    caller_name: Mapped[str | None] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    classification: Mapped[str | None] = mapped_column(String(16), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    location_accuracy_m: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[str | None] = mapped_column(String(16))  # typed | gps | aml | cell
    location_text: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    caller_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_exercise: Mapped[bool] = mapped_column(Boolean, default=False)


class CallerBlock(Base):
    """A number flagged after repeated pranks; contacts still arrive and are shown flagged."""

    __tablename__ = "caller_blocks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    caller_number: Mapped[str] = mapped_column(String(20), index=True)
    blocked_from: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200))
