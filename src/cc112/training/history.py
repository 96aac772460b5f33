"""`cc112 simulate history`: years of realistic history in one go, for demos and benchmarks.

Contacts (a third of them pranks, silent or abandoned calls) and incidents follow the hour,
the season and the kecamatan's population; agencies answer with their own habits (history_world),
each incident lives its life by the live services' rules (history_life), and everything —
rows, Event timeline, hash-chained audit entries — is written with Core bulk inserts in a few
large transactions (history_store). The same seed gives the same history.
"""

from __future__ import annotations

import bisect
import gc
import math
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from cc112.clock import now
from cc112.db import Database
from cc112.incidents.models import hotspot_cell
from cc112.training import history_store as store
from cc112.training import history_world as world
from cc112.training.history_life import CANCEL_SHARE, Agency, Context, Life
from cc112.training.history_reference import Kecamatan, Reference, load_reference

DUPLICATE_SHARE = 0.01  # incidents reported twice and merged
PRANK_POOL_SIZE = 400  # repeat prank numbers (a few children's phones call again and again)
PRANK_FROM_POOL = 0.55
PREFIXES = ("12", "13", "21", "52", "53", "78")
HOTSPOT_SHARE = 0.35  # incidents at a kecamatan's market, port or main junction


@dataclass
class Report:
    incidents: int = 0
    contacts: int = 0
    assignments: int = 0
    events: int = 0
    feedback: int = 0
    caller_blocks: int = 0
    first_day: str = ""
    last_day: str = ""
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)


def _number(rng: random.Random) -> str:
    return f"+628{rng.choice(PREFIXES)}{rng.randint(10_000_000, 99_999_999)}"


class Generator:
    """Builds the history day by day; `batch()` turns a run of days into rows and events."""

    def __init__(self, ref: Reference, *, seed: int, start: float, end: float, exercise: bool) -> None:
        self.ref, self.start, self.end, self.exercise = ref, start, end, exercise
        self.rng = random.Random(seed)
        self.seq = 0
        self.events: list[tuple[Any, ...]] = []
        self.pool = [_number(self.rng) for _ in range(PRANK_POOL_SIZE)]
        self.pool_cum = list(_cum(1 / (i + 1) ** 1.1 for i in range(PRANK_POOL_SIZE)))
        self.pranks: dict[str, deque[float]] = {}
        self.blocks: dict[str, dict[str, Any]] = {}  # number → its newest block (may still be extended)
        self.done_blocks: list[dict[str, Any]] = []
        self.kec_cum = list(_cum(world.KECAMATAN_WEIGHT.get(k.name, 1) for k in ref.kecamatan))
        self.type_tables: dict[tuple[int, bool, bool], tuple[list[str], list[float]]] = {}
        self.hours_incident = list(_cum(world.INCIDENT_HOURS))
        self.hours_false = list(_cum(world.FALSE_HOURS))
        self.channels = world.cumulative(world.CHANNEL_WEIGHTS)
        self.others = world.cumulative(world.OTHER_CLASSES)
        self.day_names: dict[int, str] = {}
        self.cos_lat = math.cos(math.radians(ref.kecamatan[0].lat))

    # ------------------------------------------------------------ the plan

    def plan(self, incidents: int) -> list[tuple[world.Day, int, int]]:
        """Every day with its number of incidents and of other contacts (drawn, so days vary)."""
        off = self.ref.offset_s
        first = date.fromordinal(date(1970, 1, 1).toordinal() + int((self.start + off) // 86400))
        last = date.fromordinal(date(1970, 1, 1).toordinal() + int((self.end + off) // 86400))
        days = world.calendar(first, last, offset_s=off, rng=self.rng, kecamatan=len(self.ref.kecamatan))
        for day in days:  # the first and last days are partly outside the history
            covered = min(day.first + 86400, self.end) - max(day.first, self.start)
            day.weight *= max(0.0, covered) / 86400
        cum = list(_cum(d.weight for d in days))
        per_day = Counter(bisect.bisect_left(cum, self.rng.random() * cum[-1]) for _ in range(incidents))
        others = round(incidents * (1 - world.INCIDENT_SHARE) / world.INCIDENT_SHARE)
        calm = list(_cum(d.weight / (world.STORM_DAY_VOLUME if d.storm_kecamatan else 1) for d in days))
        other_per_day = Counter(bisect.bisect_left(calm, self.rng.random() * calm[-1]) for _ in range(others))
        return [(d, per_day.get(i, 0), other_per_day.get(i, 0)) for i, d in enumerate(days)]

    def _instant(self, day: world.Day, hours: list[float]) -> float:
        for _ in range(20):
            hour = bisect.bisect_left(hours, self.rng.random() * hours[-1])
            t = day.first + hour * 3600 + self.rng.random() * 3600
            if self.start <= t <= self.end:
                return t
        return self.rng.uniform(max(day.first, self.start), min(day.first + 86400, self.end))

    def _type(self, month: int, night: bool, storm: bool) -> str:
        key = (month, night, storm)
        if key not in self.type_tables:
            self.type_tables[key] = world.cumulative(world.type_weights(list(self.ref.types), month=month,
                                                                        night=night, storm=storm))
        codes, cum = self.type_tables[key]
        return codes[bisect.bisect_left(cum, self.rng.random() * cum[-1])]

    def _local_hour(self, t: float) -> int:
        return int((t + self.ref.offset_s) % 86400 // 3600)

    def _day_name(self, t: float) -> str:
        n = int((t + self.ref.offset_s) // 86400)
        if n not in self.day_names:
            self.day_names[n] = date.fromordinal(date(1970, 1, 1).toordinal() + n).strftime("%Y%m%d")
        return self.day_names[n]

    def _answer(self, channel: str, received: float, busy: bool) -> float:
        median = {"phone": 6.0, "radio": 5.0, "walk_in": 20.0}.get(channel, 40.0) * (2.0 if busy else 1.0)
        return received + world.lognormal(self.rng, median, 0.6 if channel == "phone" else 0.8)

    def _place(self, kec: Kecamatan) -> tuple[float, float, int]:
        rng = self.rng
        if rng.random() < HOTSPOT_SHARE:
            lat, lon = rng.choice(kec.hotspots)
            lat, lon = lat + rng.gauss(0, 0.002), lon + rng.gauss(0, 0.002)
        else:
            lat, lon = kec.lat + rng.gauss(0, 0.015), kec.lon + rng.gauss(0, 0.015)
        nearest = min(range(len(self.ref.kecamatan)), key=lambda i: (self.ref.kecamatan[i].lat - lat) ** 2
                      + ((self.ref.kecamatan[i].lon - lon) * self.cos_lat) ** 2)
        return round(lat, 5), round(lon, 5), nearest

    # ------------------------------------------------------------ one day

    def _incident_fronts(self, day: world.Day, n: int) -> list[dict[str, Any]]:
        """When each incident's first contact came in, what it is and where."""
        rng, ref = self.rng, self.ref
        fronts = []
        for _ in range(n):
            received = self._instant(day, self.hours_incident)
            night = self._local_hour(received) in world.NIGHT
            code = self._type(day.local.month, night, bool(day.storm_kecamatan))
            if day.storm_kecamatan and code in world.STORM and rng.random() < 0.8:
                kec = ref.kecamatan[rng.choice(day.storm_kecamatan)]
            else:
                kec = ref.kecamatan[bisect.bisect_left(self.kec_cum, rng.random() * self.kec_cum[-1])]
            channel = self.channels[0][bisect.bisect_left(self.channels[1], rng.random() * self.channels[1][-1])]
            answered = self._answer(channel, received, bool(day.storm_kecamatan))
            public = channel in ("app", "web")
            created = received + rng.uniform(2, 6) if public else answered + world.lognormal(rng, 25, 0.5)
            fronts.append({"received": received, "answered": answered, "created": created, "channel": channel,
                           "code": code, "kec": kec, "night": night, "public": public})
        return fronts

    def _duplicates(self, day: world.Day, fronts: list[dict[str, Any]], count: int) -> None:
        """Some incidents are reported twice; the second report becomes a duplicate, merged later."""
        eligible = [f for f in fronts if f["created"] < self.end - 3600]
        for master in self.rng.sample(eligible, min(count, len(eligible))):
            received = master["created"] + self.rng.uniform(20, 120)
            answered = self._answer("phone", received, False)
            created = answered + world.lognormal(self.rng, 25, 0.5)
            master["duplicate"] = {"received": received, "answered": answered, "created": created, "channel": "phone",
                                   "code": master["code"], "kec": master["kec"], "night": master["night"],
                                   "public": False, "master": master}
        if count > len(eligible):  # too close to the end for a duplicate: other incidents instead
            fronts.extend(self._incident_fronts(day, count - len(eligible)))

    def day(self, day: world.Day, n_incidents: int, n_other: int, ids: store.Ids, out: Batch) -> None:
        dups = _round_share(n_incidents * DUPLICATE_SHARE, self.rng) if n_incidents > 1 else 0
        fronts = self._incident_fronts(day, n_incidents - dups)
        self._duplicates(day, fronts, dups)
        incidents = fronts + [f["duplicate"] for f in fronts if "duplicate" in f]
        contacts = [("emergency", f) for f in incidents]
        for _ in range(n_other):
            klass = self.others[0][bisect.bisect_left(self.others[1], self.rng.random() * self.others[1][-1])]
            false = klass in ("prank", "ghost", "abandoned")
            received = self._instant(day, self.hours_false if false else self.hours_incident)
            contacts.append((klass, {"received": received}))
        contacts.sort(key=lambda c: c[1]["received"])
        for _klass, front in contacts:
            front["contact_id"] = ids.take("contacts")
        incidents.sort(key=lambda f: f["created"])
        for front in incidents:
            front["id"] = ids.take("incidents")
            name = self._day_name(front["created"])
            self.ref.counters[name] = seq = self.ref.counters.get(name, 0) + 1
            front["ticket"] = f"{self.ref.prefix}-{name}-{seq:04d}"
        for klass, front in contacts:
            front["contact_row"] = self._contact(klass, front, bool(day.storm_kecamatan))
            out.contacts.append(front["contact_row"])
        lives = {}
        for front in incidents:
            if "master" not in front:
                lives[id(front)] = self._life(front, out, ids)
        for front in incidents:
            if "master" in front:
                life = self._life(front, out, ids, dispatch=False)
                master = lives[id(front["master"])]
                life.merge_into(front["created"] + self.rng.uniform(30, 180), master)
                if life.row["status"] == "merged":  # its contacts now belong to the master
                    front["contact_row"]["incident_id"] = master.row["id"]
        out.days += 1

    def _contact(self, klass: str, front: dict[str, Any], busy: bool) -> dict[str, Any]:
        rng = self.rng
        received = front["received"]
        if klass == "emergency":
            channel, answered = front["channel"], front["answered"]
        else:
            channel = "phone" if klass in ("ghost", "abandoned") else (
                ("sms" if rng.random() < 0.05 else "phone") if klass == "prank"
                else self.channels[0][bisect.bisect_left(self.channels[1], rng.random() * self.channels[1][-1])])
            answered = None if klass == "abandoned" else self._answer(channel, received, busy)
        ended: float | None = {
            "abandoned": received + rng.uniform(3, 25), "ghost": (answered or received) + rng.uniform(5, 25),
            "prank": (answered or received) + world.lognormal(rng, 40, 0.5),
            "emergency": (answered or received) + world.lognormal(rng, 100, 0.5)}.get(
            klass, (answered or received) + world.lognormal(rng, 80, 0.6))
        # a call still ringing or going on when the history ends (now): nothing after the end is written
        if klass != "emergency" and answered is not None and answered > self.end:
            answered = None
        if ended is not None and ended > self.end:
            ended = None
        number = None if channel in ("walk_in", "radio") else (
            self.pool[bisect.bisect_left(self.pool_cum, rng.random() * self.pool_cum[-1])]
            if klass == "prank" and rng.random() < PRANK_FROM_POOL else _number(rng))
        lat = lon = accuracy = source = None
        if klass == "emergency" and (channel in ("app", "web") or (channel == "phone" and rng.random() < 0.35)):
            kec = front["kec"]
            lat, lon = round(kec.lat + rng.gauss(0, 0.015), 5), round(kec.lon + rng.gauss(0, 0.015), 5)
            accuracy, source = round(rng.uniform(8, 80), 1), "gps" if channel in ("app", "web") else "aml"
        at = min(answered or ended or received, self.end)
        blocked = number is not None and number in self.blocks and self.blocks[number]["blocked_until"] > at
        row = {"id": front["contact_id"], "jurisdiction_id": self.ref.jurisdiction_id, "channel": channel,
               "caller_number": number, "caller_name": None, "received_at": received, "answered_at": answered,
               "ended_at": ended, "classification": klass, "lat": lat, "lon": lon, "location_accuracy_m": accuracy,
               "location_source": source, "location_text": None, "summary": None, "caller_blocked": blocked,
               "incident_id": front.get("id"), "operator_id": self.ref.actor_id, "is_exercise": self.exercise}
        self.event(at, "contact.received", contact_id=row["id"], audience="intake", actor_id=self.ref.actor_id,
                   payload={"channel": channel, "classification": klass, "caller_blocked": blocked,
                            "has_location": lat is not None})
        if klass == "prank" and number is not None:
            self._prank_rule(row, number, at)
        return row

    def _prank_rule(self, row: dict[str, Any], number: str, at: float) -> None:
        """Three pranks within 24 h flag the number for 24 h (contacts.service._apply_prank_rule)."""
        seen = self.pranks.setdefault(number, deque())
        seen.append(row["received_at"])
        while seen and seen[0] < at - 86400:
            seen.popleft()
        if len(seen) < 3:
            return
        until = at + 86400
        block = self.blocks.get(number)
        if block is None or block["blocked_until"] <= at:
            if block is not None:
                self.done_blocks.append(block)
            block = self.blocks[number] = {"jurisdiction_id": self.ref.jurisdiction_id, "caller_number": number,
                                           "blocked_from": at, "blocked_until": until,
                                           "reason": f"{len(seen)} prank contacts within 24 h"}
        block["blocked_until"] = until
        row["caller_blocked"] = True
        self.event(at, "caller.blocked", contact_id=row["id"], audience="intake", actor_id=self.ref.actor_id,
                   payload={"pranks": len(seen), "blocked_until": datetime.fromtimestamp(until, UTC).isoformat()})

    def _life(self, front: dict[str, Any], out: Batch, ids: store.Ids, dispatch: bool = True) -> Life:
        rng, ref = self.rng, self.ref
        type_id, type_name, priority = ref.types[front["code"]]
        if rng.random() < 0.1:
            priority = min(4, max(1, priority + rng.choice((-1, 1))))
        lat, lon, kec_index = self._place(front["kec"])
        kec = ref.kecamatan[kec_index]
        created = front["created"]
        row = {"id": front["id"], "jurisdiction_id": ref.jurisdiction_id, "ticket": front["ticket"],
               "incident_type_id": type_id, "priority": priority,
               "status": "received" if front["public"] else "verified",
               "version": 1, "lat": lat, "lon": lon, "h3_cell": hotspot_cell(lat, lon), "location_accuracy_m": None,
               "region_id": kec.id, "desa_id": None,
               "address": None, "landmark": None, "description": f"{type_name} di {kec.name}",
               "people_involved": rng.randint(1, 4) if front["code"] == "kecelakaan_lalu_lintas" else None,
               "hazards": None, "is_exercise": self.exercise, "merged_into_id": None, "close_reason": None,
               "created_by_id": ref.actor_id, "created_at": created, "updated_at": created,
               "verified_at": None if front["public"] else created, "first_dispatched_at": None,
               "first_on_scene_at": None, "resolved_at": None, "closed_at": None}
        out.incidents.append(row)
        agencies: list[tuple[Agency, str]] = []
        if dispatch:
            rules = ref.routing.get(type_id, [])
            agencies = [r for r in rules if r[1] == "primary"]
            agencies += [r for r in rules if r[1] == "support" and rng.random() < world.SUPPORT_SHARE]
            agencies = agencies or rules[:1]
        life = Life(out.context, row, itype=front["code"], type_name=type_name, region=kec.name,
                    kec_index=kec_index, agencies=agencies, contact_id=front["contact_id"],
                    cancel="duplicate" not in front and rng.random() < CANCEL_SHARE, night=front["night"])
        life.run()
        return life

    def event(self, at: float, kind: str, *, incident_id: int | None = None, assignment_id: int | None = None,
              contact_id: int | None = None, actor_id: int | None = None, agency_ids: list[int] | None = None,
              audience: str = "all", payload: dict[str, Any]) -> None:
        self.seq += 1
        self.events.append((at, self.seq, kind, incident_id, assignment_id, contact_id, actor_id,
                            agency_ids or [], audience, payload, self.exercise))

    def finished_blocks(self, before: float | None) -> list[dict[str, Any]]:
        """Blocks that can no longer be extended (all of them at the end), each written once."""
        done, self.done_blocks = self.done_blocks, []
        for number, block in list(self.blocks.items()):
            if before is None or block["blocked_until"] <= before:
                done.append(block)
                del self.blocks[number]
        return done


@dataclass
class Batch:
    context: Context
    incidents: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    days: int = 0


def _cum(values: Any) -> Any:
    total = 0.0
    for v in values:
        total += v
        yield total


def _round_share(expected: float, rng: random.Random) -> int:
    whole = int(expected)
    return whole + (rng.random() < expected - whole)


async def generate(database: Database, *, incidents: int, years: float, seed: int = 112, end: datetime | None = None,
                   jurisdiction_code: str | None = None, exercise: bool = False, batch_incidents: int = 20_000,
                   progress: Callable[[int], None] | None = None) -> Report:
    """Write `incidents` incidents (and their contacts, assignments, events, audit) over `years` years."""
    if incidents < 1 or not 0 < years <= 30:
        raise ValueError("incidents must be ≥ 1 and years in (0, 30]")
    started = time.perf_counter()
    end_dt = end or now()
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived rows, no cycles: the cyclic collector only costs time
    try:
        return await _generate(database, incidents=incidents, years=years, seed=seed, end=end_dt,
                               jurisdiction_code=jurisdiction_code, exercise=exercise,
                               batch_incidents=batch_incidents, progress=progress, started=started)
    finally:
        if collecting:
            gc.enable()


async def _generate(database: Database, *, incidents: int, years: float, seed: int, end: datetime,
                    jurisdiction_code: str | None, exercise: bool, batch_incidents: int,
                    progress: Callable[[int], None] | None, started: float) -> Report:
    end_dt = end
    from cc112.accounts.audit import chain_all

    async with database.session_scope() as session:
        ref = await load_reference(session, jurisdiction_code or database.settings.jurisdiction)
    await chain_all(database)  # what is pending goes first; the history continues the chain
    gen = Generator(ref, seed=seed, start=end_dt.timestamp() - years * 365.25 * 86400, end=end_dt.timestamp(),
                    exercise=exercise)
    plan = gen.plan(incidents)
    report = Report(first_day=plan[0][0].local.isoformat(), last_day=plan[-1][0].local.isoformat())
    writer = database.engine.execution_options(cc112_write=True)
    async with writer.connect() as conn:
        await store.tune(conn)
        await store.hold_chain_lock(conn)
        await conn.commit()
        try:
            i = 0
            while i < len(plan):
                j, n = i, 0
                while j < len(plan) and (n == 0 or n + plan[j][1] <= batch_incidents):
                    n += plan[j][1]
                    j += 1
                await _write_batch(conn, gen, plan[i:j], report, progress)
                i = j
            blocks = gen.finished_blocks(None)
            async with conn.begin():
                ids = await store.read_ids(conn)
                await _write_blocks(store.Writer(conn), blocks, ids)
                await store.fix_sequences(conn)
            report.caller_blocks += len(blocks)
        finally:
            await store.release_chain_lock(conn)
            await conn.commit()
    await store.refresh_statistics(database.engine)
    report.seconds = time.perf_counter() - started
    return report


async def _write_blocks(writer: store.Writer, blocks: list[dict[str, Any]], ids: store.Ids) -> None:
    for block in blocks:
        block["id"] = ids.take("caller_blocks")
    await writer.insert("caller_blocks", blocks)


async def _write_batch(conn: Any, gen: Generator, days: list[tuple[world.Day, int, int]], report: Report,
                       progress: Callable[[int], None] | None) -> None:
    async with conn.begin():
        ids = await store.read_ids(conn)
        link = await store.chain_end(conn)
        ref = gen.ref
        span = max(1.0, gen.end - gen.start)
        context = Context(rng=gen.rng, end=gen.end, jurisdiction_id=ref.jurisdiction_id, actor_id=ref.actor_id,
                          system_id=ref.system_id, exercise=gen.exercise, targets=ref.targets,
                          growth=lambda t: 1.2 - 0.3 * (t - gen.start) / span,
                          next_assignment_id=lambda: ids.take("assignments"), event=gen.event,
                          next_feedback_id=lambda: ids.take("feedback"))
        batch = Batch(context)
        touched: set[str] = set()
        for day, n_incidents, n_other in days:
            before = len(batch.incidents)
            gen.day(day, n_incidents, n_other, ids, batch)
            touched.update(gen._day_name(r["created_at"]) for r in batch.incidents[before:])
        events, gen.events = gen.events, []
        event_rows, audit_rows = store.chain(events, ids, link, ref.jurisdiction_id, ref.actor_names,
                                                sqlite=conn.dialect.name == "sqlite")
        last_moment = days[-1][0].first + 86400
        blocks = gen.finished_blocks(last_moment)
        for r in batch.incidents:
            report.statuses[r["status"]] += 1
        writer = store.Writer(conn)
        for table, rows in (("incidents", batch.incidents), ("contacts", batch.contacts),
                            ("assignments", context.assignments), ("events", event_rows), ("audit_log", audit_rows),
                            ("feedback", context.feedback)):
            await writer.insert(table, rows)
        await _write_blocks(writer, blocks, ids)
        await store.save_counters(conn, ref.jurisdiction_id, [(d, ref.counters[d]) for d in sorted(touched)])
    report.incidents += len(batch.incidents)
    report.contacts += len(batch.contacts)
    report.assignments += len(context.assignments)
    report.events += len(event_rows)
    report.feedback += len(context.feedback)
    report.caller_blocks += len(blocks)
    if progress:
        progress(len(batch.incidents))
