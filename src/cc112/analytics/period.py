"""Reporting periods in the jurisdiction's local time, turned into UTC bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cc112.clock import now
from cc112.errors import Invalid


@dataclass(frozen=True)
class Period:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    label: str
    first_day: date  # local
    last_day: date  # local, inclusive

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self, zone: str) -> Period:
        """The period of the same length just before this one (for trends)."""
        if re.fullmatch(r"\d{4}-\d{2}", self.label):
            year, month = int(self.label[:4]), int(self.label[5:])
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
            return parse("month", zone, month=f"{year:04d}-{month:02d}")
        last = self.first_day - timedelta(days=1)
        return _local_range(last - timedelta(days=self.days - 1), last, zone, f"before {self.label}")


def _local_range(first: date, last: date, zone: str, label: str) -> Period:
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tz)
    return Period(start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC")), label, first, last)


def parse(kind: str, zone: str, *, month: str | None = None, start: str | None = None, end: str | None = None) -> Period:
    """today | 7d | 30d | month (YYYY-MM) | custom (start, end as YYYY-MM-DD, inclusive)."""
    today = now().astimezone(ZoneInfo(zone)).date()
    if kind == "today":
        return _local_range(today, today, zone, "today")
    if kind in ("7d", "30d", "365d"):
        days = int(kind[:-1])
        return _local_range(today - timedelta(days=days - 1), today, zone, kind)
    if kind == "month":
        if not month or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise Invalid("give the month as YYYY-MM, e.g. 2026-10", field="month")
        first = date(int(month[:4]), int(month[5:]), 1)
        nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return _local_range(first, nxt - timedelta(days=1), zone, month)
    if kind == "custom":
        try:
            first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
        except ValueError:
            raise Invalid("give start and end as YYYY-MM-DD", field="start")
        if last < first:
            raise Invalid("the end is before the start", field="end")
        if (last - first).days > 3660:
            raise Invalid("a custom period is at most ten years", field="end")
        return _local_range(first, last, zone, f"{first}…{last}")
    raise Invalid("period must be today, 7d, 30d, 365d, month or custom", field="period")
