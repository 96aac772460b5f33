"""Catalog routes: incident types, agencies, units, regions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from cc112.accounts import policy
from cc112.agencies import service as agencies
from cc112.agencies.models import Agency
from cc112.catalog.models import IncidentType, RoutingRule
from cc112.deps import CurrentUser, DbSession
from cc112.geo import service as geo
from cc112.schemas import Out

router = APIRouter(prefix="/api/v1", tags=["catalog"])


class RouteRead(BaseModel):
    agency: str
    role: str


class IncidentTypeRead(Out):
    code: str
    name_id: str
    name_en: str
    default_priority: int
    apco_code: str
    cap_category: str
    is_public: bool
    is_sensitive: bool
    routing: list[RouteRead]


class AgencyRead(Out):
    code: str
    name: str
    hotline: str | None
    kind: str
    services: list[str]


class UnitRead(Out):
    code: str
    name: str
    agency: str
    kind: str
    capabilities: list[str]
    status: str
    lat: float | None
    lon: float | None


class RegionRead(Out):
    code: str
    name: str
    level: str
    parent_code: str | None
    postal_code: str | None
    lat: float | None
    lon: float | None


@router.get("/incident-types", response_model=list[IncidentTypeRead])
async def list_incident_types(db: DbSession, user: CurrentUser,
                              q: Annotated[str | None, Query(max_length=60)] = None) -> list[IncidentTypeRead]:
    """The incident taxonomy with priorities, APCO and CAP mapping and routing rules."""
    policy.require(user, "catalog.read")
    types = list(await db.scalars(select(IncidentType).where(IncidentType.jurisdiction_id == user.jurisdiction_id)
                                  .order_by(IncidentType.default_priority, IncidentType.name_id)))
    if q:
        needle = q.lower()
        types = [t for t in types if needle in f"{t.code} {t.name_id} {t.name_en} {t.keywords}".lower()]
    rules = (await db.execute(select(RoutingRule.incident_type_id, Agency.code, RoutingRule.role)
                              .join(Agency, Agency.id == RoutingRule.agency_id))).all()
    return [
        IncidentTypeRead(code=t.code, name_id=t.name_id, name_en=t.name_en, default_priority=t.default_priority,
                         apco_code=t.apco_code, cap_category=t.cap_category, is_public=t.is_public,
                         is_sensitive=t.is_sensitive,
                         routing=sorted((RouteRead(agency=c, role=r) for tid, c, r in rules if tid == t.id),
                                        key=lambda x: (x.role != "primary", x.agency)))
        for t in types
    ]


@router.get("/agencies", response_model=list[AgencyRead])
async def list_agencies(db: DbSession, user: CurrentUser) -> list[AgencyRead]:
    """Agencies of your jurisdiction with their legacy hotlines."""
    policy.require(user, "catalog.read")
    return [AgencyRead.model_validate(a) for a in await agencies.list_(db, jurisdiction_id=user.jurisdiction_id)]


@router.get("/units", response_model=list[UnitRead])
async def list_units(db: DbSession, user: CurrentUser, agency: Annotated[str | None, Query(max_length=32)] = None,
                     status: Annotated[str | None, Query(max_length=16)] = None) -> list[UnitRead]:
    """Units with status and last known position."""
    policy.require(user, "catalog.read")
    rows = await agencies.list_units(db, jurisdiction_id=user.jurisdiction_id, agency_code=agency, status=status)
    return [UnitRead(code=u.code, name=u.name, agency=a.code, kind=u.kind, capabilities=list(u.capabilities or []),
                     status=u.status, lat=u.lat, lon=u.lon) for u, a in rows]


@router.get("/regions", response_model=list[RegionRead])
async def list_regions(
    db: DbSession, user: CurrentUser, q: Annotated[str | None, Query(max_length=60)] = None,
    level: Literal["kecamatan", "desa", "kelurahan"] | None = None,
    parent: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RegionRead]:
    """Kecamatan and desa search (name or code)."""
    policy.require(user, "catalog.read")
    rows = await geo.list_regions(db, jurisdiction_id=user.jurisdiction_id, q=q, level=level,
                                  parent_code=parent, limit=limit)
    return [RegionRead.model_validate(r) for r in rows]
