"""Assignment times against targets as mergeable pieces (one per agency × priority).

The scorecard's definitions live here once: a day's pieces can be stored (analytics.rollups) and
merged with pieces counted from the tables, and the result is the same as counting the whole
period at once — percentiles are taken over the merged values, never averaged.
"""

from __future__ import annotations

import bisect
import json
import math
import struct
from array import array
from datetime import date
from typing import Any

from cc112.analytics.stats import Timing, percentile

STEPS = ("acknowledge", "response", "resolution")
NOT_LIVE = ("declined", "cancelled")  # stood down or refused: no response to measure


_TIMING_HEADER = struct.Struct("=13q")  # the stored counters
_TIMES_HEADER = struct.Struct("=3q")


class TimingPartial:
    """Counters and measured values of a set of assignments (see measures._assignment_stmt for a row).

    An assignment counts for a step once the step is done or its deadline has passed: one still on
    its way within target is not (yet) a miss — it is `pending` — and one that never got there is.
    """

    __slots__ = ("n", "declined", "reassigned", "pending", "expected", "within", "values")

    def __init__(self) -> None:
        self.n = self.declined = self.reassigned = self.pending = 0
        self.expected = [0, 0, 0]
        self.within = [0, 0, 0]
        # array('d') while collecting (stored days are copied in as bytes), lists once sorted
        self.values: Any = (array("d"), array("d"), array("d"))

    def add(self, row: Any, targets: tuple[int | None, int | None, int | None], now_epoch: float) -> None:
        """row: (agency, priority, status, requested, acknowledge s, response s, resolution s, reassigned,
        created); targets: seconds of the target in force when it was requested."""
        self.n += 1
        status = row[2]
        if status == "declined":
            self.declined += 1
        if row[7]:
            self.reassigned += 1
        if status in NOT_LIVE:
            return
        for i, (value, since) in enumerate(((row[4], row[3]), (row[5], row[8]), (row[6], row[8]))):
            target = targets[i]
            if value is None:
                # due when the interval's own start (requested, or the incident's creation) + target has passed
                if target is not None and since + target > now_epoch:
                    self.pending += 1
                    continue
                self.expected[i] += 1
            else:
                self.expected[i] += 1
                self.values[i].append(value)
                if target is not None and value <= target:
                    self.within[i] += 1

    def merge(self, other: TimingPartial) -> TimingPartial:
        self.merge_counts(other)
        for i in range(3):
            self.values[i].extend(other.values[i])
        return self

    def merge_counts(self, other: TimingPartial) -> TimingPartial:
        """The counters only (the values stay where they are)."""
        self.n += other.n
        self.declined += other.declined
        self.reassigned += other.reassigned
        self.pending += other.pending
        for i in range(3):
            self.expected[i] += other.expected[i]
            self.within[i] += other.within[i]
        return self

    # ---- storage (analytics.rollups): 13 int64 counters, then each step's values as sorted float64s

    def to_bytes(self) -> bytes:
        counts = _TIMING_HEADER.pack(self.n, self.declined, self.reassigned, self.pending, *self.expected,
                                     *self.within, *(len(v) for v in self.values))
        return counts + b"".join(_floats(v) for v in self.values)

    @classmethod
    def from_bytes(cls, data: bytes) -> TimingPartial:
        return cls().add_bytes(data)

    def add_bytes(self, data: bytes) -> TimingPartial:
        """Merge a stored piece into this one."""
        c = _TIMING_HEADER.unpack_from(data)
        self.n += c[0]
        self.declined += c[1]
        self.reassigned += c[2]
        self.pending += c[3]
        at = _TIMING_HEADER.size
        for i in range(3):
            self.expected[i] += c[4 + i]
            self.within[i] += c[7 + i]
            end = at + 8 * c[10 + i]
            self.values[i].frombytes(data[at:end])
            at = end
        return self

    # ---- the result

    def sort(self) -> TimingPartial:
        self.values = tuple(sorted(v) for v in self.values)
        return self

    def summary(self, sorted_values: list[list[list[float]]] | None = None) -> dict[str, Any]:
        """sorted_values: for each step, sorted runs whose union is the values (default: this piece's
        own, which sort() must have sorted)."""
        runs = sorted_values or [[v] for v in self.values]
        out: dict[str, Any] = {"assignments": self.n}
        for i, name in enumerate(STEPS):
            expected = self.expected[i]
            measured = sum(len(r) for r in runs[i])
            out[name] = Timing(expected, measured, nearest_rank(runs[i], 0.5), nearest_rank(runs[i], 0.9),
                               self.within[i], self.within[i] / expected if expected else None).as_dict()
        out |= {"declined": self.declined, "reassigned": self.reassigned}
        return out


def nearest_rank(runs: list[list[float]], p: float) -> float | None:
    """stats.percentile over the union of sorted runs, without merging them."""
    runs = [r for r in runs if r]
    n = sum(len(r) for r in runs)
    if not n:
        return None
    if len(runs) == 1:
        return percentile(runs[0], p)
    return nearest_rank_k(runs, max(1, math.ceil(p * n)))


def nearest_rank_k(runs: list[list[float]], k: int) -> float:
    """The k-th smallest value (1-based) of the union of sorted runs."""
    if len(runs) == 1:
        return runs[0][k - 1]
    for run in runs:  # the answer is in some run: find the element whose rank range holds k
        lo, hi = 0, len(run) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            x = run[mid]
            below = sum(bisect.bisect_left(r, x) for r in runs)
            if below >= k:
                hi = mid - 1
            elif below + sum(bisect.bisect_right(r, x) - bisect.bisect_left(r, x) for r in runs) < k:
                lo = mid + 1
            else:
                return x
    raise AssertionError("unreachable: the k-th value is in one of the runs")


class IncidentTimes:
    """Incident-level response (created → first on scene) and resolution (created → resolved)."""

    __slots__ = ("n", "values")

    def __init__(self) -> None:
        self.n = 0
        self.values: tuple[list[float], list[float]] = ([], [])

    def add(self, response: float | None, resolution: float | None) -> None:
        self.n += 1
        if response is not None:
            self.values[0].append(response)
        if resolution is not None:
            self.values[1].append(resolution)

    def merge(self, other: IncidentTimes) -> IncidentTimes:
        self.n += other.n
        self.values[0].extend(other.values[0])
        self.values[1].extend(other.values[1])
        return self

    def to_bytes(self) -> bytes:
        return _TIMES_HEADER.pack(self.n, *(len(v) for v in self.values)) + b"".join(_floats(v) for v in self.values)

    @classmethod
    def from_bytes(cls, data: bytes) -> IncidentTimes:
        return cls().add_bytes(data)

    def add_bytes(self, data: bytes) -> IncidentTimes:
        n, k0, k1 = _TIMES_HEADER.unpack_from(data)
        floats = memoryview(data)[_TIMES_HEADER.size:].cast("d")
        self.n += n
        self.values[0].extend(floats[:k0])
        self.values[1].extend(floats[k0:k0 + k1])
        return self

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"incidents": self.n}
        for name, values in zip(("response", "resolution"), self.values, strict=True):
            values.sort()
            out[name] = {"measured": len(values), "p50_s": _round(percentile(values, 0.5)),
                         "p90_s": _round(percentile(values, 0.9))}
        return out


def _floats(values: list[float]) -> bytes:
    """Sorted float64s in the machine's byte order (sorted, so merged days sort fast)."""
    return array("d", sorted(values)).tobytes()


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


Partials = dict[tuple[int, int], TimingPartial]  # (agency, priority) → piece


def merge_into(into: Partials, more: Partials) -> Partials:
    for key, part in more.items():
        if key in into:
            into[key].merge(part)
        else:
            into[key] = part
    return into


def summaries(parts: Partials) -> dict[int, dict[int | None, dict[str, Any]]]:
    """agency → priority (None: all priorities) → summary."""
    by_agency: dict[int, dict[int, TimingPartial]] = {}
    for (agency_id, priority), part in parts.items():
        by_agency.setdefault(agency_id, {})[priority] = part
    out: dict[int, dict[int | None, dict[str, Any]]] = {}
    for agency_id, mine in by_agency.items():
        whole = TimingPartial()
        for part in mine.values():
            whole.merge_counts(part.sort())
        # all priorities: percentiles over the priorities' sorted values, without sorting them again
        runs = [[part.values[i] for part in mine.values()] for i in range(3)]
        out[agency_id] = {None: whole.summary(runs), **{p: part.summary() for p, part in mine.items()}}
    return out


class ContactPartial:
    """Contacts of some days: counts by channel × classification, answer times (clamped at 0 s)."""

    __slots__ = ("by", "answer_sum", "within", "values")

    def __init__(self) -> None:
        self.by: dict[tuple[str, str | None], list[int]] = {}  # (channel, classification) → [contacts, answered]
        self.answer_sum = 0.0
        self.within = 0
        self.values: list[float] = []

    def add(self, channel: str, classification: str | None, answer_s: float | None, target_s: float) -> None:
        counts = self.by.setdefault((channel, classification), [0, 0])
        counts[0] += 1
        if answer_s is not None:
            counts[1] += 1
            self.answer_sum += answer_s
            self.within += answer_s <= target_s
            self.values.append(answer_s)

    def merge_counts(self, other: ContactPartial) -> ContactPartial:
        """The counters only (the answer times stay where they are)."""
        for key, (n, answered) in other.by.items():
            counts = self.by.setdefault(key, [0, 0])
            counts[0] += n
            counts[1] += answered
        self.answer_sum += other.answer_sum
        self.within += other.within
        return self

    def to_bytes(self) -> bytes:
        header = json.dumps({"by": [[c, k, n, a] for (c, k), (n, a) in sorted(self.by.items(), key=str)],
                             "sum": self.answer_sum, "within": self.within}).encode()
        return struct.pack("=q", len(header)) + header + _floats(self.values)

    def add_bytes(self, data: bytes) -> ContactPartial:
        (size,) = struct.unpack_from("=q", data)
        header = json.loads(data[8:8 + size])
        for channel, klass, n, answered in header["by"]:
            counts = self.by.setdefault((channel, klass), [0, 0])
            counts[0] += n
            counts[1] += answered
        self.answer_sum += header["sum"]
        self.within += header["within"]
        self.values.extend(memoryview(data)[8 + size:].cast("d"))
        return self


def slowest_share(runs: list[list[float]], share: float) -> list[float]:
    """The slowest ⌈share·n⌉ values of the union of sorted runs, sorted (ties included by count)."""
    runs = [r for r in runs if r]
    n = sum(len(r) for r in runs)
    if not n:
        return []
    k = max(1, math.ceil(share * n))
    x = nearest_rank_k(runs, n - k + 1)  # the smallest value among the slowest k
    above = [v for r in runs for v in r[bisect.bisect_right(r, x):]]
    return [x] * (k - len(above)) + sorted(above)


class IncidentCounts:
    """Incidents counted by type × priority × kecamatan (with cancellations), by local day and by
    local weekday × hour."""

    __slots__ = ("groups", "days", "heat")

    def __init__(self) -> None:
        self.groups: dict[tuple[int, int, int | None], list[int]] = {}  # → [incidents, cancelled]
        self.days: dict[str, int] = {}  # local day (ISO) → incidents
        self.heat = [[0] * 24 for _ in range(7)]  # weekday (0 = Monday) × local hour

    def add_group(self, type_id: int, priority: int, region_id: int | None, n: int, cancelled: int) -> None:
        counts = self.groups.setdefault((type_id, priority, region_id), [0, 0])
        counts[0] += n
        counts[1] += cancelled

    def add_hour(self, day: str, hour: int, n: int) -> None:
        self.days[day] = self.days.get(day, 0) + n
        self.heat[date.fromisoformat(day).weekday()][hour] += n

    def merge(self, other: IncidentCounts) -> IncidentCounts:
        for key, (n, cancelled) in other.groups.items():
            self.add_group(*key, n, cancelled)
        for day, n in other.days.items():
            self.days[day] = self.days.get(day, 0) + n
        for weekday in range(7):
            for hour in range(24):
                self.heat[weekday][hour] += other.heat[weekday][hour]
        return self

    def to_bytes(self) -> bytes:
        return json.dumps({"g": [[*k, *v] for k, v in self.groups.items()], "d": self.days,
                           "h": self.heat}, separators=(",", ":")).encode()

    def add_bytes(self, data: bytes) -> IncidentCounts:
        stored = json.loads(data)
        other = IncidentCounts()
        other.groups = {(t, p, r): [n, c] for t, p, r, n, c in stored["g"]}
        other.days, other.heat = stored["d"], stored["h"]
        return self.merge(other)
