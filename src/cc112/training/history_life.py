"""One incident's life, replayed step by step with the same rules as the live services.

A small discrete-event simulation per incident: dispatch, acknowledge (or decline and be
replaced), turn out, arrive, complete; the deadline sweeper's escalations; cancellation,
closing, citizen feedback and "not fixed" reopening. Each step changes the rows and appends
the Event the live code would have written, with the incident status derived exactly as
`dispatch.service.derive_incident_status` does. Steps after the end of the history are not
taken, so the newest incidents are still open.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cc112.dispatch.models import TRANSITIONS
from cc112.dispatch.service import derive_incident_status
from cc112.incidents.models import OPEN_STATUSES
from cc112.training.history_world import BEHAVIOUR, DEFAULT_BEHAVIOUR, PRIORITY_FACTOR, lognormal

AWAITING_ARRIVAL = ("requested", "acknowledged", "en_route")
_TIMESTAMP = {"acknowledged": "acknowledged_at", "en_route": "en_route_at", "on_scene": "on_scene_at",
              "completed": "completed_at", "declined": "declined_at"}
DECLINE_REASONS = ("unit sedang bertugas di lokasi lain", "tidak ada personel piket", "kendaraan dalam perbaikan",
                   "di luar wilayah layanan pos")
CANCEL_REASONS = ("tidak ditemukan kejadian di lokasi", "pelapor membatalkan, sudah tertangani warga",
                  "laporan tidak benar setelah dicek petugas")
COMMENTS = {1: "Petugas lama sekali datang", 2: "Kurang cepat", 3: "", 4: "Terima kasih", 5: "Sangat membantu, cepat"}
CANCEL_SHARE = 0.03
CLOSE_SHARE = 0.97
FEEDBACK_SHARE = 0.12
LATE_SUPPORT_SHARE = 0.2  # support asked later by an agency on scene rather than at dispatch
SKIP_ACK_SHARE = 0.03  # a crew sets off straight away and reports "en route" first
SKIP_EN_ROUTE_SHARE = 0.1
MIN_WORK_S = 600.0  # requested → completed, at least


def utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@dataclass(slots=True)
class Agency:
    id: int
    code: str
    # median travel factor per kecamatan index (distance from its nearest post)
    travel_factor: list[float]


@dataclass(slots=True)
class Job:
    """One assignment while it is being simulated (its row is `row`)."""

    agency: Agency
    row: dict[str, Any]
    status: str = "requested"


@dataclass
class Context:
    """What every life shares: ids, the clock's end, targets, actors and the output lists."""

    rng: random.Random
    end: float
    jurisdiction_id: int
    actor_id: int
    system_id: int
    exercise: bool
    targets: Any  # analytics.measures.Targets
    growth: Callable[[float], float]  # agencies get faster over the years: factor at an epoch
    next_assignment_id: Callable[[], int]
    event: Callable[..., None]
    assignments: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    next_feedback_id: Callable[[], int] | None = None


class Life:
    """Plays one incident forward from its creation."""

    def __init__(self, ctx: Context, row: dict[str, Any], *, itype: str, type_name: str, region: str | None,
                 kec_index: int, agencies: list[tuple[Agency, str]], contact_id: int | None,
                 cancel: bool, night: bool) -> None:
        self.ctx, self.row, self.kec = ctx, row, kec_index
        self.night = night
        self.jobs: list[Job] = []
        self.assigned: list[int] = []
        self.steps: list[tuple[float, int, str, Any]] = []
        self.seq = 0
        self.statuses: list[tuple[float, str]] = [(row["created_at"], row["status"])]
        self.feedback_given = False
        self.primary = agencies[0][0] if agencies else None
        created = row["created_at"]
        self.emit(created, "incident.created", {
            "ticket": row["ticket"], "type": itype, "type_name": type_name, "priority": row["priority"],
            "status": row["status"], "lat": row["lat"], "lon": row["lon"], "region": region,
            "is_exercise": row["is_exercise"]}, contact_id=contact_id, agencies=False)
        if not agencies:  # a duplicate report: merged before anyone is sent
            return
        rng = ctx.rng
        start = created
        if row["status"] == "received":  # a public report: an operator verifies it first
            start = created + lognormal(rng, 120, 0.7)
            self.push(start, "verify")
        dispatch_at = start + lognormal(rng, 15, 0.7)
        for agency, role in agencies:
            late = role == "support" and rng.random() < LATE_SUPPORT_SHARE
            self.push(dispatch_at + (lognormal(rng, 600, 0.8) if late else 0.0), "request", (agency, role))
        if cancel:
            self.push(dispatch_at + rng.uniform(60, 900), "cancel")

    # ------------------------------------------------------------ plumbing

    def push(self, at: float, kind: str, arg: Any = None) -> None:
        if at <= self.ctx.end:
            self.seq += 1
            heapq.heappush(self.steps, (at, self.seq, kind, arg))

    def agency_ids(self) -> list[int]:
        return self.assigned  # rebound (never changed in place) when an agency is added

    def emit(self, at: float, kind: str, payload: dict[str, Any], *, job: Job | None = None, audience: str = "all",
             actor: int | None | bool = True, agencies: bool | list[int] = True, contact_id: int | None = None) -> None:
        actor_id = self.ctx.actor_id if actor is True else (None if actor is False else actor)
        ids = self.agency_ids() if agencies is True else ([] if agencies is False else agencies)
        self.ctx.event(at, kind, incident_id=self.row["id"], assignment_id=job.row["id"] if job else None,
                       contact_id=contact_id, actor_id=actor_id, agency_ids=ids, audience=audience,
                       payload=payload)

    def set_status(self, at: float, new: str) -> None:
        self.row["status"] = new
        self.row["updated_at"] = at
        self.row["version"] += 1
        self.statuses.append((at, new))

    def status_at(self, at: float) -> str:
        status = self.statuses[0][1]
        for t, s in self.statuses:
            if t > at:
                break
            status = s
        return status

    def assignment_event(self, at: float, job: Job, kind: str, **extra: Any) -> None:
        self.emit(at, kind, {"ticket": self.row["ticket"], "agency": job.agency.code,
                             "assignment_status": job.status, "incident_status": self.row["status"],
                             "priority": self.row["priority"], **extra}, job=job, audience="agency")

    def incident_event(self, at: float, kind: str, actor: int | None | bool = True, **extra: Any) -> None:
        self.emit(at, kind, {"ticket": self.row["ticket"], "status": self.row["status"], **extra}, actor=actor)

    # ------------------------------------------------------------ the run

    def run(self) -> None:
        handlers = {"verify": self._verify, "request": self._request, "move": self._move, "cancel": self._cancel,
                    "escalate": self._escalate, "close": self._close, "feedback": self._feedback}
        while self.steps:
            at, _, kind, arg = heapq.heappop(self.steps)
            handlers[kind](at, arg)

    def _verify(self, at: float, _arg: Any) -> None:
        if self.row["status"] == "received":
            self.set_status(at, "verified")
            self.row["verified_at"] = at
            self.incident_event(at, "incident.verified")

    def _request(self, at: float, arg: tuple[Agency, str]) -> None:
        agency, role = arg
        if self.row["status"] not in OPEN_STATUSES:
            return
        if any(j.agency is agency and j.status in AWAITING_ARRIVAL + ("on_scene",) for j in self.jobs):
            return
        row = {"id": self.ctx.next_assignment_id(), "incident_id": self.row["id"], "agency_id": agency.id,
               "unit_id": None, "role": role, "status": "requested", "version": 1,
               "requested_by_id": self.ctx.actor_id, "requested_at": at, "acknowledged_at": None,
               "en_route_at": None, "on_scene_at": None, "completed_at": None, "declined_at": None,
               "decline_reason": None, "note": None, "ack_escalated_at": None, "on_scene_escalated_at": None}
        job = Job(agency, row)
        self.jobs.append(job)
        if agency.id not in self.assigned:
            self.assigned = sorted([*self.assigned, agency.id])
        self.ctx.assignments.append(row)
        if self.row["status"] in ("received", "verified"):
            self.set_status(at, "dispatched")
            if self.row["verified_at"] is None:
                self.row["verified_at"] = at
        if self.row["first_dispatched_at"] is None:
            self.row["first_dispatched_at"] = at
        self.assignment_event(at, job, "assignment.requested", unit=None, role=role)
        self._plan(at, job)

    def _plan(self, at: float, job: Job) -> None:
        """Draw this agency's answer: its steps go on the agenda, with the sweeper's checks."""
        rng, b = self.ctx.rng, BEHAVIOUR.get(job.agency.code, DEFAULT_BEHAVIOUR)
        pf = PRIORITY_FACTOR.get(self.row["priority"], 1.5)
        speed = self.ctx.growth(at) * (1.2 if job.row["role"] == "support" else 1.0)
        target = self.ctx.targets.at(job.agency.id, self.row["priority"], at)
        if target is not None:
            self.push(at + target.acknowledge_seconds + rng.uniform(0, 5), "escalate", (job, "not_acknowledged"))
            self.push(at + target.on_scene_seconds + rng.uniform(0, 5), "escalate", (job, "not_on_scene"))
        if rng.random() < b.decline:
            self.push(at + rng.uniform(20, 120), "move", (job, "declined"))
            return
        t = at
        acknowledges = rng.random() >= SKIP_ACK_SHARE
        if acknowledges:
            t += lognormal(rng, b.ack * pf * speed * (1.3 if self.night else 1.0), b.ack_sigma)
            self.push(t, "move", (job, "acknowledged"))
        if not acknowledges or rng.random() >= SKIP_EN_ROUTE_SHARE:  # requested → on_scene is no transition
            t += lognormal(rng, b.turnout * speed, 0.6)
            self.push(t, "move", (job, "en_route"))
        travel = b.travel * job.agency.travel_factor[self.kec] * speed * (0.9 if self.night else 1.0)
        t += lognormal(rng, travel * min(pf, 2.0), 0.5)
        self.push(t, "move", (job, "on_scene"))
        t = max(t + lognormal(rng, b.on_scene, 0.6), at + MIN_WORK_S)
        self.push(t, "move", (job, "completed"))

    def _move(self, at: float, arg: tuple[Job, str]) -> None:
        job, new = arg
        if new not in TRANSITIONS[job.status]:
            return
        job.status = new
        job.row["status"] = new
        job.row["version"] += 1
        job.row[_TIMESTAMP[new]] = at
        extra: dict[str, Any] = {}
        if new == "declined":
            reason = self.ctx.rng.choice(DECLINE_REASONS)
            job.row["decline_reason"] = extra["reason"] = reason
        self._rederive(at)
        self.assignment_event(at, job, f"assignment.{new}", **extra)
        if new == "declined":
            others = [j for j in self.jobs if j.status not in ("declined", "cancelled")]
            if not others or self.ctx.rng.random() < 0.7:  # the supervisor asks the agency's other post
                self.push(at + lognormal(self.ctx.rng, 180, 0.6), "request", (job.agency, job.row["role"]))

    def _rederive(self, at: float) -> None:
        new = derive_incident_status([j.status for j in self.jobs], self.row["status"])
        if new == self.row["status"]:
            return
        self.set_status(at, new)
        if new == "on_scene" and self.row["first_on_scene_at"] is None:
            self.row["first_on_scene_at"] = at
        if new == "resolved":
            self.row["resolved_at"] = at
            rng = self.ctx.rng
            if rng.random() < CLOSE_SHARE:
                self.push(at + max(120.0, lognormal(rng, 5400, 0.8)), "close")
            if not self.feedback_given and rng.random() < FEEDBACK_SHARE:
                self.push(at + lognormal(rng, 3 * 3600, 1.0), "feedback")

    def _escalate(self, at: float, arg: tuple[Job, str]) -> None:
        job, reason = arg
        column, statuses = (("ack_escalated_at", ("requested",)) if reason == "not_acknowledged"
                            else ("on_scene_escalated_at", AWAITING_ARRIVAL))
        if job.row[column] is not None or job.status not in statuses:
            return
        job.row[column] = at
        target = self.ctx.targets.at(job.agency.id, self.row["priority"], job.row["requested_at"])
        seconds = target.acknowledge_seconds if reason == "not_acknowledged" else target.on_scene_seconds
        due = job.row["requested_at"] + seconds
        self.emit(at, "assignment.escalated", {
            "ticket": self.row["ticket"], "agency": job.agency.code, "reason": reason,
            "due_at": utc(due).isoformat(), "overdue_seconds": int(at - due), "priority": self.row["priority"],
            "assignment_status": job.status}, job=job, audience="agency", actor=None, agencies=[job.agency.id])

    def _cancel(self, at: float, _arg: Any) -> None:
        if self.row["status"] not in OPEN_STATUSES or self.row["first_on_scene_at"] is not None:
            return
        reason = self.ctx.rng.choice(CANCEL_REASONS)
        self.set_status(at, "cancelled")
        self.row["close_reason"] = reason
        self.row["closed_at"] = at
        self.stand_down(at, f"incident cancelled: {reason}")
        self.incident_event(at, "incident.cancelled", reason=reason)

    def stand_down(self, at: float, why: str) -> None:
        active = [j for j in self.jobs if j.status in AWAITING_ARRIVAL + ("on_scene",)]
        for job in active:
            job.status = job.row["status"] = "cancelled"
            job.row["note"] = why
            job.row["version"] += 1
        for job in active:
            self.assignment_event(at, job, "assignment.cancelled", reason=why)

    def _close(self, at: float, _arg: Any) -> None:
        if self.row["status"] != "resolved":
            return
        self.set_status(at, "closed")
        self.row["closed_at"] = at
        self.row["close_reason"] = "selesai ditangani"
        self.incident_event(at, "incident.closed", reason="selesai ditangani")

    def _feedback(self, at: float, _arg: Any) -> None:
        if self.feedback_given or self.row["status"] not in ("resolved", "closed"):
            return
        self.feedback_given = True
        rng = self.ctx.rng
        assert self.primary is not None
        target = self.ctx.targets.at(self.primary.id, self.row["priority"], self.row["created_at"])
        arrived = self.row["first_on_scene_at"]
        on_time = bool(target and arrived is not None and arrived - self.row["created_at"] <= target.on_scene_seconds)
        rating = rng.choices((1, 2, 3, 4, 5), weights=(2, 3, 10, 35, 50) if on_time else (10, 15, 30, 30, 15))[0]
        not_fixed = rng.random() < (0.02 if on_time else 0.06)
        assert self.ctx.next_feedback_id is not None
        self.ctx.feedback.append({"id": self.ctx.next_feedback_id(), "incident_id": self.row["id"],
                                  "jurisdiction_id": self.ctx.jurisdiction_id, "rating": rating,
                                  "comment": COMMENTS[rating], "not_fixed": not_fixed, "created_at": at})
        self.emit(at, "feedback.received", {"ticket": self.row["ticket"], "rating": rating, "not_fixed": not_fixed},
                  actor=None, agencies=False)
        if not_fixed:
            self.set_status(at, "verified")
            self.row["resolved_at"] = self.row["closed_at"] = self.row["close_reason"] = None
            self.incident_event(at, "incident.reopened", actor=self.ctx.system_id,
                                reason="pelapor: masalah belum teratasi")
            self.push(at + lognormal(rng, 1800, 0.7), "request", (self.primary, "primary"))

    # ------------------------------------------------------------ duplicates

    def merge_into(self, at: float, master: Life) -> None:
        """This (younger) incident is a duplicate of `master`; merged, or cancelled if the master is done."""
        if master.status_at(at) not in OPEN_STATUSES + ("resolved",) or at > self.ctx.end:
            if at <= self.ctx.end:
                self.set_status(at, "cancelled")
                self.row["closed_at"] = at
                self.row["close_reason"] = f"duplikat {master.row['ticket']}"
                self.incident_event(at, "incident.cancelled", reason=self.row["close_reason"])
            return
        self.set_status(at, "merged")
        self.row["merged_into_id"] = master.row["id"]
        self.incident_event(at, "incident.merged", into=master.row["ticket"], reason="laporan ganda")
        ids = sorted({j.agency.id for j in master.jobs if j.row["requested_at"] <= at})
        master.emit(at, "incident.duplicate_linked", {"ticket": master.row["ticket"], "status": master.status_at(at),
                                                      "duplicate": self.row["ticket"]}, agencies=ids)
