"""Agencies, units and the response targets in force at a given time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency, AgencyTarget, Unit


async def list_(db: AsyncSession, *, jurisdiction_id: int) -> list[Agency]:
    return list(await db.scalars(select(Agency).where(Agency.jurisdiction_id == jurisdiction_id).order_by(Agency.code)))


async def list_units(db: AsyncSession, *, jurisdiction_id: int, agency_code: str | None, status: str | None) -> list[tuple[Unit, Agency]]:
    stmt = select(Unit, Agency).join(Agency, Agency.id == Unit.agency_id).where(Agency.jurisdiction_id == jurisdiction_id)
    if agency_code:
        stmt = stmt.where(Agency.code == agency_code.upper())
    if status:
        stmt = stmt.where(Unit.status == status)
    return [(u, a) for u, a in (await db.execute(stmt.order_by(Agency.code, Unit.code))).all()]


async def targets_in_force(db: AsyncSession, *, agency_ids: set[int], at: datetime) -> dict[tuple[int, int], AgencyTarget]:
    """(agency_id, priority) -> the target with the latest valid_from not after `at`."""
    if not agency_ids:
        return {}
    rows = await db.scalars(
        select(AgencyTarget).where(AgencyTarget.agency_id.in_(agency_ids), AgencyTarget.valid_from <= at)
        .order_by(AgencyTarget.valid_from)
    )
    found: dict[tuple[int, int], AgencyTarget] = {}
    for target in rows:
        found[(target.agency_id, target.priority)] = target  # later valid_from wins
    return found
