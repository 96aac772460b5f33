"""Alert schemas: what a supervisor composes, and what staff read back."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from cc112.schemas import AwareDatetime, Out, Page, Strict, field_error

CapStatus = Literal["Actual", "Exercise", "System", "Test"]
MsgType = Literal["Alert", "Update", "Cancel"]
Category = Literal["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
                   "CBRNE", "Other"]
Urgency = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
Severity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
Certainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
ResponseType = Literal["Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"]
Language = Literal["id-ID", "en-US"]
AlertState = Literal["draft", "published", "rejected"]

MAX_RADIUS_KM = 500.0
DEFAULT_KECAMATAN_RADIUS_KM = 10.0


# XML 1.0 cannot carry most control characters; refuse them before they reach the CAP message.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: object) -> object:
    if isinstance(value, str) and _NOT_XML.search(value):
        raise ValueError("control characters are not allowed in alert text")
    if isinstance(value, list):
        for item in value:
            _xml_text(item)
    return value


class _XmlSafe(Strict):
    @field_validator("*", mode="after")
    @classmethod
    def _xml_safe(cls, value: object) -> object:
        return _xml_text(value)


def _point(text: str) -> tuple[float, float]:
    lat_s, sep, lon_s = text.partition(",")
    if not sep:
        raise ValueError(f"{text!r} is not a 'lat,lon' pair")
    try:
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise ValueError(f"{text!r} is not a 'lat,lon' pair of numbers")
    if lat != lat or lon != lon or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{text!r} is outside -90..90 latitude / -180..180 longitude")
    return lat, lon


def _num(value: float) -> str:
    text = f"{value:.6f}".rstrip("0")  # micro-degrees (~0.1 m) are enough
    return text + "0" if text.endswith(".") else text


def normalise_polygon(text: str) -> str:
    """'lat,lon lat,lon …' (WGS84), a closed ring of at least four pairs, as CAP 1.2 requires."""
    points = [_point(p) for p in text.split()]
    if len(points) < 4:
        raise ValueError("a polygon needs at least four 'lat,lon' pairs (the last repeats the first)")
    if points[0] != points[-1]:
        raise ValueError("close the polygon: the last 'lat,lon' pair must repeat the first")
    if len(set(points)) < 3:
        raise ValueError("a polygon needs at least three different points")
    return " ".join(f"{_num(lat)},{_num(lon)}" for lat, lon in points)


def normalise_circle(text: str) -> str:
    """'lat,lon radius_km' as CAP 1.2 requires."""
    parts = text.split()
    if len(parts) != 2:
        raise ValueError("a circle is 'lat,lon radius_km', e.g. '-0.95,122.79 5'")
    lat, lon = _point(parts[0])
    try:
        radius = float(parts[1])
    except ValueError:
        raise ValueError(f"the radius {parts[1]!r} is not a number of kilometres")
    if not (0 < radius <= MAX_RADIUS_KM):
        raise ValueError(f"the radius must be more than 0 and at most {MAX_RADIUS_KM:g} km")
    return f"{_num(lat)},{_num(lon)} {_num(radius)}"


class AreaIn(_XmlSafe):
    """One area: a kecamatan (by Kemendagri code), a polygon or a circle."""

    kecamatan: str | None = Field(None, max_length=20, description="kecamatan code, e.g. 72.01.04 (Luwuk)")
    radius_km: float | None = Field(None, gt=0, le=MAX_RADIUS_KM,
                                    description="for a kecamatan: circle radius around its centroid (default 10)")
    polygon: str | None = Field(None, max_length=8000, description="'lat,lon lat,lon …', closed ring")
    circle: str | None = Field(None, max_length=100, description="'lat,lon radius_km'")
    description: str | None = Field(None, max_length=200, description="areaDesc; required for polygon and circle")

    @model_validator(mode="after")
    def _exactly_one(self) -> AreaIn:
        given = [k for k in ("kecamatan", "polygon", "circle") if getattr(self, k)]
        if len(given) != 1:
            raise field_error("kecamatan", "give exactly one of kecamatan, polygon or circle per area")
        if self.radius_km is not None and not self.kecamatan:
            raise field_error("radius_km", "radius_km is only for a kecamatan area; a circle carries its own radius")
        try:
            if self.polygon:
                self.polygon = normalise_polygon(self.polygon)
            if self.circle:
                self.circle = normalise_circle(self.circle)
        except ValueError as exc:
            raise field_error(given[0], str(exc), getattr(self, given[0]))
        if (self.polygon or self.circle) and not (self.description and self.description.strip()):
            raise field_error("description", "describe the area in words (areaDesc), e.g. 'Pesisir Teluk Lalong'")
        return self


class InfoIn(_XmlSafe):
    """The text of the alert in one language (id-ID required, en-US optional)."""

    language: Language = "id-ID"
    event: str = Field(..., min_length=2, max_length=120, description="what: 'Banjir', 'Tsunami' …")
    headline: str = Field(..., min_length=3, max_length=160)
    description: str = Field(..., min_length=3, max_length=4000)
    instruction: str | None = Field(None, max_length=2000, description="what people should do")


def _check_infos(infos: list[InfoIn] | None) -> None:
    if infos is None:
        return
    languages = [i.language for i in infos]
    if len(set(languages)) != len(languages):
        raise field_error("info", "give each language once")
    if "id-ID" not in languages:
        raise field_error("info", "the Bahasa Indonesia text (language id-ID) is required")


class _Content(_XmlSafe):
    incident_id: int | None = Field(None, ge=1, le=2**63 - 1, description="link to an incident (sets the category)")
    category: Category | None = Field(None, description="CAP category; taken from the incident's type when linked")
    urgency: Urgency | None = None
    severity: Severity | None = None
    certainty: Certainty | None = None
    response_type: ResponseType | None = None
    note: str | None = Field(None, max_length=300, description="CAP note, e.g. why an alert is cancelled")
    web: str | None = Field(None, max_length=300, description="a public web page with more information")
    expires_at: AwareDatetime | None = None
    info: list[InfoIn] | None = Field(None, min_length=1, max_length=2)
    areas: list[AreaIn] | None = Field(None, min_length=1, max_length=30)

    @field_validator("web")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value and (not value.startswith(("https://", "http://")) or any(c.isspace() for c in value)):
            raise ValueError("a web link starts with https:// (or http://) and has no spaces")
        return value or None


class AlertCreate(_Content):
    """A new alert; an Update or Cancel names the published alert it refers to and may omit
    everything it keeps from it (category, urgency, severity, certainty, texts, areas)."""

    msg_type: MsgType = "Alert"
    references: str | None = Field(None, max_length=64, description="identifier of the earlier published alert")
    status: CapStatus | None = Field(None, description="Actual (default) or Exercise …; an Update/Cancel keeps "
                                                       "the status of the alert it refers to")

    @model_validator(mode="after")
    def _complete(self) -> AlertCreate:
        _check_infos(self.info)
        if self.msg_type == "Alert":
            if self.references:
                raise field_error("references", "a new Alert refers to nothing; use Update or Cancel")
            for name in ("urgency", "severity", "certainty", "info", "areas"):
                if getattr(self, name) is None:
                    raise field_error(name, f"{name} is required for a new alert")
        elif not self.references:
            raise field_error("references", f"an {self.msg_type} names the published alert it refers to")
        return self


class AlertEdit(_Content):
    """Changes to a draft (only the fields given change)."""

    @model_validator(mode="after")
    def _languages(self) -> AlertEdit:
        _check_infos(self.info)
        return self


class RejectIn(_XmlSafe):
    reason: str = Field(..., min_length=3, max_length=300, description="why the draft is not published")


class InfoRead(Out):
    language: str
    event: str
    headline: str
    description: str
    instruction: str | None = None


class AreaRead(Out):
    kind: str
    desc: str
    region_code: str | None = None
    polygon: str | None = None
    circle: str | None = None


class AlertRead(Out):
    id: int
    identifier: str | None
    sender: str
    status: CapStatus
    msg_type: MsgType
    scope: str = "Public"
    state: AlertState
    references: str | None = Field(None, description="CAP references: 'sender,identifier,sent' of earlier alerts")
    references_identifier: str | None
    incident_id: int | None
    incident_ticket: str | None
    category: str
    urgency: str
    severity: str
    certainty: str
    response_type: str | None
    note: str | None
    web: str | None
    expires_at: datetime | None
    info: list[InfoRead]
    areas: list[AreaRead]
    composed_by: str
    composed_at: datetime
    approved_by: str | None
    sent: str | None = Field(None, description="CAP sent time with the jurisdiction's offset, e.g. +08:00")
    sent_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    reject_reason: str | None
    superseded_by: str | None = Field(None, description="identifier of a published Update or Cancel of this alert")
    cap_url: str | None


class AlertPage(Page):
    items: list[AlertRead]
