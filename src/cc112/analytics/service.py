"""Scopes from request filters, hotspots (H3 cells) and unusual spikes."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import h3
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts.models import User
from cc112.agencies.models import Agency
from cc112.analytics import period as periods
from cc112.analytics.measures import Scope, incident_conditions
from cc112.analytics.sql import Dialect
from cc112.catalog.models import IncidentType
from cc112.errors import Invalid
from cc112.geo.models import Jurisdiction, Region
from cc112.incidents.models import HOTSPOT_RESOLUTION, Incident


async def build_scope(db: AsyncSession, *, jurisdiction_id: int, period: str, month: str | None = None,
                      start: str | None = None, end: str | None = None, agency: str | None = None,
                      type_code: str | None = None, kecamatan: str | None = None) -> Scope:
    """A scope from the dashboard's filters; unknown filter values are named in the error."""
    jur = await db.get(Jurisdiction, jurisdiction_id)
    zone = jur.timezone if jur else "Asia/Makassar"
    scope = Scope(jurisdiction_id=jurisdiction_id, zone=zone,
                  period=periods.parse(period, zone, month=month, start=start, end=end))
    if agency:
        scope.agency_id = await db.scalar(select(Agency.id).where(Agency.jurisdiction_id == jurisdiction_id,
                                                                  Agency.code == agency.upper()))
        if scope.agency_id is None:
            raise Invalid(f"unknown agency {agency!r}", field="agency")
    if type_code:
        if await db.scalar(select(IncidentType.id).where(IncidentType.jurisdiction_id == jurisdiction_id,
                                                         IncidentType.code == type_code)) is None:
            raise Invalid(f"unknown incident type {type_code!r}", field="type")
        scope.type_code = type_code
    if kecamatan:
        scope.region_id = await db.scalar(select(Region.id).where(Region.jurisdiction_id == jurisdiction_id,
                                                                  Region.code == kecamatan, Region.level == "kecamatan"))
        if scope.region_id is None:
            raise Invalid(f"unknown kecamatan code {kecamatan!r}", field="kecamatan")
    return scope


async def hotspots(db: AsyncSession, scope: Scope, *, resolution: int = HOTSPOT_RESOLUTION, limit: int = 30
                   ) -> list[dict[str, Any]]:
    """H3 cells with the most incidents, their centre and top types (ties: by cell, by type code)."""
    cells: dict[str, Counter[str]] = defaultdict(Counter)
    if resolution == HOTSPOT_RESOLUTION:  # incidents keep their cell: count in the database
        codes = dict((await db.execute(select(IncidentType.id, IncidentType.code)
                                       .where(IncidentType.jurisdiction_id == scope.jurisdiction_id))).all())
        for cell, type_id, n in (await db.execute(
                select(Incident.h3_cell, Incident.incident_type_id, func.count())
                .where(*incident_conditions(scope), Incident.h3_cell.is_not(None))
                .group_by(Incident.h3_cell, Incident.incident_type_id))).all():
            cells[str(cell)][codes[type_id]] += n
    else:
        rows = (await db.execute(select(Incident.lat, Incident.lon, IncidentType.code)
                                 .join(IncidentType, IncidentType.id == Incident.incident_type_id)
                                 .where(*incident_conditions(scope), Incident.lat.is_not(None)))).all()
        for lat, lon, code in rows:
            cells[h3.latlng_to_cell(lat, lon, resolution)][code] += 1
    ranked = sorted(cells.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:limit]
    out = []
    for cell, types in ranked:
        lat, lon = h3.cell_to_latlng(cell)
        top = sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        out.append({"cell": cell, "lat": round(lat, 5), "lon": round(lon, 5), "count": sum(types.values()),
                    "top_types": [{"code": c, "count": n} for c, n in top],
                    "boundary": [[round(a, 5), round(b, 5)] for a, b in h3.cell_to_boundary(cell)]})
    return out


async def spikes(db: AsyncSession, scope: Scope, *, baseline_days: int = 28) -> list[dict[str, Any]]:
    """Types whose count on the period's last day is well above their recent daily baseline.

    Threshold: at least 3 and above mean + 3·√mean (a Poisson day this high is rare).
    """
    d = Dialect(db.bind.dialect.name, scope.zone)
    last_day = scope.period.last_day
    day_end = scope.period.end
    base_start = day_end - timedelta(days=baseline_days + 1)
    day = d.local_day(Incident.created_at)
    cond = incident_conditions(scope, in_period=False)
    rows = (await db.execute(select(IncidentType.code, IncidentType.name_id, day, func.count())
                             .join(Incident, Incident.incident_type_id == IncidentType.id)
                             .where(*cond, Incident.created_at >= base_start, Incident.created_at < day_end)
                             .group_by(IncidentType.code, IncidentType.name_id, day))).all()
    today = last_day.isoformat()
    per_type: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for code, name, d_, n in rows:
        per_type[(code, name)][d_] = int(n)
    out = []
    for (code, name), days in per_type.items():
        count = days.get(today, 0)
        baseline = sum(v for k, v in days.items() if k != today) / baseline_days
        threshold = max(3.0, baseline + 3 * math.sqrt(baseline))
        if count >= threshold:
            out.append({"type": code, "name": name, "day": today, "count": count,
                        "baseline_per_day": round(baseline, 2), "threshold": round(threshold, 1)})
    return sorted(out, key=lambda s: -(s["count"] - s["baseline_per_day"]))


def require_analytics(user: User) -> None:
    from cc112.accounts import policy

    policy.require(user, "analytics.read")
