"""What a generated history is built on: the jurisdiction's types, routing, kecamatan, agencies
(with the distance from each kecamatan to their nearest post), targets and the acting accounts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.accounts.models import User
from cc112.agencies.models import Agency as AgencyRow
from cc112.agencies.models import Unit
from cc112.analytics.measures import Targets
from cc112.catalog.models import IncidentType, RoutingRule
from cc112.clock import now
from cc112.geo.models import Jurisdiction, Region
from cc112.incidents.models import TicketCounter
from cc112.seed import LUWUK
from cc112.training.history_life import Agency

ACTOR_USERNAME = "simulasi-riwayat"


@dataclass
class Kecamatan:
    id: int
    name: str
    lat: float
    lon: float
    hotspots: list[tuple[float, float]]


@dataclass
class Reference:
    jurisdiction_id: int
    prefix: str
    offset_s: int
    types: dict[str, tuple[int, str, int]]  # code → (id, name, default priority)
    routing: dict[int, list[tuple[Agency, str]]]  # type id → agencies, primaries first
    kecamatan: list[Kecamatan]
    targets: Targets
    actor_id: int
    system_id: int
    actor_names: dict[int | None, str]
    counters: dict[str, int]


async def _actor(db: AsyncSession, jur: Jurisdiction) -> User:
    """The account every generated action is recorded under (inactive: it cannot log in)."""
    user = await db.scalar(select(User).where(User.username == ACTOR_USERNAME))
    if user is None:
        user = User(username=ACTOR_USERNAME, full_name="Riwayat simulasi", role="supervisor", jurisdiction_id=jur.id,
                    password_hash="!", is_active=False, created_at=now())  # noqa: S106 - "!" matches no password
        db.add(user)
        await db.flush()
    return user


def _travel_factors(kecamatan: list[Kecamatan], posts: list[tuple[float, float]]) -> list[float]:
    from cc112.geo.service import distance_km

    posts = posts or [LUWUK]
    # a short run in town, then about 30 km per factor unit on the coastal and hill roads
    return [0.35 + min(distance_km(k.lat, k.lon, a, b) for a, b in posts) / 30 for k in kecamatan]


async def load_reference(db: AsyncSession, jurisdiction_code: str) -> Reference:
    """Types, routing, kecamatan, agencies with their posts, targets and the acting accounts."""
    from cc112.accounts.service import system_actor

    jur = await db.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction_code))
    if jur is None:
        raise SystemExit(f"jurisdiction {jurisdiction_code} not found: run `cc112 seed` first")
    offset = datetime.now(ZoneInfo(jur.timezone)).utcoffset() or timedelta(0)
    kec = []
    for r in await db.scalars(select(Region).where(Region.jurisdiction_id == jur.id, Region.level == "kecamatan",
                                                   Region.lat.is_not(None)).order_by(Region.code)):
        lat, lon = r.lat, r.lon
        if lat is None or lon is None:
            continue
        spots = random.Random(f"{r.code}-hotspots")
        kec.append(Kecamatan(r.id, r.name, lat, lon,
                             [(lat + spots.gauss(0, 0.008), lon + spots.gauss(0, 0.008)) for _ in range(3)]))
    if not kec:
        raise SystemExit("no kecamatan with coordinates: run `cc112 seed` first")
    posts: dict[int, list[tuple[float, float]]] = {}
    for unit in await db.scalars(select(Unit).order_by(Unit.id)):
        posts.setdefault(unit.agency_id, []).append((unit.home_lat, unit.home_lon))
    agencies = {a.id: Agency(a.id, a.code, _travel_factors(kec, posts.get(a.id, [])))
                for a in await db.scalars(select(AgencyRow).where(AgencyRow.jurisdiction_id == jur.id)
                                                 .order_by(AgencyRow.id))}
    types = {t.code: (t.id, t.name_id, t.default_priority)
             for t in await db.scalars(select(IncidentType).where(IncidentType.jurisdiction_id == jur.id)
                                                .order_by(IncidentType.code))}
    routing: dict[int, list[tuple[Agency, str]]] = {}
    for rule in await db.scalars(select(RoutingRule).order_by(RoutingRule.id)):
        if rule.agency_id in agencies:
            routing.setdefault(rule.incident_type_id, []).append((agencies[rule.agency_id], rule.role))
    for rules in routing.values():
        rules.sort(key=lambda r: r[1] != "primary")
    actor, system = await _actor(db, jur), await system_actor(db, jur.code)
    counters = dict((await db.execute(select(TicketCounter.day, TicketCounter.last)
                                      .where(TicketCounter.jurisdiction_id == jur.id))).all())
    return Reference(jur.id, jur.ticket_prefix, int(offset.total_seconds()), types, routing, kec,
                     await Targets.load(db, jur.id), actor.id, system.id,
                     {actor.id: actor.username, system.id: system.username, None: "system"}, counters)
