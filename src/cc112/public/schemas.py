"""Public report schemas: what a citizen sends and what they may see."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from cc112.schemas import Latitude, Longitude, Strict


class ReportCreate(Strict):
    category: str = Field(..., max_length=40, description="a public incident type code (see /api/v1/public/categories)")
    description: str = Field(..., min_length=3, max_length=2000)
    lat: Latitude | None = None
    lon: Longitude | None = None
    accuracy_m: float | None = Field(None, ge=0, le=100000)
    region_code: str | None = Field(None, max_length=20, description="kecamatan or desa code")
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=32, description="for updates; never shown publicly")
    channel: str = Field("app", pattern="^(web|app)$")
    website: str | None = Field(None, max_length=200, description="leave empty (spam trap)")

    @model_validator(mode="after")
    def _located(self) -> ReportCreate:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        if self.lat is None and not self.region_code:
            raise ValueError("say where: a position (lat, lon) or a kecamatan/desa (region_code)")
        return self


class ReportReceipt(BaseModel):
    ticket: str
    tracking_code: str
    status: str
    message: str


class PublicEvent(BaseModel):
    at: datetime
    status: str
    text: str
    agency: str | None = None


class ReportStatus(BaseModel):
    ticket: str
    category: str
    category_name: str
    status: str
    status_text: str
    kecamatan: str | None
    address: str | None = Field(None, description="omitted for sensitive types")
    created_at: datetime
    updated_at: datetime
    agencies: list[str]
    timeline: list[PublicEvent]
    can_give_feedback: bool
    feedback: dict[str, object] | None


class FeedbackCreate(Strict):
    code: str = Field(..., min_length=4, max_length=16)
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=1000)
    not_fixed: bool = False
    website: str | None = Field(None, max_length=200)


class Category(BaseModel):
    code: str
    name: str
    name_en: str
    sensitive: bool
