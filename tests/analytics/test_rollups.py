"""Day and month rollups (analytics.rollups): a cache that never changes an answer.

measures.scorecard, measures.jurisdiction_times and measures.incident_breakdown read the settled
days from their rollups and the rest from the tables (measures.contact_stats likewise, from the
contact rollups); whatever is stored, changed or re-targeted, they must give exactly what the
tables alone give. The history is generated (cc112.training.history): 2 000 incidents from
19 July to 12 December 2026 with their declines, stand-downs, cancellations and merged duplicates,
plus 150 exercise incidents over the same months. NOW is 15 December 2026, 12:00 WITA.

Seeded targets: the longest is 7 days (service agencies' P4 resolution), so a day can be stored
once 8 days have passed: on 15 December, 7 December is the last day the builder takes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, or_, select, update

from cc112 import clock
from cc112.agencies.models import Agency, AgencyTarget
from cc112.analytics import measures, partials, rollups
from cc112.analytics.models import DayRollup, RollupState
from cc112.analytics.service import build_scope
from cc112.analytics.sql import Dialect
from cc112.contacts.models import Contact
from cc112.db import Database
from cc112.dispatch.models import Assignment
from cc112.events import service as events
from cc112.events.models import Event
from cc112.geo.models import Jurisdiction
from cc112.incidents.models import Incident
from cc112.training.history import generate
from tests.analytics.history import FIRE, NOW, WITA, Spec, Step, add_contact, add_incidents, reference, wita
from tests.conftest import LUWUK_FIRE

HISTORY_END = NOW - timedelta(days=3)  # 12 December, 12:00 WITA
FIRST_DAY = date(2026, 7, 1)  # the history starts on 19 July: the builder starts at the first of its month
YESTERDAY = date(2026, 12, 14)  # the builder stores days that are over (later changes come with Events) …
MONTHS = [date(2026, m, 1) for m in (7, 8, 9, 10, 11)]  # complete months: July (from its 1st) to November
PERIODS: dict[str, dict[str, str]] = {
    "30d": {"period": "30d"},  # 16 November – 15 December
    "365d": {"period": "365d"},  # 16 December 2025 – 15 December 2026
    "2026-10": {"period": "month", "month": "2026-10"},
    "custom": {"period": "custom", "start": "2026-09-17", "end": "2026-11-20"},  # starts and ends mid-month
}
AGENCIES = (None, "PSC119", "DAMKAR", "POLRES")

Key = tuple[str, str | None]


def days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def runs_of(some: set[date]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for day in sorted(some):
        if out and out[-1][1] + timedelta(days=1) == day:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def month_days(first: date) -> set[date]:
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return days(first, nxt - timedelta(days=1))


async def settled_days(database: Database, at: datetime = NOW) -> set[date]:
    """… and, for the scorecard, on which nothing is pending at `at` — worked out here from the tables:
    a live assignment with a step not yet taken whose deadline (target in force when requested) is ahead."""
    async with database.session(write=False) as db:
        targets = list(await db.scalars(select(AgencyTarget)))
        rows = (await db.execute(
            select(Incident.created_at, Incident.priority, Assignment.agency_id, Assignment.status,
                   Assignment.requested_at, Assignment.acknowledged_at, Assignment.en_route_at, Assignment.on_scene_at,
                   Assignment.completed_at).join(Incident, Incident.id == Assignment.incident_id)
            .where(Incident.is_exercise.is_(False), Incident.status != "merged"))).all()
    pending = set()
    for created, priority, agency_id, status, requested, acknowledged, en_route, on_scene, completed in rows:
        if status in ("declined", "cancelled"):
            continue
        in_force = max((t for t in targets if (t.agency_id, t.priority) == (agency_id, priority)
                        and t.valid_from <= requested), key=lambda t: t.valid_from, default=None)
        if in_force is None:
            continue
        steps = ((acknowledged or en_route, requested, in_force.acknowledge_seconds),
                 (on_scene, created, in_force.on_scene_seconds), (completed, created, in_force.resolve_seconds))
        if any(done is None and start + timedelta(seconds=limit) > at for done, start, limit in steps):
            pending.add(local_day(created))
    assert pending, "the history's last days should still have steps under way"
    return days(FIRST_DAY, YESTERDAY) - pending


def expected_plan(scope: measures.Scope, stored: set[date]) -> tuple[list[date], list[Any], list[Any]]:
    """(whole months from month rows, runs of day rows, runs read from the tables) for a period."""
    period = days(scope.period.first_day, scope.period.last_day)
    months = [m for m in MONTHS if month_days(m) <= period and month_days(m) <= stored]
    in_months = {day for m in months for day in month_days(m)}
    return months, runs_of(stored & period - in_months), runs_of(period - stored)


class _Stopped(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return NOW.astimezone(tz)


@pytest.fixture(autouse=True)
def stopped_clock(frozen_now: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app clock stands still at NOW and moves only with clock.travel: two computations compared
    judge pending steps at the same instant (else a step could fall due between them)."""
    clock.reset()
    monkeypatch.setattr(clock, "datetime", _Stopped)
    assert clock.now() == NOW


@pytest.fixture
async def generated(app) -> Database:  # type: ignore[no-untyped-def]
    database: Database = app.state.db
    await generate(database, incidents=2000, years=0.4, seed=7, end=HISTORY_END)
    await generate(database, incidents=150, years=0.4, seed=8, end=HISTORY_END, exercise=True)
    return database


async def jurisdiction_id(database: Database) -> int:
    async with database.session(write=False) as db:
        found = await db.scalar(select(Jurisdiction.id).where(Jurisdiction.code == "72.01"))
    assert found is not None
    return found


async def scopes(database: Database, periods: dict[str, dict[str, str]] = PERIODS,
                 agencies: tuple[str | None, ...] = AGENCIES) -> dict[Key, measures.Scope]:
    jid = await jurisdiction_id(database)
    async with database.session(write=False) as db:
        return {(name, agency): await build_scope(db, jurisdiction_id=jid, agency=agency, **params)
                for name, params in periods.items() for agency in agencies}


async def measure(database: Database, scoped: dict[Key, measures.Scope]) -> dict[Key, dict[str, Any]]:
    """What the dashboard shows: rollups where they apply, the tables for the rest."""
    out = {}
    async with database.session(write=False) as db:
        for key, scope in scoped.items():
            out[key] = {"scorecard": await measures.scorecard(db, scope),
                        "times": await measures.jurisdiction_times(db, scope),
                        "incidents": await measures.incident_breakdown(db, scope)}
    return out


async def contact_stats(database: Database, scoped: dict[Key, measures.Scope]) -> dict[Key, dict[str, Any]]:
    async with database.session(write=False) as db:
        return {key: {"contacts": await measures.contact_stats(db, scope)} for key, scope in scoped.items()}


async def both(database: Database, scoped: dict[Key, measures.Scope]) -> dict[Key, dict[str, Any]]:
    measured, contacts = await measure(database, scoped), await contact_stats(database, scoped)
    return {key: measured[key] | contacts[key] for key in scoped}


async def _no_rollups(*args: Any) -> None:
    return None


async def from_tables(database: Database, scoped: dict[Key, measures.Scope], how: Any = measure
                      ) -> dict[Key, dict[str, Any]]:
    """The same, from the tables alone (whatever rollups are stored)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rollups, "_plan", _no_rollups)
        return await how(database, scoped)


def assert_same(got: dict[Key, dict[str, Any]], expected: dict[Key, dict[str, Any]]) -> None:
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key].keys() == value.keys()
        for measured in value:
            assert got[key][measured] == value[measured], (key, measured)


async def plans(database: Database, scoped: dict[Key, measures.Scope], kind: str = rollups.TIMING
                ) -> dict[Key, Any]:
    """For each scope: None (tables only) or (months from month rollups, runs of stored days, runs of table days)."""
    out: dict[Key, Any] = {}
    async with database.session(write=False) as db:
        for key, scope in scoped.items():
            plan = await rollups._plan(db, scope, kind)
            out[key] = None if plan is None else (sorted(plan.months), plan.day_runs, plan.rest)
    return out


async def markers(database: Database, kind: str = rollups.TIMING) -> set[date]:
    """The days (or months) stored: their marker rows."""
    async with database.session(write=False) as db:
        return set(await db.scalars(select(DayRollup.day).where(
            DayRollup.kind == kind, DayRollup.agency_id == 0, DayRollup.priority == 0)))


def covered(runs: list[tuple[date, date]]) -> set[date]:
    return {day for first, last in runs for day in days(first, last)}


def local_day(at: datetime) -> date:
    return at.astimezone(WITA).date()


# ---------------------------------------------------------------------------------------------


async def test_rollups_give_exactly_the_tables_numbers_for_every_period_and_agency(generated):
    scoped = await scopes(generated)
    await rollups.drop_all(generated)
    assert await markers(generated) == set()
    assert set((await plans(generated, scoped)).values()) == {None}
    tables = await measure(generated, scoped)  # nothing stored: the tables alone
    # the comparison means something: every agency of the history is there, with its assignments
    october = {c["agency"]: c for c in tables[("2026-10", None)]["scorecard"]}
    assert {"DAMKAR", "POLRES", "PSC119"} <= set(october)
    assert all(c["assignments"] > 0 for c in october.values())
    assert tables[("365d", None)]["times"]["incidents"] > 1500

    built = await rollups.refresh(generated, max_days=None)
    # every settled day has its marker; December's settled days are stored as days, complete months merged
    settled = await settled_days(generated)
    assert date(2026, 12, 1) in settled and date(2026, 12, 12) not in settled  # history ends 12 December
    assert await markers(generated) == settled
    assert await markers(generated, rollups.MONTH) == set(MONTHS)
    assert await markers(generated, rollups.CONTACTS) == days(FIRST_DAY, YESTERDAY)
    assert await markers(generated, rollups.CONTACTS_MONTH) == set(MONTHS)
    assert built == 2 * len(MONTHS) + len(settled) + len(days(FIRST_DAY, YESTERDAY))
    async with generated.session(write=False) as db:
        kinds = dict((await db.execute(select(DayRollup.kind, func.count()).where(DayRollup.priority != 0)
                                       .group_by(DayRollup.kind))).all())
    assert kinds[rollups.TIMING] > 1000 and kinds[rollups.MONTH] > 20  # agency × priority and incident rows

    # the rollups are used, month rows where a whole month is in the period, day rows elsewhere
    found = await plans(generated, scoped)
    for agency in AGENCIES:
        for period in ("30d", "365d"):
            assert found[(period, agency)] == expected_plan(scoped[(period, agency)], settled)
        assert found[("365d", agency)][0] == MONTHS and found[("30d", agency)][0] == []
        assert found[("2026-10", agency)] == ([date(2026, 10, 1)], [], [])
        assert found[("custom", agency)] == ([date(2026, 10, 1)], [(date(2026, 9, 17), date(2026, 9, 30)),
                                                                    (date(2026, 11, 1), date(2026, 11, 20))], [])
    assert_same(await measure(generated, scoped), tables)


async def test_exercises_merged_duplicates_and_cancelled_incidents_stay_out_of_the_stored_numbers(generated):
    await rollups.refresh(generated, max_days=None)
    first, last = (datetime(2026, m, 1, tzinfo=WITA).astimezone(UTC) for m in (10, 11))
    in_october = (Incident.created_at >= first, Incident.created_at < last)
    async with generated.session(write=False) as db:
        left_out = or_(Incident.is_exercise, Incident.status == "merged")
        counts = dict((await db.execute(
            select(left_out, func.count()).select_from(Assignment).join(Incident, Incident.id == Assignment.incident_id)
            .where(*in_october).group_by(left_out))).all())
        incidents = dict((await db.execute(
            select(Incident.status, func.count()).where(*in_october, Incident.is_exercise.is_(False))
            .group_by(Incident.status))).all())
        exercises = await db.scalar(select(func.count()).where(*in_october, Incident.is_exercise.is_(True)))
        contacts = dict((await db.execute(select(Contact.is_exercise, func.count()).where(
            Contact.received_at >= first, Contact.received_at < last).group_by(Contact.is_exercise))).all())
        rows = (await db.execute(select(DayRollup.agency_id, DayRollup.priority, DayRollup.data).where(
            DayRollup.kind == rollups.MONTH, DayRollup.day == date(2026, 10, 1), DayRollup.priority != 0))).all()
        contact_row = await db.scalar(select(DayRollup.data).where(DayRollup.kind == rollups.CONTACTS_MONTH,
                                                                  DayRollup.day == date(2026, 10, 1)))
    # October has all three kinds of incident that must never count, and exercise contacts
    assert exercises > 0 and incidents["merged"] > 0 and incidents["cancelled"] > 0 and counts[True] > 0
    assert contacts[True] > 0
    stored = sum(partials.TimingPartial.from_bytes(data).n for _, priority, data in rows if priority > 0)
    assert stored == counts[False]  # the assignments of real, unmerged incidents, and no others
    everyone = {priority: data for agency, priority, data in rows if agency == 0}
    # incident counts: neither exercises nor merged duplicates (cancelled ones are incidents) …
    counted = partials.IncidentCounts().add_bytes(everyone[rollups.INCIDENT_COUNTS])
    assert sum(n for n, _ in counted.groups.values()) == sum(incidents.values()) - incidents["merged"]
    assert sum(cancelled for _, cancelled in counted.groups.values()) == incidents["cancelled"]
    # … incident-level times: not the cancelled ones either (stood down, nothing to measure)
    assert partials.IncidentTimes.from_bytes(everyone[rollups.INCIDENT_TIMES]).n == (
        sum(incidents.values()) - incidents["merged"] - incidents["cancelled"])
    # … and contacts: no exercise calls
    assert sum(n for n, _ in partials.ContactPartial().add_bytes(contact_row).by.values()) == contacts[False]


async def test_unsettled_days_are_not_stored_until_every_step_is_taken_or_overdue(generated):
    # An incident of 20 November for which DAMKAR was only requested 10 s ago: its acknowledgement is
    # due in 50 s (P1: 60 s), so 20 November is not settled yet — though its on-scene and resolution
    # deadlines (counted from the incident's creation) are long gone.
    created = wita(11, 20, 10, 0)
    async with generated.session_scope() as db:
        ids = await reference(db)
        late = int((NOW - created).total_seconds()) - 10
        await add_incidents(db, ids, [Spec("LATE", created, FIRE, 1, "Luwuk", [Step("DAMKAR", requested=late)])])
    scoped = await scopes(generated, {**PERIODS, "2026-11": {"period": "month", "month": "2026-11"}}, (None, "DAMKAR"))

    await rollups.refresh(generated, max_days=None)
    # days with a step under way are not stored; 20 November is held back, and with it November's month row
    settled = await settled_days(generated)
    assert date(2026, 11, 20) not in settled
    assert await markers(generated) == settled
    assert await markers(generated, rollups.MONTH) == set(MONTHS) - {date(2026, 11, 1)}
    found = await plans(generated, scoped)
    assert found[("2026-11", None)] == ([], [(date(2026, 11, 1), date(2026, 11, 19)),
                                             (date(2026, 11, 21), date(2026, 11, 30))],
                                        [(date(2026, 11, 20), date(2026, 11, 20))])
    tables = await from_tables(generated, scoped)
    damkar = {c["agency"]: c for c in tables[("2026-11", "DAMKAR")]["scorecard"]}["DAMKAR"]
    assert damkar["by_priority"]["P1"]["acknowledge"]["expected"] > 0
    assert_same(await measure(generated, scoped), tables)

    clock.travel(timedelta(minutes=2))  # the acknowledgement is overdue now: a miss, and the day is settled
    after = await from_tables(generated, scoped)
    ack = lambda result: next(c for c in result[("2026-11", "DAMKAR")]["scorecard"]  # noqa: E731
                              if c["agency"] == "DAMKAR")["acknowledge"]["expected"]
    assert ack(after) == ack(tables) + 1
    assert await rollups.refresh(generated, max_days=None) == 2  # 20 November, then November
    assert date(2026, 11, 20) in await markers(generated)
    assert (await plans(generated, scoped))[("2026-11", None)] == ([date(2026, 11, 1)], [], [])
    assert_same(await measure(generated, scoped), after)


async def test_a_change_after_the_build_is_seen_at_once_and_the_days_are_rebuilt(generated, login):
    await rollups.refresh(generated, max_days=None)
    scoped = await scopes(generated, agencies=(None, "DAMKAR"))
    before = await measure(generated, scoped)
    async with generated.session(write=False) as db:
        watermark = (await db.get(RollupState, await jurisdiction_id(generated))).event_watermark
        # a resolved (not yet closed) October incident that had agencies assigned …
        duplicate = await db.scalar(
            select(Incident).where(Incident.status == "resolved", Incident.is_exercise.is_(False),
                                   Incident.created_at >= datetime(2026, 10, 1, tzinfo=WITA),
                                   Incident.created_at < datetime(2026, 10, 31, tzinfo=WITA),
                                   Incident.id.in_(select(Assignment.incident_id)))
            .order_by(Incident.created_at).limit(1))
        # … and the quickest DAMKAR completion of 10 November
        took = Dialect(db.bind.dialect.name, "Asia/Makassar").seconds(Incident.created_at, Assignment.completed_at)
        quickest = (await db.execute(
            select(Assignment.id, Assignment.incident_id, Incident.created_at).select_from(Assignment)
            .join(Incident, Incident.id == Assignment.incident_id).join(Agency, Agency.id == Assignment.agency_id)
            .where(Agency.code == "DAMKAR", Assignment.status == "completed", Incident.is_exercise.is_(False),
                   Incident.status != "merged", Incident.created_at >= datetime(2026, 11, 10, tzinfo=WITA),
                   Incident.created_at < datetime(2026, 11, 11, tzinfo=WITA))
            .order_by(took, Assignment.id).limit(1))).one()
    assert duplicate is not None
    merged_day, corrected_day = local_day(duplicate.created_at), local_day(quickest.created_at)

    # An operator finds that the October incident duplicated today's report and merges it, through the API.
    operator = await login("operator")
    response = await operator.post("/api/v1/incidents", json=LUWUK_FIRE)
    assert response.status_code == 201, response.text
    response = await operator.post(f"/api/v1/incidents/{duplicate.id}/merge",
                                   json={"into": str(response.json()["id"]), "reason": "the same fire"})
    assert response.status_code == 200, response.text
    # A correction written straight to the tables, with its Event as every change has: DAMKAR's quickest
    # completion of 10 November was in fact ten days late.
    async with generated.session_scope() as db:
        await db.execute(update(Assignment).where(Assignment.id == quickest.id)
                         .values(completed_at=quickest.created_at + timedelta(days=10)))
        await events.record(db, kind="assignment.completed", jurisdiction_id=await jurisdiction_id(generated),
                            actor=None, incident_id=quickest.incident_id, assignment_id=quickest.id,
                            payload={"agency": "DAMKAR", "corrected": True})
    async with generated.session(write=False) as db:
        new_events = list(await db.scalars(select(Event.id).where(Event.id > watermark)))
    assert new_events

    # At once, before any rebuild: both days come from the tables, both months are no longer merged ones.
    tables = await from_tables(generated, scoped)
    assert tables[("2026-10", None)] != before[("2026-10", None)]  # the merge changed October …
    assert tables[("custom", "DAMKAR")] != before[("custom", "DAMKAR")]  # … and the correction November
    found = await plans(generated, scoped)
    months, stored, rest = found[("2026-10", None)]
    assert (months, covered(stored), rest) == ([], days(date(2026, 10, 1), date(2026, 10, 31)) - {merged_day},
                                               [(merged_day, merged_day)])
    months, stored, rest = found[("custom", "DAMKAR")]
    assert (months, covered(stored), covered(rest)) == (
        [], days(date(2026, 9, 17), date(2026, 11, 20)) - {merged_day, corrected_day}, {merged_day, corrected_day})
    assert_same(await measure(generated, scoped), tables)

    # 30 s later the Events are too young for the watermark (a late commit could still come in under it)
    clock.travel(timedelta(seconds=30))
    assert await rollups.refresh(generated, max_days=None) == 0
    async with generated.session(write=False) as db:
        assert (await db.get(RollupState, await jurisdiction_id(generated))).event_watermark < min(new_events)
    assert await plans(generated, scoped) == found
    assert_same(await measure(generated, scoped), tables)

    # Two minutes on, the builder takes them: the two days and their two months are rebuilt.
    clock.travel(timedelta(seconds=90))
    assert await rollups.refresh(generated, max_days=None) == 4
    async with generated.session(write=False) as db:
        assert (await db.get(RollupState, await jurisdiction_id(generated))).event_watermark >= max(new_events)
        rebuilt = set((await db.execute(select(DayRollup.kind, DayRollup.day).where(
            DayRollup.agency_id == 0, DayRollup.priority == 0, DayRollup.built_at == clock.now()))).all())
    assert rebuilt == {(rollups.TIMING, merged_day), (rollups.TIMING, corrected_day),
                       (rollups.MONTH, date(2026, 10, 1)), (rollups.MONTH, date(2026, 11, 1))}
    assert (await plans(generated, scoped))[("2026-10", None)] == ([date(2026, 10, 1)], [], [])
    assert_same(await measure(generated, scoped), await from_tables(generated, scoped))


async def test_a_target_change_sets_the_rollups_aside_until_they_are_rebuilt_against_it(generated, login):
    await rollups.refresh(generated, max_days=None)
    scoped = await scopes(generated, agencies=(None, "DAMKAR", "PSC119"))
    before = await measure(generated, scoped)
    async with generated.session(write=False) as db:
        old_version = (await measures.Targets.load(db, await jurisdiction_id(generated))).version

    admin = await login("admin")
    response = await admin.post("/api/v1/agencies/DAMKAR/targets", json={
        "priority": 1, "acknowledge_seconds": 30, "on_scene_seconds": 600, "resolve_seconds": 7200,
        "valid_from": "2026-09-01"})
    assert response.status_code == 201, response.text
    async with generated.session(write=False) as db:
        version = (await measures.Targets.load(db, await jurisdiction_id(generated))).version
    assert version != old_version

    # nothing stored was judged against the new target: every scope is read from the tables
    assert set((await plans(generated, scoped)).values()) == {None}
    tables = await from_tables(generated, scoped)
    assert tables[("2026-10", "DAMKAR")] != before[("2026-10", "DAMKAR")]  # stricter: fewer within target
    assert tables[("2026-10", "PSC119")] == before[("2026-10", "PSC119")]
    assert_same(await measure(generated, scoped), tables)

    # the builder rebuilds every day and month against the new targets
    assert await rollups.refresh(generated, max_days=None) == len(await settled_days(generated)) + len(MONTHS)
    async with generated.session(write=False) as db:
        assert set(await db.scalars(select(DayRollup.version).distinct().where(
            DayRollup.kind.in_((rollups.TIMING, rollups.MONTH))))) == {version}
    assert (await plans(generated, scoped))[("2026-10", "DAMKAR")] == ([date(2026, 10, 1)], [], [])
    assert_same(await measure(generated, scoped), tables)


async def test_contact_statistics_from_rollups_are_the_tables_and_see_a_correction_at_once(generated, login):
    await rollups.refresh(generated, max_days=None)
    scoped = await scopes(generated, agencies=(None,))
    found = await plans(generated, scoped, rollups.CONTACTS)
    assert found[("30d", None)] == ([], [(date(2026, 11, 16), YESTERDAY)], [(NOW.date(), NOW.date())])
    assert found[("2026-10", None)] == ([date(2026, 10, 1)], [], [])
    before = await from_tables(generated, scoped, contact_stats)
    october = before[("2026-10", None)]["contacts"]
    assert october["total"] > 500 and october["abandoned"] > 0 and october["answered"] < october["total"]
    assert_same(await contact_stats(generated, scoped), before)

    # An operator re-classifies an October contact (it was a prank) and logs a radio call of
    # 20 October late, both through the API.
    async with generated.session(write=False) as db:
        contact = await db.scalar(select(Contact).where(
            Contact.classification == "information", Contact.is_exercise.is_(False),
            Contact.received_at >= datetime(2026, 10, 1, tzinfo=WITA)).order_by(Contact.received_at).limit(1))
    assert contact is not None
    classified_day, logged_day = local_day(contact.received_at), date(2026, 10, 20)
    operator = await login("operator")
    response = await operator.post(f"/api/v1/contacts/{contact.id}/classify", json={"classification": "prank"})
    assert response.status_code == 200, response.text
    received = wita(10, 20, 9, 0)
    response = await operator.post("/api/v1/contacts", json={
        "channel": "radio", "received_at": received.isoformat(),
        "answered_at": (received + timedelta(seconds=4)).isoformat(), "classification": "emergency"})
    assert response.status_code == 201, response.text

    tables = await from_tables(generated, scoped, contact_stats)
    october = tables[("2026-10", None)]["contacts"]
    assert october["total"] == before[("2026-10", None)]["contacts"]["total"] + 1
    assert october["false_contacts"] == before[("2026-10", None)]["contacts"]["false_contacts"] + 1
    months, stored, rest = (await plans(generated, scoped, rollups.CONTACTS))[("2026-10", None)]
    assert (months, covered(rest)) == ([], {classified_day, logged_day})
    assert_same(await contact_stats(generated, scoped), tables)

    clock.travel(timedelta(minutes=2))
    assert await rollups.refresh(generated, max_days=None) == len({classified_day, logged_day}) + 1
    assert (await plans(generated, scoped, rollups.CONTACTS))[("2026-10", None)] == ([date(2026, 10, 1)], [], [])
    assert_same(await contact_stats(generated, scoped), tables)


async def test_an_incident_or_contact_just_before_local_midnight_stays_on_its_day(app):
    database: Database = app.state.db
    # 30 September, 23:59:59.9997 WITA: September's last incident and contact
    created = datetime(2026, 10, 1, tzinfo=WITA) - timedelta(microseconds=300)
    async with database.session_scope() as db:
        ids = await reference(db)
        await add_incidents(db, ids, [
            Spec("EARLY", wita(9, 2, 10, 0), FIRE, 1, "Luwuk", [Step("DAMKAR", ack=30, on_scene=600, completed=3000)]),
            Spec("EDGE", created, FIRE, 1, "Luwuk", [Step("DAMKAR", ack=30, on_scene=600, completed=3000)])])
        for received in (wita(9, 2, 9, 59), created):
            await add_contact(db, ids, received=received, answer_s=5, classification="emergency")
    scoped = await scopes(database, {"2026-09": {"period": "month", "month": "2026-09"},
                                     "2026-10": {"period": "month", "month": "2026-10"}}, (None,))
    tables = await from_tables(database, scoped, both)
    assert tables[("2026-09", None)]["scorecard"][0]["assignments"] == 2
    assert tables[("2026-09", None)]["contacts"]["total"] == 2
    assert tables[("2026-10", None)]["scorecard"] == [] and tables[("2026-10", None)]["contacts"]["total"] == 0
    await rollups.refresh(database, max_days=None)
    assert (await plans(database, scoped))[("2026-09", None)] == ([date(2026, 9, 1)], [], [])
    assert (await plans(database, scoped, rollups.CONTACTS))[("2026-09", None)] == ([date(2026, 9, 1)], [], [])
    assert_same(await both(database, scoped), tables)
