"""CAP 1.2 public alerts: a draft composed by one supervisor, published when a second one approves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cc112.db import Base, BigId, JSONType, UTCDateTime

STATES = ("draft", "published", "rejected")
CAP_STATUSES = ("Actual", "Exercise", "System", "Test")
MSG_TYPES = ("Alert", "Update", "Cancel")
CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
              "CBRNE", "Other")
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
RESPONSE_TYPES = ("Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None")
LANGUAGES = ("id-ID", "en-US")


class Alert(Base):
    """One CAP message. Its content is fixed once published; the XML sent is kept as it was sent."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_jur_state", "jurisdiction_id", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    # Given when published (BGI-ALERT-20261128-0007); drafts have none.
    identifier: Mapped[str | None] = mapped_column(String(64), unique=True)
    sender: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12))  # CAP status: Actual, Exercise, System, Test
    msg_type: Mapped[str] = mapped_column(String(8))  # Alert, Update, Cancel
    references_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(12))
    severity: Mapped[str] = mapped_column(String(12))
    certainty: Mapped[str] = mapped_column(String(12))
    response_type: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(300))
    web: Mapped[str | None] = mapped_column(String(300))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # [{"language", "event", "headline", "description", "instruction"}], id-ID first.
    infos: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # [{"kind": kecamatan|polygon|circle, "desc", "region_code", "polygon", "circle"}], resolved when saved.
    areas: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    composed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    composed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # publication time, CAP <sent>
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(String(300))
    cap_xml: Mapped[str | None] = mapped_column(Text)  # the message exactly as published

    @property
    def is_exercise(self) -> bool:
        return self.status != "Actual"

    def info(self, language: str) -> dict[str, Any] | None:
        return next((i for i in self.infos or [] if i.get("language") == language), None)
