"""The Event table: one immutable row per change; timeline, outbox and replay source."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cc112.db import Base, BigId, JSONType, UTCDateTime


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_jur_id", "jurisdiction_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    kind: Mapped[str] = mapped_column(String(48))  # incident.created, assignment.acknowledged …
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(Integer)
    contact_id: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # Agencies this event concerns (its incident's assignments when it happened).
    agency_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    # Who may receive it: "all" staff of the jurisdiction, "agency" (listed agencies plus
    # operators/supervisors/leaders/admins), or "intake" (operators and supervisors only).
    audience: Mapped[str] = mapped_column(String(8), default="all")
    is_exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # no personal data
