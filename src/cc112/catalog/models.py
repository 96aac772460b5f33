"""Incident types and their routing rules."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cc112.db import Base, BigId


class IncidentType(Base):
    __tablename__ = "incident_types"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))  # kebakaran, kecelakaan_lalu_lintas …
    name_id: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    keywords: Mapped[str] = mapped_column(String(400), default="")  # for type-ahead and SMS
    default_priority: Mapped[int] = mapped_column(Integer)
    apco_code: Mapped[str] = mapped_column(String(40))
    cap_category: Mapped[str] = mapped_column(String(16))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)  # offered to citizens
    is_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)  # hide exact address


class RoutingRule(Base):
    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("incident_type_id", "agency_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_type_id: Mapped[int] = mapped_column(ForeignKey("incident_types.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # primary | support
