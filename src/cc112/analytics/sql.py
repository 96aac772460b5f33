"""Small dialect-aware SQL pieces: durations, local days and hours (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Float, Integer, cast, func
from sqlalchemy.sql.elements import ColumnElement


class Dialect:
    def __init__(self, name: str, zone: str) -> None:
        self.pg = name == "postgresql"
        self.zone = zone
        # Indonesia keeps no daylight saving: one offset serves SQLite's date functions.
        offset = datetime.now(ZoneInfo(zone)).utcoffset()
        self.offset_minutes = int(offset.total_seconds() // 60) if offset else 0

    def seconds(self, start: ColumnElement, end: ColumnElement) -> ColumnElement:  # type: ignore[type-arg]
        """end − start in seconds (NULL when either is NULL)."""
        if self.pg:
            # extract() gives numeric (Decimal in Python); SQLite gives floats: one type on both.
            return cast(func.extract("epoch", end - start), Float)
        # julianday() is a double of ~2.46 million days: × 86 400 it is off by tens of µs, so a
        # step taken exactly on its target would read as a miss. SQLite keeps milliseconds: round.
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)

    def epoch(self, col: ColumnElement) -> ColumnElement:  # type: ignore[type-arg]
        if self.pg:
            return cast(func.extract("epoch", col), Float)
        return func.round((func.julianday(col) - 2440587.5) * 86400.0, 3)  # see seconds()

    def _sqlite_local(self, fmt: str, col: ColumnElement) -> ColumnElement:  # type: ignore[type-arg]
        return func.strftime(fmt, col, f"{self.offset_minutes:+d} minutes")

    @property
    def hours_align(self) -> bool:
        """Local hours begin on UTC hours (whole-hour offset, as WIB, WITA and WIT)."""
        return self.offset_minutes % 60 == 0

    def utc_hour(self, col: ColumnElement) -> ColumnElement:  # type: ignore[type-arg]
        """The UTC hour a time falls in: cheap to group by (no per-row date arithmetic on SQLite);
        `local_day_hour` turns each group into its local day and hour."""
        if self.pg:
            return func.date_trunc("hour", func.timezone("UTC", col))
        return func.substr(col, 1, 13)  # 'YYYY-MM-DD HH' of the stored UTC text

    def local_day_hour(self, utc_hour: datetime | str) -> tuple[str, int]:
        at = utc_hour if isinstance(utc_hour, datetime) else datetime.fromisoformat(f"{utc_hour}:00")
        local = at.replace(tzinfo=UTC).astimezone(ZoneInfo(self.zone))
        return local.date().isoformat(), local.hour

    def local_day(self, col: ColumnElement) -> ColumnElement:  # type: ignore[type-arg]
        if self.pg:
            return func.to_char(func.timezone(self.zone, col), "YYYY-MM-DD")
        return self._sqlite_local("%Y-%m-%d", col)

    def local_month(self, col: ColumnElement) -> ColumnElement:  # type: ignore[type-arg]
        if self.pg:
            return func.to_char(func.timezone(self.zone, col), "YYYY-MM")
        return self._sqlite_local("%Y-%m", col)

    def local_hour(self, col: ColumnElement) -> ColumnElement:  # type: ignore[type-arg]
        if self.pg:
            return cast(func.extract("hour", func.timezone(self.zone, col)), Integer)
        return cast(self._sqlite_local("%H", col), Integer)

    def local_weekday(self, col: ColumnElement) -> ColumnElement:  # type: ignore[type-arg]
        """0 = Monday … 6 = Sunday."""
        if self.pg:
            return cast(func.extract("isodow", func.timezone(self.zone, col)), Integer) - 1
        return (cast(self._sqlite_local("%w", col), Integer) + 6) % 7
