"""A small hand-built history, written straight into the database with exact timestamps.

Every number the analytics tests expect is worked out by hand from the tables below, so the
times are given as seconds after the incident was created (or after the assignment was requested
for acknowledgement and decline), in WITA (UTC+08:00, no daylight saving).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency
from cc112.catalog.models import IncidentType
from cc112.contacts.models import Contact
from cc112.dispatch.models import Assignment
from cc112.geo.models import Jurisdiction, Region
from cc112.incidents.models import Incident
from cc112.public.models import Feedback

WITA = ZoneInfo("Asia/Makassar")
LUWUK_CODE, BATUI_CODE = "72.01.04", "72.01.01"
# Two points far apart (Luwuk town, Batui town): never in the same hexagon.
LUWUK_POINT = (-0.951, 122.787)
BATUI_POINT = (-1.187, 122.442)
# "Now" for every analytics test: 15 December 2026, 12:00 WITA, so October is well in the past.
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=WITA)


def wita(month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment in 2026 given on Banggai's wall clock."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=WITA)


@dataclass
class Step:
    """One assignment. requested/on_scene/completed: seconds after the incident was created;
    ack/declined: seconds after the assignment was requested."""

    agency: str
    requested: int = 60
    ack: int | None = None
    on_scene: int | None = None
    completed: int | None = None
    declined: int | None = None
    status: str | None = None  # only to force "cancelled" (stood down)


@dataclass
class Spec:
    name: str
    created: datetime
    type: str
    priority: int
    kecamatan: str | None  # "Luwuk", "Batui" or None (outside any kecamatan, no coordinates)
    steps: list[Step] = field(default_factory=list)
    status: str | None = None  # "cancelled" / "merged"; otherwise derived from the steps
    is_exercise: bool = False
    merged_into: str | None = None


@dataclass
class Ids:
    jurisdiction: int
    agencies: dict[str, int]
    types: dict[str, int]
    regions: dict[str, int]
    incidents: dict[str, int] = field(default_factory=dict)


async def reference(db: AsyncSession) -> Ids:
    jur = await db.scalar(select(Jurisdiction).where(Jurisdiction.code == "72.01"))
    assert jur is not None
    agencies = {a.code: a.id for a in await db.scalars(select(Agency).where(Agency.jurisdiction_id == jur.id))}
    types = {t.code: t.id for t in await db.scalars(select(IncidentType).where(IncidentType.jurisdiction_id == jur.id))}
    regions = {r.name: r.id for r in await db.scalars(select(Region).where(Region.code.in_([LUWUK_CODE, BATUI_CODE])))}
    assert set(regions) == {"Luwuk", "Batui"}
    return Ids(jur.id, agencies, types, regions)


def _status(step: Step) -> str:
    if step.status:
        return step.status
    if step.declined is not None:
        return "declined"
    if step.completed is not None:
        return "completed"
    if step.on_scene is not None:
        return "on_scene"
    return "acknowledged" if step.ack is not None else "requested"


def _at(base: datetime, seconds: int | None) -> datetime | None:
    return None if seconds is None else (base + timedelta(seconds=seconds)).astimezone(UTC)


async def add_incidents(db: AsyncSession, ids: Ids, specs: list[Spec]) -> None:
    """Incidents with their assignments; the incident's status and times follow from the steps."""
    for spec in specs:
        created = spec.created.astimezone(UTC)
        live = [s for s in spec.steps if _status(s) not in ("declined", "cancelled")]
        scenes = [s.on_scene for s in live if s.on_scene is not None]
        done = bool(live) and all(s.completed is not None for s in live)
        status = spec.status or ("resolved" if done else "on_scene" if scenes else
                                 "dispatched" if live else "verified")
        point = {"Luwuk": LUWUK_POINT, "Batui": BATUI_POINT}.get(spec.kecamatan or "", (None, None))
        incident = Incident(
            jurisdiction_id=ids.jurisdiction, ticket=f"BGI-TEST-{spec.name}", incident_type_id=ids.types[spec.type],
            priority=spec.priority, status=status, lat=point[0], lon=point[1],
            region_id=ids.regions[spec.kecamatan] if spec.kecamatan else None, description=spec.name,
            is_exercise=spec.is_exercise, created_at=created, updated_at=created, verified_at=created,
            first_dispatched_at=_at(created, min((s.requested for s in spec.steps), default=None)),
            first_on_scene_at=_at(created, min(scenes, default=None)),
            resolved_at=_at(created, max(s.completed for s in live)) if done else None,
            merged_into_id=ids.incidents[spec.merged_into] if spec.merged_into else None)
        db.add(incident)
        await db.flush()
        ids.incidents[spec.name] = incident.id
        for step in spec.steps:
            requested = created + timedelta(seconds=step.requested)
            db.add(Assignment(
                incident_id=incident.id, agency_id=ids.agencies[step.agency], status=_status(step),
                requested_at=requested, acknowledged_at=_at(requested, step.ack),
                on_scene_at=_at(created, step.on_scene), completed_at=_at(created, step.completed),
                declined_at=_at(requested, step.declined),
                decline_reason="tidak ada unit" if step.declined is not None else None))
        await db.flush()


async def add_feedback(db: AsyncSession, ids: Ids, ratings: dict[str, tuple[int, bool]]) -> None:
    for name, (rating, not_fixed) in ratings.items():
        db.add(Feedback(incident_id=ids.incidents[name], jurisdiction_id=ids.jurisdiction, rating=rating,
                        not_fixed=not_fixed, comment="", created_at=NOW.astimezone(UTC)))
    await db.flush()


async def add_contact(db: AsyncSession, ids: Ids, *, received: datetime, channel: str = "phone",
                      answer_s: float | None, classification: str, is_exercise: bool = False) -> None:
    at = received.astimezone(UTC)
    db.add(Contact(jurisdiction_id=ids.jurisdiction, channel=channel, received_at=at,
                   answered_at=None if answer_s is None else at + timedelta(seconds=answer_s),
                   classification=classification, is_exercise=is_exercise))
    await db.flush()


# ---------------------------------------------------------------------------------------------
# October 2026. Targets: the seed gives every emergency agency, for P1: acknowledge 60 s, on scene
# 1 200 s, resolve 14 400 s; P2: 120 / 1 800 / 28 800; P3: 300 / 3 600 / 86 400. The October
# fixture then moves DAMKAR's P1 target, from 16 October (local) on, to 120 / 900 / 10 800.
#
# DAMKAR P1 (requested 60 s after creation unless said otherwise)
#   name created (WITA)   ack  on_scene completed   judged by
#   F1   01 Oct 00:30     20    600     3 600       old   (00:30 WITA on 1 Oct = 30 Sep 16:30 UTC)
#   F2   04 Oct 09:00     60  1 200    14 400       old   (exactly on every target: within)
#   F3   07 Oct 13:00     90  1 500    20 000       old
#   F4   10 Oct 21:00     45  1 100     7 200       old   (Batui)
#   F5   15 Oct 23:58    100  1 000    12 000       old   (requested 23:59:00 on the 15th)
#   F6   15 Oct 23:59    100  1 000    12 000       new   (requested 00:00:00 on the 16th exactly)
#   F7   20 Oct 11:00    150    800    10 000       new   (Batui)
#   F8   25 Oct 16:00    110    950     9 000       new
#   F9   28 Oct 07:00      -      -         -       new   (never acknowledged: overdue)
#   F10  31 Oct 23:30     30    700    11 000       new   (23:30 WITA = 15:30 UTC: still 31 October)
#   F11  31 Oct 23:00     30    600         -       new   (still on scene; resolve due 1 Nov 02:01)
#   F13  12 Oct 19:00   declined after 140 s; PSC119 requested at the same time (before the decline)
#   F14  18 Oct 14:00   cancelled incident, DAMKAR stood down (acknowledged after 30 s)
# DAMKAR P3: F12 (fallen tree, Batui) declined after 240 s, then POLRES requested at 300 s.
# PSC119 P1: F13 (ack 30, scene 500, done 4 000); M1 (medical, Batui, 6 Oct 03:15: 70, 1 500, 6 000).
# POLRES: F12 P3 (ack 200, scene 2 000, done 5 000); K1 (traffic, P2, 20 Oct 08:00: 50, 700, 3 000).
# O1: person in need, P4, 22 Oct 12:00, no kecamatan, no coordinates, no assignment.
# Never counted: X1 exercise fire (10 Oct), X2 duplicate of F1 merged into it (1 Oct),
#   N1 medical at 31 Oct 16:30 UTC = 1 Nov 00:30 WITA (November), S1 fire on 30 Sep 23:00 WITA
#   (= 15:00 UTC: September, the previous period: DAMKAR ack 30, scene 600, done 3 000).
# ---------------------------------------------------------------------------------------------
FIRE, TREE, MEDICAL, TRAFFIC, SOCIAL = ("kebakaran_bangunan", "pohon_tumbang", "kegawatan_medis",
                                        "kecelakaan_lalu_lintas", "orang_terlantar")


def october_specs() -> list[Spec]:
    def fire(name: str, created: datetime, ack: int | None, scene: int | None, done: int | None,
             kecamatan: str = "Luwuk", requested: int = 60) -> Spec:
        return Spec(name, created, FIRE, 1, kecamatan,
                    [Step("DAMKAR", requested=requested, ack=ack, on_scene=scene, completed=done)])

    return [
        Spec("S1", wita(9, 30, 23, 0), FIRE, 1, "Luwuk", [Step("DAMKAR", ack=30, on_scene=600, completed=3000)]),
        fire("F1", wita(10, 1, 0, 30), 20, 600, 3600),
        fire("F2", wita(10, 4, 9, 0), 60, 1200, 14400),
        fire("F3", wita(10, 7, 13, 0), 90, 1500, 20000),
        fire("F4", wita(10, 10, 21, 0), 45, 1100, 7200, kecamatan="Batui"),
        fire("F5", wita(10, 15, 23, 58), 100, 1000, 12000),
        fire("F6", wita(10, 15, 23, 59), 100, 1000, 12000),
        fire("F7", wita(10, 20, 11, 0), 150, 800, 10000, kecamatan="Batui"),
        fire("F8", wita(10, 25, 16, 0), 110, 950, 9000),
        fire("F9", wita(10, 28, 7, 0), None, None, None),
        fire("F10", wita(10, 31, 23, 30), 30, 700, 11000),
        fire("F11", wita(10, 31, 23, 0), 30, 600, None),
        Spec("F12", wita(10, 9, 10, 0), TREE, 3, "Batui",
             [Step("DAMKAR", requested=60, declined=240),
              Step("POLRES", requested=300, ack=200, on_scene=2000, completed=5000)]),
        Spec("F13", wita(10, 12, 19, 0), FIRE, 1, "Luwuk",
             [Step("DAMKAR", requested=60, declined=140),
              Step("PSC119", requested=60, ack=30, on_scene=500, completed=4000)]),
        Spec("F14", wita(10, 18, 14, 0), FIRE, 1, "Luwuk", [Step("DAMKAR", ack=30, status="cancelled")],
             status="cancelled"),
        Spec("M1", wita(10, 6, 3, 15), MEDICAL, 1, "Batui",
             [Step("PSC119", ack=70, on_scene=1500, completed=6000)]),
        Spec("K1", wita(10, 20, 8, 0), TRAFFIC, 2, "Luwuk",
             [Step("POLRES", ack=50, on_scene=700, completed=3000)]),
        Spec("O1", wita(10, 22, 12, 0), SOCIAL, 4, None),
        # never counted
        Spec("X1", wita(10, 10, 9, 0), FIRE, 1, "Luwuk", [Step("DAMKAR", ack=5, on_scene=100, completed=200)],
             is_exercise=True),
        Spec("X2", wita(10, 1, 0, 31), FIRE, 1, "Luwuk", [Step("DAMKAR", ack=5, on_scene=100, completed=200)],
             status="merged", merged_into="F1"),
        Spec("N1", datetime(2026, 10, 31, 16, 30, tzinfo=UTC), MEDICAL, 1, "Luwuk",
             [Step("PSC119", ack=5, on_scene=100, completed=200)]),
    ]


# Ratings (rating, not fixed) on incidents of October; X1, X2 and N1 must never count.
OCTOBER_RATINGS = {"F1": (5, False), "F2": (4, False), "F3": (2, True), "F4": (5, False), "F7": (3, True),
                   "M1": (1, False), "X1": (1, True), "X2": (1, True), "N1": (5, False)}


async def october_contacts(db: AsyncSession, ids: Ids) -> None:
    """20 real contacts in October, plus exercise and November ones that must not count.

    phone: emergency answered after 2, 3, 4, 5, 8, 10, 12, 30 s; non-emergency 6, 9 s; information 7 s;
           prank 1, 15 s; ghost 20 s; abandoned ×2 (never answered)       → 16
    sms:   emergency 60, 90 s; information 40 s                            → 3
    web:   emergency 120 s                                                  → 1
    """
    day = wita(10, 14, 10, 0)
    plan = [("phone", 2, "emergency"), ("phone", 3, "emergency"), ("phone", 4, "emergency"),
            ("phone", 5, "emergency"), ("phone", 8, "emergency"), ("phone", 10, "emergency"),
            ("phone", 12, "emergency"), ("phone", 30, "emergency"), ("phone", 6, "non_emergency"),
            ("phone", 9, "non_emergency"), ("phone", 7, "information"), ("phone", 1, "prank"),
            ("phone", 15, "prank"), ("phone", 20, "ghost"), ("phone", None, "abandoned"),
            ("phone", None, "abandoned"), ("sms", 60, "emergency"), ("sms", 90, "emergency"),
            ("sms", 40, "information"), ("web", 120, "emergency")]
    for i, (channel, answer_s, klass) in enumerate(plan):
        # The first one arrives at 00:30 WITA on 1 October (30 September 16:30 UTC): October.
        received = wita(10, 1, 0, 30) if i == 0 else day + timedelta(minutes=i)
        await add_contact(db, ids, received=received, channel=channel, answer_s=answer_s, classification=klass)
    for _ in range(3):  # a training surge: prank calls answered at once
        await add_contact(db, ids, received=day, answer_s=1, classification="prank", is_exercise=True)
    # 31 Oct 16:30 UTC is 1 November in Banggai; 30 Sep 23:00 WITA is September.
    await add_contact(db, ids, received=datetime(2026, 10, 31, 16, 30, tzinfo=UTC), answer_s=100,
                      classification="ghost")
    await add_contact(db, ids, received=wita(9, 30, 23, 0), answer_s=100, classification="prank")


OCTOBER = {"period": "month", "month": "2026-10"}


async def fetch(client, endpoint: str, **params: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """GET /api/v1/analytics/<endpoint> for October 2026 (unless overridden), expecting 200."""
    response = await client.get(f"/api/v1/analytics/{endpoint}", params={**OCTOBER, **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
