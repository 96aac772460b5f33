"""A small, deterministic history for dashboard tests: about 13 months of incidents with their
assignments, contacts and ratings, written straight into the tables the measures read.

DAMKAR answers and arrives within its targets; PSC 119 is slow to arrive (misses the goal);
today has an unusual number of floods (a spike).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency
from cc112.catalog.models import IncidentType
from cc112.clock import now
from cc112.contacts.models import Contact
from cc112.dispatch.models import Assignment
from cc112.geo.models import Jurisdiction, Region
from cc112.incidents.models import Incident
from cc112.public.models import Feedback

ZONE = ZoneInfo("Asia/Makassar")
# type, agency, weight; DAMKAR is quick, PSC 119 slow on scene, POLRES in between
MIX = (("kebakaran_bangunan", "DAMKAR", 3), ("kegawatan_medis", "PSC119", 4), ("kecelakaan_lalu_lintas", "POLRES", 3),
       ("banjir", "BPBD", 1), ("pohon_tumbang", "BPBD", 1))
# seconds: (acknowledge, on scene after creation) ranges per agency
SPEED = {"DAMKAR": ((10, 50), (300, 900)), "PSC119": ((20, 90), (900, 2400)), "POLRES": ((15, 70), (400, 1500)),
         "BPBD": ((30, 100), (600, 1700))}
BUSY = ("72.01.04", "72.01.01", "72.01.04", "72.01.12")  # Luwuk twice: it has most of the people


@dataclass
class History:
    incidents: int
    contacts: int
    spike_type: str


def _weighted(rng: random.Random) -> tuple[str, str]:
    choices = [(t, a) for t, a, w in MIX for _ in range(w)]
    return rng.choice(choices)


async def seed_history(db: AsyncSession, *, days: int = 400, seed: int = 112) -> History:
    """Insert `days` days of history ending now, plus a flood spike today."""
    rng = random.Random(seed)
    jur = await db.scalar(select(Jurisdiction).where(Jurisdiction.code == "72.01"))
    assert jur is not None
    types = {t.code: t for t in await db.scalars(select(IncidentType).where(IncidentType.jurisdiction_id == jur.id))}
    agencies = {a.code: a for a in await db.scalars(select(Agency).where(Agency.jurisdiction_id == jur.id))}
    regions = {r.code: r for r in await db.scalars(select(Region).where(Region.jurisdiction_id == jur.id,
                                                                       Region.level == "kecamatan"))}
    kecamatan = [r for r in regions.values() if r.lat is not None]
    at_now = now()
    today = at_now.astimezone(ZONE).date()
    counter = 0
    contacts = 0

    async def add_incident(created: datetime, type_code: str, agency_code: str, region: Region) -> None:
        nonlocal counter, contacts
        counter += 1
        kind = types[type_code]
        ack_range, scene_range = SPEED[agency_code]
        requested = created + timedelta(seconds=rng.randint(30, 90))
        acknowledged = requested + timedelta(seconds=rng.randint(*ack_range))
        on_scene = created + timedelta(seconds=rng.randint(*scene_range))
        completed = on_scene + timedelta(seconds=rng.randint(1200, 5400))
        done = completed < at_now
        incident = Incident(
            jurisdiction_id=jur.id, ticket=f"BGI-H{counter:06d}", incident_type_id=kind.id,
            priority=kind.default_priority, status="closed" if done else "dispatched",
            lat=region.lat + rng.uniform(-0.01, 0.01), lon=region.lon + rng.uniform(-0.01, 0.01),
            region_id=region.id, description="riwayat uji", created_at=created, updated_at=created,
            verified_at=created, first_dispatched_at=requested,
            first_on_scene_at=on_scene if done else None, resolved_at=completed if done else None,
            closed_at=completed if done else None)
        db.add(incident)
        await db.flush()
        db.add(Assignment(incident_id=incident.id, agency_id=agencies[agency_code].id, role="primary",
                          status="completed" if done else "requested", requested_at=requested,
                          acknowledged_at=acknowledged if done else None, on_scene_at=on_scene if done else None,
                          completed_at=completed if done else None))
        db.add(Contact(jurisdiction_id=jur.id, channel="phone", received_at=created - timedelta(seconds=40),
                       answered_at=created - timedelta(seconds=40 - rng.randint(2, 14)),
                       classification="emergency", incident_id=incident.id))
        contacts += 1
        if done and rng.random() < 0.3:
            db.add(Feedback(incident_id=incident.id, jurisdiction_id=jur.id, rating=rng.choice((3, 4, 5, 5)),
                            comment="", not_fixed=False, created_at=completed + timedelta(hours=2)))

    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            hour = rng.choice((7, 9, 12, 16, 18, 19, 20, 21, 22, 2))
            local = datetime.combine(day, time(hour, rng.randint(0, 59)), ZONE)
            type_code, agency_code = _weighted(rng)
            region = regions[rng.choice(BUSY)] if rng.random() < 0.6 else rng.choice(kecamatan)
            await add_incident(local, type_code, agency_code, region)
        for klass in rng.choice(((), ("prank",), ("ghost", "abandoned"))):
            db.add(Contact(jurisdiction_id=jur.id, channel=rng.choice(("phone", "sms")),
                           received_at=datetime.combine(day, time(rng.randint(0, 23), 5), ZONE),
                           classification=klass))
            contacts += 1
    # Today: six floods in Luwuk since local midnight — far above their usual rate.
    midnight = datetime.combine(today, time.min, ZONE)
    span = at_now - midnight
    for k in range(1, 7):
        await add_incident(midnight + span * k / 8, "banjir", "BPBD", regions["72.01.04"])
    await db.flush()
    return History(incidents=counter, contacts=contacts, spike_type="banjir")
