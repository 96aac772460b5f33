"""Incident and assignment schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from cc112.contacts.schemas import ContactCreate
from cc112.schemas import Latitude, Longitude, LongText, Out, Page, ShortText, Strict, field_error

IncidentStatus = Literal[
    "received", "verified", "dispatched", "on_scene", "resolved", "closed", "cancelled", "merged"
]


class IncidentCreate(Strict):
    type: str = Field(..., max_length=40, description="incident type code, see /api/v1/incident-types")
    priority: int | None = Field(None, ge=1, le=4, description="1 (highest) … 4; default from type")
    lat: Latitude | None = None
    lon: Longitude | None = None
    location_accuracy_m: float | None = Field(None, ge=0, le=100000)
    region_code: str | None = Field(None, max_length=20, description="kecamatan or desa code")
    address: ShortText | None = None
    landmark: str | None = Field(None, max_length=200)
    description: LongText = ""
    people_involved: int | None = Field(None, ge=0, le=100000)
    hazards: ShortText | None = None
    is_exercise: bool = False
    contact_id: int | None = Field(None, ge=1, le=2**63 - 1)
    contact: ContactCreate | None = Field(
        None, description="record the call and open the incident in one step (instead of contact_id)")

    @model_validator(mode="after")
    def _both_or_neither(self) -> IncidentCreate:
        if (self.lat is None) != (self.lon is None):
            raise field_error("lon" if self.lon is None else "lat", "give both lat and lon, or neither")
        if self.contact is not None and self.contact_id is not None:
            raise field_error("contact", "give either contact (a new call) or contact_id (an earlier one), not both")
        return self


class IncidentUpdate(Strict):
    priority: int | None = Field(None, ge=1, le=4)
    address: ShortText | None = None
    landmark: str | None = Field(None, max_length=200)
    description: LongText | None = None
    people_involved: int | None = Field(None, ge=0, le=100000)
    hazards: ShortText | None = None


class ReasonIn(Strict):
    reason: str = Field("", max_length=300)


class CancelIn(Strict):
    reason: str = Field(..., min_length=3, max_length=300, description="why: prank, ghost, no emergency …")


class MergeIn(Strict):
    into: str = Field(..., max_length=32, description="the master incident: its id or ticket")
    reason: str = Field("", max_length=300)


class AssignmentCreate(Strict):
    agency: str = Field(..., max_length=32, description="agency code, e.g. DAMKAR")
    unit: str | None = Field(None, max_length=32, description="unit code of that agency")
    role: Literal["primary", "support"] | None = None


class DispatchIn(Strict):
    agencies: list[str] = Field(..., min_length=1, max_length=12, description="agency codes")


AssignmentStatus = Literal["acknowledged", "declined", "en_route", "on_scene", "completed", "cancelled"]


class AssignmentStatusIn(Strict):
    status: AssignmentStatus
    reason: str | None = Field(None, max_length=300, description="required when declining")
    note: str | None = Field(None, max_length=1000)
    unit: str | None = Field(None, max_length=32, description="assign a unit while acknowledging")

    @model_validator(mode="after")
    def _decline_needs_reason(self) -> AssignmentStatusIn:
        if self.status == "declined" and not (self.reason and self.reason.strip()):
            raise field_error("reason", "a declined assignment needs a reason", self.reason)
        return self


class TypeRef(Out):
    code: str
    name_id: str
    name_en: str


class RegionRef(Out):
    code: str
    name: str


class AssignmentRead(Out):
    id: int
    incident_id: int
    agency: str
    agency_name: str
    unit: str | None
    role: str
    status: str
    requested_at: datetime
    acknowledged_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    completed_at: datetime | None
    declined_at: datetime | None
    decline_reason: str | None
    note: str | None
    acknowledge_due_at: datetime | None = None
    on_scene_due_at: datetime | None = None


class ProposedAgency(BaseModel):
    agency: str
    name: str
    role: str
    assigned: bool


class IncidentRead(Out):
    id: int
    ticket: str
    type: TypeRef
    priority: int
    status: IncidentStatus
    lat: float | None
    lon: float | None
    location_accuracy_m: float | None
    region: RegionRef | None
    desa: RegionRef | None
    address: str | None
    landmark: str | None
    description: str
    people_involved: int | None
    hazards: str | None
    is_exercise: bool
    merged_into: str | None
    close_reason: str | None
    created_at: datetime
    updated_at: datetime
    verified_at: datetime | None
    first_dispatched_at: datetime | None
    first_on_scene_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    contact_ids: list[int]
    assignments: list[AssignmentRead]
    proposed_agencies: list[ProposedAgency]


class IncidentPage(Page):
    items: list[IncidentRead]


class MapIncident(Out):
    """The shared picture: no personal data, no description."""

    id: int
    ticket: str
    type: str
    type_name: str
    priority: int
    status: str
    lat: float | None
    lon: float | None
    region: str | None
    agencies: list[str]
    created_at: datetime


class TimelineEntry(Out):
    id: int
    at: datetime
    kind: str
    actor: str | None
    agency_ids: list[int]
    payload: dict[str, object]
