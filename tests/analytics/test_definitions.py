"""The one set of definitions, called directly: nearest-rank percentiles, the slowest 10 %,
target shares, the target in force at a moment, and local-time periods."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cc112.agencies.models import AgencyTarget
from cc112.analytics import period as periods
from cc112.analytics.measures import Targets
from cc112.analytics.stats import mean_of_slowest, percentile, timing
from cc112.errors import Invalid


def test_percentiles_are_nearest_rank_not_interpolated():
    tens = [10.0, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert percentile(tens, 0.5) == 50  # rank ⌈0.5·10⌉ = 5 (interpolation would give 55)
    assert percentile(tens, 0.9) == 90  # rank ⌈0.9·10⌉ = 9 (interpolation would give 91)
    seven = [1.0, 2, 3, 4, 5, 6, 7]
    assert percentile(seven, 0.5) == 4  # rank ⌈3.5⌉ = 4
    assert percentile(seven, 0.9) == 7  # rank ⌈6.3⌉ = 7
    assert percentile([42.0], 0.9) == 42
    assert percentile([], 0.5) is None


def test_the_slowest_ten_percent_is_the_mean_of_the_slowest_ceil_tenth():
    assert mean_of_slowest([float(s) for s in range(1, 31)]) == 29  # ⌈3.0⌉ = 3 slowest: 28, 29, 30
    assert mean_of_slowest([float(s) for s in range(1, 12)]) == 10.5  # ⌈1.1⌉ = 2 slowest: 10, 11
    assert mean_of_slowest([1.0, 2, 3, 4, 5]) == 5  # ⌈0.5⌉ = 1
    assert mean_of_slowest([]) is None


def test_share_within_target_counts_misses_that_never_happened():
    # (seconds, target): 30 ≤ 60 within; 60 ≤ 60 within (on the target is within); 61 > 60 a miss;
    # None (never reached) a miss; 10 with no target known cannot be within.
    t = timing([(30, 60), (60, 60), (61, 60), (None, 60), (10, None)], expected=5)
    assert (t.expected, t.measured, t.within_target) == (5, 4, 2)
    assert t.share_within == 2 / 5
    assert (t.p50, t.p90) == (30, 61)  # sorted 10, 30, 60, 61: ranks 2 and 4


def _target(valid_from: datetime, ack: int) -> AgencyTarget:
    return AgencyTarget(agency_id=7, priority=1, acknowledge_seconds=ack, on_scene_seconds=600,
                        resolve_seconds=3600, valid_from=valid_from)


def test_the_target_in_force_is_the_latest_one_started_at_that_moment():
    old = datetime(2020, 1, 1, tzinfo=UTC)
    new = datetime(2026, 10, 15, 16, 0, tzinfo=UTC)  # 16 October 2026 00:00 WITA
    targets = Targets([_target(new, 120), _target(old, 60)])
    at = targets.at
    assert at(7, 1, datetime(2019, 12, 31, tzinfo=UTC).timestamp()) is None  # before any target
    assert at(7, 1, new.timestamp() - 1).acknowledge_seconds == 60  # type: ignore[union-attr]
    assert at(7, 1, new.timestamp()).acknowledge_seconds == 120  # type: ignore[union-attr]
    assert at(7, 2, new.timestamp()) is None  # no target for P2
    assert at(8, 1, new.timestamp()) is None  # nor for another agency


def test_a_month_is_its_local_days_in_utc():
    october = periods.parse("month", "Asia/Makassar", month="2026-10")
    assert october.start == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    assert october.end == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert october.days == 31
    assert october.previous("Asia/Makassar").label == "2026-09"
    january = periods.parse("month", "Asia/Makassar", month="2027-01")
    assert january.previous("Asia/Makassar").label == "2026-12"
    week = periods.parse("custom", "Asia/Makassar", start="2026-10-08", end="2026-10-14")
    before = week.previous("Asia/Makassar")
    assert (before.first_day.isoformat(), before.last_day.isoformat()) == ("2026-10-01", "2026-10-07")


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "oktober", ""])
def test_a_bad_month_is_refused_naming_the_field(month):
    with pytest.raises(Invalid) as caught:
        periods.parse("month", "Asia/Makassar", month=month)
    assert caught.value.field == "month"
