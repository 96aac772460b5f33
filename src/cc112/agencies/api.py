"""Agency response targets: read their history, set new ones from a date on (administrators)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from cc112.accounts import audit, policy
from cc112.agencies.models import Agency, AgencyTarget
from cc112.catalog import cache as refdata
from cc112.deps import CurrentUser, DbSession
from cc112.errors import Conflict, NotFound
from cc112.geo.models import Jurisdiction
from cc112.schemas import Strict

router = APIRouter(prefix="/api/v1/agencies", tags=["catalog"])


class TargetIn(Strict):
    priority: int = Field(..., ge=1, le=4)
    acknowledge_seconds: int = Field(..., ge=10, le=7 * 86400)
    on_scene_seconds: int = Field(..., ge=60, le=30 * 86400)
    resolve_seconds: int = Field(..., ge=60, le=365 * 86400)
    valid_from: date = Field(..., description="local date from which the target applies (earlier periods keep theirs)")


class TargetRead(BaseModel):
    priority: int
    acknowledge_seconds: int
    on_scene_seconds: int
    resolve_seconds: int
    valid_from: datetime


async def _agency(db: DbSession, user: CurrentUser, code: str) -> Agency:
    agency = await db.scalar(select(Agency).where(Agency.jurisdiction_id == user.jurisdiction_id,
                                                  Agency.code == code.upper()))
    if agency is None:
        raise NotFound(f"agency {code} not found")
    return agency


@router.get("/{code}/targets", response_model=list[TargetRead])
async def list_targets(code: str, db: DbSession, user: CurrentUser) -> list[TargetRead]:
    """Every target the agency has had, oldest first (history of what was in force when)."""
    policy.require(user, "catalog.read")
    agency = await _agency(db, user, code)
    rows = await db.scalars(select(AgencyTarget).where(AgencyTarget.agency_id == agency.id)
                            .order_by(AgencyTarget.valid_from, AgencyTarget.priority))
    return [TargetRead(priority=r.priority, acknowledge_seconds=r.acknowledge_seconds,
                       on_scene_seconds=r.on_scene_seconds, resolve_seconds=r.resolve_seconds,
                       valid_from=r.valid_from) for r in rows]


@router.post("/{code}/targets", status_code=201, response_model=TargetRead)
async def set_target(code: str, target_in: TargetIn, db: DbSession, user: CurrentUser) -> TargetRead:
    """Set a target from a date on; earlier periods are still judged by the targets then in force."""
    policy.require(user, "targets.manage")
    agency = await _agency(db, user, code)
    jur = await db.get(Jurisdiction, user.jurisdiction_id)
    zone = ZoneInfo(jur.timezone if jur else "Asia/Makassar")
    valid_from = datetime.combine(target_in.valid_from, time.min, zone).astimezone(ZoneInfo("UTC"))
    if await db.scalar(select(AgencyTarget.id).where(AgencyTarget.agency_id == agency.id,
                                                     AgencyTarget.priority == target_in.priority,
                                                     AgencyTarget.valid_from == valid_from)) is not None:
        raise Conflict("a target for this priority already starts on that date", field="valid_from")
    row = AgencyTarget(agency_id=agency.id, priority=target_in.priority, valid_from=valid_from,
                       acknowledge_seconds=target_in.acknowledge_seconds, on_scene_seconds=target_in.on_scene_seconds,
                       resolve_seconds=target_in.resolve_seconds)
    db.add(row)
    await db.flush()
    refdata.invalidate(db)
    await audit.append(db, actor=user, action="target.set", object_type="agency", object_id=agency.code,
                       jurisdiction_id=user.jurisdiction_id,
                       detail={"priority": row.priority, "acknowledge_seconds": row.acknowledge_seconds,
                               "on_scene_seconds": row.on_scene_seconds, "resolve_seconds": row.resolve_seconds,
                               "valid_from": target_in.valid_from.isoformat()})
    return TargetRead(priority=row.priority, acknowledge_seconds=row.acknowledge_seconds,
                      on_scene_seconds=row.on_scene_seconds, resolve_seconds=row.resolve_seconds,
                      valid_from=row.valid_from)
