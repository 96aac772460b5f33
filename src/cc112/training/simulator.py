"""A realistic stream of contacts and agency responses, so every screen is alive in the demo.

Roughly a third of contacts are pranks, silent (ghost) or abandoned calls, as in Indonesian 112
centres; real incidents follow the hour of day and the kecamatan; agencies acknowledge, travel,
arrive and complete after believable (compressed) delays, and sometimes decline.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from cc112.accounts.models import User
from cc112.catalog.models import RoutingRule
from cc112.clock import now
from cc112.contacts import service as contacts
from cc112.contacts.schemas import ContactCreate
from cc112.db import Database
from cc112.dispatch import service as dispatch
from cc112.dispatch.models import Assignment
from cc112.errors import DomainError
from cc112.geo.models import Region
from cc112.incidents import service as incidents
from cc112.incidents.models import Incident
from cc112.incidents.schemas import AssignmentStatusIn, IncidentCreate

log = logging.getLogger(__name__)

# share of all contacts
CLASS_WEIGHTS = {"emergency": 0.42, "non_emergency": 0.12, "information": 0.12,
                 "prank": 0.17, "ghost": 0.12, "abandoned": 0.05}
CHANNEL_WEIGHTS = {"phone": 0.82, "sms": 0.08, "app": 0.05, "web": 0.03, "walk_in": 0.01, "radio": 0.01}
# relative incident weights by type (night shifts the mix toward crime and medical)
TYPE_WEIGHTS_DAY = {"kecelakaan_lalu_lintas": 9, "kegawatan_medis": 10, "darurat_ibu_hamil": 4,
                    "kebakaran_bangunan": 4, "kebakaran_lahan": 2, "pohon_tumbang": 3, "listrik_padam": 3,
                    "banjir": 2, "tanah_longsor": 1, "gangguan_ketertiban": 2, "kriminalitas": 2,
                    "penganiayaan": 2, "kdrt": 1, "kecelakaan_laut": 1, "orang_hilang": 1,
                    "hewan_berbahaya": 2, "henti_jantung": 1, "jalan_rusak": 1, "air_bersih": 1}
TYPE_WEIGHTS_NIGHT = {**TYPE_WEIGHTS_DAY, "kriminalitas": 5, "penganiayaan": 4, "gangguan_ketertiban": 4,
                      "kecelakaan_lalu_lintas": 6, "kebakaran_lahan": 1, "pohon_tumbang": 1}
# Luwuk and its neighbours hold most of the population
KECAMATAN_WEIGHT = {"Luwuk": 10, "Luwuk Selatan": 6, "Luwuk Utara": 5, "Luwuk Timur": 3, "Batui": 4,
                    "Toili": 4, "Pagimana": 3, "Kintom": 3, "Nambo": 3, "Bunta": 3, "Moilong": 3}
PRANK_POOL = ["081234500001", "081234500002", "085298700003"]


def _pick(weights: dict[str, float]) -> str:
    keys = list(weights)
    return random.choices(keys, weights=[weights[k] for k in keys])[0]


@dataclass
class Speed:
    contact_every_s: float = 6.0      # mean gap between contacts
    response_scale: float = 0.1       # 0.1: a 10-minute drive takes a minute in the demo


class Simulator:
    def __init__(self, database: Database, *, actor_username: str = "simulator", speed: Speed | None = None,
                 exercise: bool = False) -> None:
        self.db = database
        self.actor_username = actor_username
        self.speed = speed or Speed()
        self.exercise = exercise
        self._tasks: set[asyncio.Task[None]] = set()

    async def _actor(self, session) -> User:  # type: ignore[no-untyped-def]
        user = await session.scalar(select(User).where(User.username == self.actor_username))
        if user is None:
            raise RuntimeError(f"simulator user {self.actor_username!r} missing (run `cc112 demo`)")
        return user  # type: ignore[no-any-return]

    async def run(self, *, limit: int | None = None) -> None:
        """Produce contacts until cancelled (or `limit` contacts)."""
        produced = 0
        while limit is None or produced < limit:
            try:
                await self.one_contact()
            except DomainError as exc:
                log.info("simulator: %s", exc.message)
            except Exception:
                log.exception("simulator step failed")
            produced += 1
            await asyncio.sleep(random.expovariate(1 / self.speed.contact_every_s))

    async def one_contact(self) -> None:
        klass = _pick(CLASS_WEIGHTS)
        channel = _pick(CHANNEL_WEIGHTS)
        number = random.choice(PRANK_POOL) if klass == "prank" and random.random() < 0.5 else \
            f"08{random.choice(['12', '13', '21', '52', '53', '78'])}{random.randint(10_000_000, 99_999_999)}"
        received = now() - timedelta(seconds=random.uniform(5, 25))
        answered = None if klass == "abandoned" else received + timedelta(seconds=random.lognormvariate(1.8, 0.6))
        async with self.db.session_scope() as session:
            actor = await self._actor(session)
            contact = await contacts.create(db=session, actor=actor, settings=self.db.settings, contact_in=ContactCreate(
                channel=channel, caller_number=number, received_at=received, answered_at=answered,
                classification=klass, is_exercise=self.exercise,  # type: ignore[arg-type]
            ))
            if klass != "emergency":
                return
            incident = await self._incident(session, actor, contact.id)
            agencies = await self._agencies(session, incident)
            assignments = await dispatch.dispatch(db=session, incident_id=incident.id, agency_codes=agencies, actor=actor)
            ids = [a.id for a in assignments]
        for assignment_id in ids:
            self._spawn(self._respond(assignment_id))

    async def _incident(self, session, actor: User, contact_id: int) -> Incident:  # type: ignore[no-untyped-def]
        hour = (now() + timedelta(hours=8)).hour
        weights = TYPE_WEIGHTS_NIGHT if hour >= 21 or hour < 5 else TYPE_WEIGHTS_DAY
        type_code = _pick(weights)
        kec = list(await session.scalars(select(Region).where(Region.level == "kecamatan")))
        region = random.choices(kec, weights=[KECAMATAN_WEIGHT.get(r.name, 1) for r in kec])[0]
        lat = region.lat + random.gauss(0, 0.01)
        lon = region.lon + random.gauss(0, 0.01)
        return await incidents.create(db=session, actor=actor, incident_in=IncidentCreate(
            type=type_code, lat=round(lat, 5), lon=round(lon, 5), contact_id=contact_id,
            description=f"Laporan simulasi: {type_code.replace('_', ' ')} di {region.name}",
            is_exercise=self.exercise,
        ))

    async def _agencies(self, session, incident: Incident) -> list[str]:  # type: ignore[no-untyped-def]
        from cc112.agencies.models import Agency

        rows = (await session.execute(
            select(Agency.code, RoutingRule.role).join(Agency, Agency.id == RoutingRule.agency_id)
            .where(RoutingRule.incident_type_id == incident.incident_type_id))).all()
        primary = [c for c, r in rows if r == "primary"]
        support = [c for c, r in rows if r == "support" and random.random() < 0.35]
        return primary + support or [rows[0][0]]

    def _spawn(self, coro) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respond(self, assignment_id: int) -> None:
        """One agency's behaviour: acknowledge (or decline), travel, arrive, complete."""
        scale = self.speed.response_scale
        steps: list[tuple[str, float]] = [("acknowledged", random.lognormvariate(3.6, 0.7))]
        if random.random() < 0.05:
            steps = [("declined", random.uniform(20, 120))]
        else:
            steps += [("en_route", random.uniform(30, 120)), ("on_scene", random.lognormvariate(6.6, 0.5)),
                      ("completed", random.lognormvariate(7.3, 0.6))]
        for status, delay in steps:
            await asyncio.sleep(delay * scale)
            try:
                async with self.db.session_scope() as session:
                    actor = await self._actor(session)
                    current = await session.get(Assignment, assignment_id)
                    if current is None or current.status in ("cancelled", "completed", "declined"):
                        return
                    await dispatch.set_status(db=session, assignment_id=assignment_id, actor=actor,
                                              status_in=AssignmentStatusIn(
                                                  status=status,  # type: ignore[arg-type]
                                                  reason="unit sedang bertugas di lokasi lain" if status == "declined" else None))
            except DomainError as exc:
                log.info("simulator response skipped: %s", exc.message)
                return

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def close_resolved(database: Database, *, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Operators close resolved incidents after a while; the demo does it for them."""
    async with database.session_scope() as session:
        actor = await session.scalar(select(User).where(User.username == "simulator"))
        if actor is None:
            return 0
        ids = list(await session.scalars(select(Incident.id).where(
            Incident.status == "resolved", Incident.resolved_at < now() - older_than).limit(50)))
        for incident_id in ids:
            await incidents.close(db=session, incident_id=incident_id, actor=actor, reason="selesai (simulasi)")
        return len(ids)
