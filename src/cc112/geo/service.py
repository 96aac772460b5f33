"""Distances, nearest kecamatan, region look-ups."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.errors import Invalid, NotFound
from cc112.geo.models import Jurisdiction, Region

EARTH_RADIUS_KM = 6371.0088
# A position farther than this from every kecamatan centroid is outside the jurisdiction.
MAX_KECAMATAN_DISTANCE_KM = 45.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Centroid:
    region_id: int
    code: str
    name: str
    lat: float
    lon: float


class KecamatanIndex:
    """Kecamatan centroids of each jurisdiction, cached in memory (24 rows for Banggai)."""

    def __init__(self) -> None:
        self._by_jurisdiction: dict[int, list[Centroid]] = {}

    async def load(self, db: AsyncSession, jurisdiction_id: int) -> list[Centroid]:
        cached = self._by_jurisdiction.get(jurisdiction_id)
        if cached is not None:
            return cached
        rows = await db.scalars(
            select(Region).where(
                Region.jurisdiction_id == jurisdiction_id, Region.level == "kecamatan",
                Region.lat.is_not(None),
            )
        )
        cents = [Centroid(r.id, r.code, r.name, r.lat, r.lon) for r in rows if r.lat is not None and r.lon is not None]
        if cents:
            self._by_jurisdiction[jurisdiction_id] = cents
        return cents

    async def nearest(self, db: AsyncSession, jurisdiction_id: int, lat: float, lon: float) -> Centroid | None:
        """The kecamatan whose centroid is nearest, or None when the point is outside."""
        best: tuple[float, Centroid] | None = None
        for c in await self.load(db, jurisdiction_id):
            d = distance_km(lat, lon, c.lat, c.lon)
            if best is None or d < best[0]:
                best = (d, c)
        if best is None or best[0] > MAX_KECAMATAN_DISTANCE_KM:
            return None
        return best[1]


kecamatan_index = KecamatanIndex()


async def get_jurisdiction(db: AsyncSession, jurisdiction_id: int) -> Jurisdiction:
    jur = await db.get(Jurisdiction, jurisdiction_id)
    if jur is None:
        raise NotFound("jurisdiction not found")
    return jur


async def get_region_by_code(db: AsyncSession, jurisdiction_id: int, code: str) -> Region:
    region = await db.scalar(
        select(Region).where(Region.jurisdiction_id == jurisdiction_id, Region.code == code)
    )
    if region is None:
        raise Invalid(f"unknown region code {code!r} in this jurisdiction", field="region_code")
    return region


async def list_regions(
    db: AsyncSession, *, jurisdiction_id: int, q: str | None, level: str | None,
    parent_code: str | None, limit: int,
) -> list[Region]:
    stmt = select(Region).where(Region.jurisdiction_id == jurisdiction_id)
    if level == "desa":
        stmt = stmt.where(Region.level.in_(("desa", "kelurahan")))
    elif level:
        stmt = stmt.where(Region.level == level)
    if parent_code:
        stmt = stmt.where(Region.parent_code == parent_code)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Region.name).like(like), Region.code.like(f"{q.strip()}%")))
    stmt = stmt.order_by(Region.level, Region.name).limit(limit)
    return list(await db.scalars(stmt))
