"""Percentiles and target shares, with one definition used everywhere."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the value at rank ⌈p·n⌉ of the sorted values (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p * len(sorted_values)))
    return sorted_values[rank - 1]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def mean_of_slowest(sorted_values: Sequence[float], share: float = 0.1) -> float | None:
    """Mean of the slowest ⌈share·n⌉ values (European 112 reports' 'slowest 10 %')."""
    if not sorted_values:
        return None
    k = max(1, math.ceil(share * len(sorted_values)))
    return mean(sorted_values[-k:])


@dataclass
class Timing:
    """One interval (e.g. acknowledgement) over a set of assignments."""

    expected: int  # assignments that have reached this step or are past its deadline
    measured: int  # those that did
    p50: float | None
    p90: float | None
    within_target: int  # reached it within their target
    share_within: float | None  # within_target / expected

    def as_dict(self) -> dict[str, object]:
        return {"expected": self.expected, "measured": self.measured, "p50_s": _r(self.p50), "p90_s": _r(self.p90),
                "within_target": self.within_target, "share_within": _r(self.share_within, 4)}


def timing(values: list[tuple[float | None, float | None]], expected: int) -> Timing:
    """values: (seconds or None, target seconds or None) for each expected assignment."""
    measured = sorted(v for v, _ in values if v is not None)
    within = sum(1 for v, t in values if v is not None and t is not None and v <= t)
    return Timing(expected, len(measured), percentile(measured, 0.5), percentile(measured, 0.9), within,
                  within / expected if expected else None)


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
