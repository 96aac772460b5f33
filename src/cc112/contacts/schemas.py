"""Contact schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from cc112.schemas import AwareDatetime, Latitude, Longitude, LongText, Out, Page, ShortText, Strict, field_error

Channel = Literal["phone", "sms", "web", "app", "cctv", "walk_in", "radio"]
Classification = Literal["emergency", "non_emergency", "information", "prank", "ghost", "abandoned"]
LocationSource = Literal["typed", "gps", "aml", "cell", "cctv"]


class ContactCreate(Strict):
    channel: Channel
    caller_number: str | None = Field(None, max_length=32, description="any format; stored as E.164")
    caller_name: str | None = Field(None, max_length=120)
    received_at: AwareDatetime | None = None
    answered_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    classification: Classification | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    location_accuracy_m: float | None = Field(None, ge=0, le=100000)
    location_source: LocationSource | None = None
    location_text: ShortText | None = None
    summary: LongText | None = None
    is_exercise: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ContactCreate:
        if (self.lat is None) != (self.lon is None):
            raise field_error("lon" if self.lon is None else "lat", "give both lat and lon, or neither")
        if self.received_at and self.answered_at and self.answered_at < self.received_at:
            raise field_error("answered_at", "answered_at is before received_at", str(self.answered_at))
        start = self.answered_at or self.received_at
        if start and self.ended_at and self.ended_at < start:
            raise field_error("ended_at", "ended_at is before the contact was received/answered", str(self.ended_at))
        return self


class ContactClassify(Strict):
    classification: Classification
    answered_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    summary: LongText | None = None


class ContactRead(Out):
    id: int
    channel: str
    caller_number: str | None = Field(None, description="E.164, or masked for roles without access")
    caller_masked: bool
    caller_name: str | None
    received_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    classification: str | None
    lat: float | None
    lon: float | None
    location_accuracy_m: float | None
    location_source: str | None
    location_text: str | None
    summary: str | None
    caller_blocked: bool
    blocked_until: datetime | None = None
    incident_id: int | None
    is_exercise: bool


class ContactPage(Page):
    items: list[ContactRead]


class CallerHistory(Out):
    caller_number: str
    contacts_total: int
    pranks_in_window: int
    blocked_until: datetime | None
    contacts: list[ContactRead]
    incident_tickets: list[str]
