"""Agencies, their response targets and their units."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cc112.db import Base, BigId, JSONType, UTCDateTime


class Agency(Base):
    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # DAMKAR, PSC119, POLRES …
    name: Mapped[str] = mapped_column(String(160))
    hotline: Mapped[str | None] = mapped_column(String(16))  # legacy number: 110, 113 …
    kind: Mapped[str] = mapped_column(String(32))  # police, fire, sar, disaster, health, utility …
    services: Mapped[list[str]] = mapped_column(JSONType, default=list)  # named services
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class AgencyTarget(Base):
    """Response targets of an agency for one priority, in force from `valid_from`."""

    __tablename__ = "agency_targets"
    __table_args__ = (UniqueConstraint("agency_id", "priority", "valid_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    priority: Mapped[int] = mapped_column(Integer)  # 1..4
    acknowledge_seconds: Mapped[int] = mapped_column(Integer)
    on_scene_seconds: Mapped[int] = mapped_column(Integer)
    resolve_seconds: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))  # ambulance, fire_truck, patrol_car, rescue_boat …
    capabilities: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="available")
    home_lat: Mapped[float] = mapped_column(Float)
    home_lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    position_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
