"""`cc112 simulate history`: counts, mixes, seasons, believable times, timelines, audit chain, seeds."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from cc112 import clock
from cc112.accounts.audit import chain_all, verify
from cc112.catalog.models import IncidentType
from cc112.config import load_settings
from cc112.contacts.models import Contact
from cc112.db import Database
from cc112.dispatch.models import Assignment
from cc112.events.models import Event
from cc112.incidents.models import Incident
from cc112.public.models import Feedback
from cc112.training.history import generate
from tests.conftest import PG_URL, _admin_exec

WITA = ZoneInfo("Asia/Makassar")
END = datetime(2026, 11, 1, tzinfo=WITA)  # a fixed end: the same seed then gives the same history
FALSE = ("prank", "ghost", "abandoned")


@pytest.fixture
async def database(settings):  # type: ignore[no-untyped-def]
    db = Database(settings)
    yield db
    await db.dispose()


@pytest.fixture
async def other_db_url(template: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A second fresh copy of the seeded template, for comparing two runs."""
    if PG_URL:
        name = f"cc112_t_{os.getpid()}_other_{uuid.uuid4().hex[:6]}"
        await _admin_exec(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
        yield str(make_url(template).set(database=name).render_as_string(hide_password=False))
        await _admin_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        target = tmp_path / "other.sqlite3"
        shutil.copyfile(make_url(template).database or "", target)
        yield f"sqlite+aiosqlite:///{target}"


def local(dt: datetime) -> datetime:
    return dt.astimezone(WITA)


async def test_a_history_has_the_asked_incidents_with_their_contacts_tickets_and_believable_times(database):
    report = await generate(database, incidents=1500, years=1, seed=11, end=END)
    async with database.session() as s:
        incidents = list(await s.scalars(select(Incident)))
        contacts = list(await s.scalars(select(Contact)))
        assignments = list(await s.scalars(select(Assignment)))
        ratings = int(await s.scalar(select(func.count(Feedback.id))) or 0)
    assert report.incidents == len(incidents) == 1500
    assert report.contacts == len(contacts) and report.assignments == len(assignments)
    # a third of contacts are false (pranks, silent, abandoned); every incident came from a contact
    classes = Counter(c.classification for c in contacts)
    assert 0.28 <= sum(classes[k] for k in FALSE) / len(contacts) <= 0.40, classes
    assert classes["emergency"] == 1500
    assert {c.incident_id for c in contacts if c.incident_id} == {i.id for i in incidents if i.status != "merged"}
    # answer times: phone calls within seconds, abandoned ones never answered
    phone = sorted((c.answered_at - c.received_at).total_seconds() for c in contacts
                   if c.channel == "phone" and c.answered_at)
    assert 3 <= phone[len(phone) // 2] <= 12 and phone[0] > 0
    assert all(c.answered_at is None for c in contacts if c.classification == "abandoned")
    # tickets: BGI-YYYYMMDD-NNNN by local day of creation, numbered 1, 2, 3 … within the day
    by_day: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for i in incidents:
        prefix, day, seq = i.ticket.split("-")
        assert prefix == "BGI" and day == local(i.created_at).strftime("%Y%m%d") and re.fullmatch(r"\d{4}", seq)
        by_day[day].append((i.created_at, int(seq)))
    assert all(sorted(s for _, s in v) == list(range(1, len(v) + 1)) for v in by_day.values())
    # every assignment moves forward in time and, long after the end, has finished one way or another
    stuck = [a.id for a in assignments
             if a.requested_at < END - timedelta(days=2) and a.status not in ("completed", "declined", "cancelled")]
    assert not stuck
    for a in assignments:
        steps = [t for t in (a.requested_at, a.acknowledged_at, a.en_route_at, a.on_scene_at, a.completed_at) if t]
        assert steps == sorted(steps), a.id
        assert a.status != "completed" or a.on_scene_at is not None
    # incidents: the history ended before END, so nearly all are done; times in order
    statuses = Counter(i.status for i in incidents)
    assert statuses["closed"] > 0.85 * 1500 and 0 < statuses["cancelled"] < 0.08 * 1500 and statuses["merged"] > 0
    for i in incidents:
        assert i.created_at < END
        if i.status in ("resolved", "closed"):
            assert i.created_at <= i.first_dispatched_at <= i.first_on_scene_at <= i.resolved_at
    response = sorted((i.first_on_scene_at - i.created_at).total_seconds() / 60 for i in incidents
                      if i.first_on_scene_at)
    assert 5 <= response[len(response) // 2] <= 45  # median minutes to the first unit on scene
    declined = sum(a.status == "declined" for a in assignments)
    assert 0.01 * len(assignments) <= declined <= 0.08 * len(assignments)
    assert 0.05 * 1500 <= ratings <= 0.2 * 1500


async def test_the_rainy_season_brings_floods_and_the_dry_season_wildland_fires(database):
    await generate(database, incidents=4000, years=1, seed=12, end=END)
    async with database.session() as s:
        rows = (await s.execute(select(IncidentType.code, Incident.created_at)
                                .join(Incident, Incident.incident_type_id == IncidentType.id))).all()
    rainy, dry, burning, night, day = Counter(), Counter(), Counter(), Counter(), Counter()
    for code, created in rows:
        at = local(created)
        (rainy if at.month in (11, 12, 1, 2, 3, 4) else dry)[code] += 1
        if at.month in (8, 9, 10):
            burning[code] += 1
        (night if at.hour >= 21 or at.hour < 5 else day)[code] += 1

    def share(counter: Counter[str], *codes: str) -> float:
        return sum(counter[c] for c in codes) / max(1, sum(counter.values()))

    water = ("banjir", "tanah_longsor", "pohon_tumbang")
    assert share(rainy, *water) > 2.5 * share(dry, *water)
    assert share(burning, "kebakaran_lahan") > 5 * share(rainy, "kebakaran_lahan")
    assert share(night, "kriminalitas", "penganiayaan") > 1.5 * share(day, "kriminalitas", "penganiayaan")
    hours = Counter(local(created).hour for _, created in rows)
    assert hours[17] > 2.5 * hours[3]  # evenings are busy, the small hours quiet


async def test_every_change_has_its_event_so_timelines_and_the_dashboard_work(app, login):
    await generate(app.state.db, incidents=300, years=0.5, seed=13, end=END)
    async with app.state.db.session() as s:
        kinds = Counter((await s.execute(select(Event.kind))).scalars())
        assignments = Counter((await s.execute(select(Assignment.status))).scalars())
        statuses = Counter((await s.execute(select(Incident.status))).scalars())
        ratings = int(await s.scalar(select(func.count(Feedback.id))) or 0)
        closed = await s.scalar(select(Incident).where(Incident.status == "closed").order_by(Incident.id).limit(1))
    assert kinds["incident.created"] == 300
    assert kinds["assignment.requested"] == sum(assignments.values())
    assert kinds["assignment.completed"] == assignments["completed"]
    assert kinds["assignment.declined"] == assignments["declined"]
    assert kinds["incident.closed"] >= statuses["closed"]  # (a reopened incident is closed twice)
    assert kinds["incident.merged"] == statuses["merged"] and kinds["feedback.received"] == ratings
    supervisor = await login("supervisor")
    timeline = (await supervisor.get(f"/api/v1/incidents/{closed.id}/timeline")).json()
    names = [e["kind"] for e in timeline]
    assert names[0] == "incident.created" and "assignment.requested" in names and names[-1] in (
        "incident.closed", "feedback.received")
    times = [e["at"] for e in timeline]
    assert times == sorted(times)
    leader = await login("leader")
    card = await leader.get("/api/v1/analytics/scorecard", params={"period": "custom", "start": "2026-05-01",
                                                                  "end": "2026-10-31"})
    assert card.status_code == 200
    assert sum(a["assignments"] for a in card.json()["agencies"]) == sum(assignments.values())


def _cli_blocking(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CC112_DATABASE_URL": db_url, "CC112_DATA_DIR": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "cc112.cli", *args], env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=300, check=False)


async def cli(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a thread: the test's app keeps running (its background writers hold locks briefly)."""
    return await asyncio.to_thread(_cli_blocking, db_url, tmp_path, *args)


async def test_the_audit_chain_verifies_after_a_history_and_goes_on_after_it(db_url, tmp_path, operator):
    done = await cli(db_url, tmp_path, "simulate", "history", "--incidents", "250", "--years", "0.3", "--seed", "14")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "250 incidents" in done.stdout
    # the live system appends after the history; the chain stays whole
    response = await operator.post("/api/v1/incidents", json={"type": "kebakaran_bangunan", "lat": -0.951,
                                                              "lon": 122.787})
    assert response.status_code == 201, response.text
    checked = await cli(db_url, tmp_path, "audit", "verify")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "intact" in checked.stdout


async def test_the_same_seed_and_end_give_the_same_history(database, other_db_url, tmp_path):
    other = Database(load_settings(database_url=other_db_url, data_dir=tmp_path, env="test"))
    try:
        fingerprints = []
        for db in (database, other):
            await generate(db, incidents=200, years=0.5, seed=15, end=END)
            async with db.session() as s:
                incidents = (await s.execute(select(Incident.ticket, Incident.status, Incident.priority,
                                                    Incident.lat, Incident.created_at, Incident.resolved_at)
                                             .order_by(Incident.ticket))).all()
                contacts = (await s.execute(select(Contact.classification, Contact.channel, Contact.received_at,
                                                   Contact.answered_at).order_by(Contact.id))).all()
                events = (await s.execute(select(Event.kind, Event.at).order_by(Event.id))).all()
            fingerprints.append((incidents, contacts, events))
        assert fingerprints[0] == fingerprints[1]
        async with database.session() as s:
            await chain_all(database)
            assert (await verify(s)).ok
    finally:
        await other.dispose()


async def test_a_history_ending_now_leaves_the_newest_incidents_open(database):
    end = clock.now()
    await generate(database, incidents=600, years=0.05, seed=16)  # about 18 days, ending now
    async with database.session() as s:
        open_ = int(await s.scalar(select(func.count(Incident.id)).where(
            Incident.status.in_(("received", "verified", "dispatched", "on_scene")))) or 0)
        latest = await s.scalar(select(func.max(Event.at)))
    assert open_ > 0
    assert latest <= end + timedelta(seconds=5)
