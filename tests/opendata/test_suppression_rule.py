"""The suppression rule on small tables: primary, complementary, and the audit across lines."""

from __future__ import annotations

import itertools

from cc112.opendata.suppression import Line, protect, recoverable


def crosstab(cells: dict[tuple[str, str], int]) -> tuple[dict, list[Line]]:
    """Cells with their row, column and grand totals, as the incident tables publish them."""
    values: dict = dict(cells)
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    lines = []
    for r in rows:
        parts = tuple(k for k in cells if k[0] == r)
        values[("row", r)] = sum(cells[k] for k in parts)
        lines.append(Line(("row", r), parts))
    for c in cols:
        parts = tuple(k for k in cells if k[1] == c)
        values[("col", c)] = sum(cells[k] for k in parts)
        lines.append(Line(("col", c), parts))
    values["all"] = sum(cells.values())
    lines += [Line("all", tuple(("row", r) for r in rows)), Line("all", tuple(("col", c) for c in cols))]
    return values, lines


def no_line_gives_one_away(lines: list[Line], hidden: set) -> bool:
    return all(sum(1 for k in line.entries if k in hidden) != 1 for line in lines)


def test_small_counts_are_hidden_and_large_ones_and_zeros_are_not():
    values = {"a": 3, "b": 7, "c": 0, "d": 5}
    assert protect(values, [], min_cell=5) == {"a"}


def test_a_single_hidden_cell_in_a_row_takes_the_next_smallest_with_it():
    values, lines = crosstab(
        {
            ("fire", "Luwuk"): 7,
            ("fire", "Batui"): 3,
            ("fire", "Pagimana"): 5,
            ("flood", "Luwuk"): 9,
            ("flood", "Batui"): 6,
            ("flood", "Kintom"): 8,
        }
    )
    hidden = protect(values, lines, min_cell=5)
    assert ("fire", "Batui") in hidden and ("fire", "Pagimana") in hidden, "3 primary, 5 its complement"
    assert ("fire", "Luwuk") not in hidden and ("row", "fire") not in hidden
    assert no_line_gives_one_away(lines, hidden)
    assert recoverable(values, lines, hidden) is None


def test_a_hidden_total_is_not_given_away_by_its_only_part():
    values, lines = crosstab({("fire", "Luwuk"): 3, ("flood", "Luwuk"): 20, ("flood", "Batui"): 20})
    hidden = protect(values, lines, min_cell=5)
    # Row "fire" has one cell: the row total 3 is small too; both hidden, and column Luwuk needs a second.
    assert {("fire", "Luwuk"), ("row", "fire")} <= hidden
    assert no_line_gives_one_away(lines, hidden)


def test_the_audit_catches_a_cell_found_by_combining_several_lines():
    # Two blocks of small cells joined by one small cell: every line has two or more hidden entries,
    # yet (rows r1 + r2) − (columns c1 + c2) gives the joining cell exactly.
    cells = {(r, c): 2 for r, c in itertools.product(("r1", "r2"), ("c1", "c2"))}
    cells |= {(r, c): 2 for r, c in itertools.product(("r3", "r4"), ("c3", "c4"))}
    cells[("r2", "c3")] = 1
    cells |= {(r, "big"): 50 for r in ("r1", "r2", "r3", "r4")} | {("big", c): 50 for c in ("c1", "c2", "c3", "c4")}
    values, lines = crosstab(cells)
    primary = {k for k, v in values.items() if 0 < v < 5}
    assert no_line_gives_one_away(lines, primary)
    exposed = recoverable(values, lines, primary)
    assert exposed is not None and exposed[0] == ("r2", "c3")
    hidden = protect(values, lines, min_cell=5)
    assert recoverable(values, lines, hidden) is None and no_line_gives_one_away(lines, hidden)


def test_the_same_table_is_always_suppressed_the_same_way():
    values, lines = crosstab({(f"t{i}", f"k{j}"): (i * 7 + j * 3) % 9 for i in range(6) for j in range(5)})
    first = protect(values, lines, min_cell=5)
    assert all(protect(dict(reversed(list(values.items()))), lines, min_cell=5) == first for _ in range(3))
    assert recoverable(values, lines, first) is None and no_line_gives_one_away(lines, first)


def test_the_threshold_is_a_parameter():
    values, lines = crosstab({("fire", "Luwuk"): 7, ("fire", "Batui"): 3, ("flood", "Luwuk"): 9})
    assert protect(values, lines, min_cell=3) == set()
    assert ("fire", "Batui") in protect(values, lines, min_cell=4)
