"""Every SMS in and out: the record of the channel and the outbox of replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cc112.db import Base, BigId, JSONType, UTCDateTime

DIRECTIONS = ("inbound", "outbound")
# inbound: what the message was; outbound: why it was sent.
KINDS = ("keyword", "free_text", "unknown_keyword", "aml", "reply")
# inbound: processed (contact made), attached / held / unlocated (AML);
# outbound: pending (queued or retrying), sent, failed (gave up).
STATUSES = ("processed", "attached", "held", "unlocated", "pending", "sent", "failed")


class SmsMessage(Base):
    __tablename__ = "sms_messages"
    __table_args__ = (
        # A gateway delivers at least once: its message id makes a repeat harmless.
        UniqueConstraint("direction", "gateway_id", name="uq_sms_messages_direction_gateway_id"),
        Index("ix_sms_messages_sender_created", "sender", "created_at"),
        Index("ix_sms_messages_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    gateway_id: Mapped[str | None] = mapped_column(String(100))
    sender: Mapped[str | None] = mapped_column(String(20))  # E.164, inbound
    recipient: Mapped[str | None] = mapped_column(String(20))  # E.164, outbound
    text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    flags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    detail: Mapped[str | None] = mapped_column(String(500))  # why it was flagged, in sentences
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # stored here
    gateway_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # handset's send time, per gateway
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("sms_messages.id"))
    # AML position (inbound kind "aml"): what the handset reported, IMSI/IMEI left in the raw text.
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    position: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Outbound delivery.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
