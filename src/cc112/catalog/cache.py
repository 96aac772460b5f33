"""Reference data (jurisdiction, incident types, routing rules, agencies, targets) kept in memory.

Every intake request needs it and it changes rarely, so each Database keeps a snapshot per
jurisdiction for a short time; changes made through the API invalidate it at once, changes
made elsewhere (another instance, `cc112 seed`) show within `TTL_SECONDS`.
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency, AgencyTarget
from cc112.catalog.models import IncidentType, RoutingRule
from cc112.geo.models import Jurisdiction

TTL_SECONDS = 30.0


@dataclass(frozen=True)
class JurisdictionInfo:
    id: int
    code: str
    name: str
    ticket_prefix: str
    timezone: str


@dataclass(frozen=True)
class TypeInfo:
    id: int
    code: str
    name_id: str
    name_en: str
    default_priority: int
    apco_code: str
    cap_category: str
    is_public: bool
    is_sensitive: bool


@dataclass(frozen=True)
class AgencyInfo:
    id: int
    code: str
    name: str
    hotline: str | None
    kind: str


@dataclass(frozen=True)
class TargetInfo:
    agency_id: int
    priority: int
    acknowledge_seconds: int
    on_scene_seconds: int
    resolve_seconds: int
    valid_from: datetime


@dataclass
class Snapshot:
    jurisdiction: JurisdictionInfo
    types_by_code: dict[str, TypeInfo]
    types_by_id: dict[int, TypeInfo]
    agencies_by_code: dict[str, AgencyInfo]
    agencies_by_id: dict[int, AgencyInfo]
    rules_by_type: dict[int, list[tuple[int, str]]]  # type id -> [(agency id, primary|support)]
    _targets: dict[tuple[int, int], list[TargetInfo]] = field(default_factory=dict)

    def target_at(self, agency_id: int, priority: int, at: datetime) -> TargetInfo | None:
        """The target in force at `at` (latest valid_from not after it)."""
        rows = self._targets.get((agency_id, priority))
        if not rows:
            return None
        i = bisect.bisect_right([r.valid_from for r in rows], at) - 1
        return rows[i] if i >= 0 else None

    def routing_role(self, type_id: int, agency_id: int) -> str | None:
        return next((role for aid, role in self.rules_by_type.get(type_id, []) if aid == agency_id), None)


async def load(db: AsyncSession, jurisdiction_id: int) -> Snapshot:
    jur = await db.get(Jurisdiction, jurisdiction_id)
    if jur is None:
        from cc112.errors import NotFound

        raise NotFound("jurisdiction not found")
    types = [TypeInfo(t.id, t.code, t.name_id, t.name_en, t.default_priority, t.apco_code, t.cap_category,
                      t.is_public, t.is_sensitive)
             for t in await db.scalars(select(IncidentType).where(IncidentType.jurisdiction_id == jurisdiction_id))]
    agencies = [AgencyInfo(a.id, a.code, a.name, a.hotline, a.kind)
                for a in await db.scalars(select(Agency).where(Agency.jurisdiction_id == jurisdiction_id))]
    rules: dict[int, list[tuple[int, str]]] = defaultdict(list)
    type_ids = {t.id for t in types}
    for r in await db.scalars(select(RoutingRule).where(RoutingRule.incident_type_id.in_(type_ids))):
        rules[r.incident_type_id].append((r.agency_id, r.role))
    targets: dict[tuple[int, int], list[TargetInfo]] = defaultdict(list)
    for t in await db.scalars(select(AgencyTarget).where(AgencyTarget.agency_id.in_({a.id for a in agencies}))
                              .order_by(AgencyTarget.valid_from)):
        targets[(t.agency_id, t.priority)].append(TargetInfo(t.agency_id, t.priority, t.acknowledge_seconds,
                                                             t.on_scene_seconds, t.resolve_seconds, t.valid_from))
    return Snapshot(
        jurisdiction=JurisdictionInfo(jur.id, jur.code, jur.name, jur.ticket_prefix, jur.timezone),
        types_by_code={t.code: t for t in types}, types_by_id={t.id: t for t in types},
        agencies_by_code={a.code: a for a in agencies}, agencies_by_id={a.id: a for a in agencies},
        rules_by_type=dict(rules), _targets=dict(targets),
    )


class ReferenceCache:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._items: dict[int, tuple[float, Snapshot]] = {}

    async def get(self, db: AsyncSession, jurisdiction_id: int) -> Snapshot:
        hit = self._items.get(jurisdiction_id)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        snapshot = await load(db, jurisdiction_id)
        self._items[jurisdiction_id] = (time.monotonic(), snapshot)
        return snapshot

    def invalidate(self) -> None:
        self._items.clear()


async def snapshot(db: AsyncSession, jurisdiction_id: int) -> Snapshot:
    """The reference data for a session: cached when the session comes from an app's Database."""
    cache: ReferenceCache | None = db.info.get("refcache")
    if cache is None:
        return await load(db, jurisdiction_id)
    return await cache.get(db, jurisdiction_id)


def invalidate(db: AsyncSession) -> None:
    cache: ReferenceCache | None = db.info.get("refcache")
    if cache is not None:
        cache.invalidate()
