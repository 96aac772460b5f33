"""Small-cell suppression with complementary suppression, for tables published with their totals.

A table is a set of counts (keyed however the caller likes) and a set of *lines*: a total and the
parts that add up to it (a row of a cross-tab and its row total, the row totals and the grand
total, …). The rule, stated the same way in the data dictionary:

1. primary: a count from 1 to `min_cell − 1` is suppressed (0 is published: nobody to protect);
2. complementary: a line in which exactly one entry (a part or its total) is suppressed would give
   it away by subtraction, so one more entry of that line is suppressed — its smallest published
   non-zero part, or its total when it has none; repeated until no line has exactly one;
3. audit: the suppressed entries are solved for as unknowns of all the lines at once (exact
   rational elimination); while any one of them is determined — recoverable by adding and
   subtracting published numbers across several lines — one more entry next to it is suppressed
   and steps 2–3 run again.

The result depends only on the table, so the same month is suppressed the same way in every
download. What it does not defend against: bounds (a hidden cell is known to be ≥ 0), and tables
that are not declared as lines of one another.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

Key = Hashable
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Line:
    """`total` = sum of `parts`."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def entries(self) -> tuple[Key, ...]:
        return (*self.parts, self.total)


def protect(values: Mapping[K, int], lines: Sequence[Line], *, min_cell: int) -> set[K]:
    """The keys to publish as suppressed (primary, complementary and audit suppressions)."""
    table: dict[Key, int] = {k: v for k, v in values.items()}
    hidden: set[Key] = {k for k, v in table.items() if 0 < v < min_cell}
    while True:
        while _complete_lines(table, lines, hidden):
            pass
        exposed = recoverable(table, lines, hidden)
        if exposed is None:
            return hidden  # type: ignore[return-value]  # only keys of `values` are ever added
        key, component = exposed
        hidden.add(_one_more(table, component, hidden, near=key))


def _complete_lines(values: Mapping[Key, int], lines: Sequence[Line], hidden: set[Key]) -> bool:
    changed = False
    for line in lines:
        if sum(1 for k in line.entries if k in hidden) == 1:
            hidden.add(_complement(values, line, hidden))
            changed = True
    return changed


def _complement(values: Mapping[Key, int], line: Line, hidden: set[Key]) -> Key:
    """The smallest published non-zero part of the line, else its total.

    One always exists: if the hidden entry is a part, the total is non-zero; if it is the total,
    some part is non-zero and (being the only hidden entry) published.
    """
    candidates = [(values.get(k, 0), i) for i, k in enumerate(line.parts) if k not in hidden and values.get(k, 0) > 0]
    if candidates:
        return line.parts[min(candidates)[1]]
    return line.total


def _one_more(values: Mapping[Key, int], component: list[Line], hidden: set[Key], *, near: Key) -> Key:
    """Suppress one more entry in a line around `near` (its own lines first)."""
    ordered = sorted(component, key=lambda line: near not in line.entries)
    for line in ordered:
        published = [k for k in line.entries if k not in hidden and values.get(k, 0) > 0]
        if published:
            return min(published, key=lambda k: (k == line.total, values.get(k, 0)))
    # Unreachable: a component whose lines are all fully hidden has only homogeneous equations,
    # which cannot pin a non-zero count.
    raise AssertionError("no entry left to suppress next to a recoverable cell")


def recoverable(values: Mapping[Key, int], lines: Sequence[Line], hidden: set[Key]) -> tuple[Key, list[Line]] | None:
    """A suppressed key whose value follows exactly from the published numbers (with the lines it
    is connected to), or None when none does."""
    touched = [line for line in lines if any(k in hidden for k in line.entries)]
    for component in _components(touched, hidden):
        unknowns = sorted({k for line in component for k in line.entries if k in hidden}, key=repr)
        index = {k: i for i, k in enumerate(unknowns)}
        rows = []
        for line in component:
            row = {index[k]: Fraction(1) for k in line.parts if k in hidden}
            if line.total in hidden:
                row[index[line.total]] = row.get(index[line.total], Fraction(0)) - 1
            rows.append({c: v for c, v in row.items() if v})
        for column in _determined(rows):
            return unknowns[column], component
    return None


def _components(lines: list[Line], hidden: set[Key]) -> list[list[Line]]:
    """Lines grouped by the suppressed entries they share."""
    parent: dict[Key, Key] = {}

    def find(k: Key) -> Key:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for line in lines:
        keys = [k for k in line.entries if k in hidden]
        for other in keys[1:]:
            parent[find(other)] = find(keys[0])
    groups: dict[Key, list[Line]] = {}
    for line in lines:
        first = next(k for k in line.entries if k in hidden)
        groups.setdefault(find(first), []).append(line)
    return list(groups.values())


def _determined(rows: list[dict[int, Fraction]]) -> list[int]:
    """Columns fixed by the equations: in reduced row-echelon form, a pivot row with no other entry."""
    pivots: dict[int, dict[int, Fraction]] = {}
    for raw in rows:
        row = dict(raw)
        for col in [c for c in row if c in pivots]:
            factor = row.get(col)
            if factor:
                for c, v in pivots[col].items():
                    row[c] = row.get(c, Fraction(0)) - factor * v
                row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        lead = row[col]
        row = {c: v / lead for c, v in row.items()}
        for other in pivots.values():
            factor = other.get(col)
            if factor:
                for c, v in row.items():
                    other[c] = other.get(c, Fraction(0)) - factor * v
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        pivots[col] = row
    return sorted(col for col, row in pivots.items() if len(row) == 1)
