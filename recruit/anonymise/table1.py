"""Table 1, "participant characteristics": counts, medians and bands, protected against small cells.

Input is columnar plain data (one list per characteristic, one value per participant) and
the group each participant belongs to; output is a Table1 of display strings and the counts
behind them, with a note for every band merged, category pooled and cell hidden. The caller
passes the words (Texts), so this module needs no translation machinery.
"""
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from recruit.anonymise.bands import Band, band_index
from recruit.anonymise.small_cells import protect_marked

DEFAULT_K = 5
# Below 3, "fewer than k" would mean "one or two": a single person could still be singled out.
MIN_K = 3
MISSING = "__missing__"
POOLED = "__pooled__"
# Everyone with a value: a row the protection counts (so "not recorded" cannot be recomputed) but never shows.
RECORDED = "__recorded__"


@dataclass(frozen=True)
class Texts:
    """Words and sentences of the table; the service passes translated ones."""

    all_label: str = "All"
    n_label: str = "n"
    median_label: str = "Median (IQR)"
    missing_label: str = "Not recorded"
    other_label: str = "Other"
    hidden_mark: str = ":"
    small_mark: str = "<{k}"
    legend: str = (
        "{small} means fewer than {k} participants; {mark} means hidden so that such a count cannot be "
        "recomputed from the totals (where a characteristic shows no {small}, it may be under {k} itself). "
        "Percentages are of the column's n. Ranges (min–max) are not shown."
    )
    merged: str = "{variable}: {bands} merged into {band} (fewer than {k} in a band)."
    pooled: str = "{variable}: {categories} pooled into “{label}” (fewer than {k} each)."
    suppressed: str = "{variable}: {count} cells hidden ({primary} with fewer than {k}, {complementary} to protect them)."
    summary_hidden: str = "{variable}: median (IQR) not shown for {groups} (fewer than {k} values)."
    small_groups: str = "{groups}: fewer than {k} participants, so only the group's size is shown."
    several: str = "{variable}: participants could choose several options, so the percentages do not add up to 100."


@dataclass
class Variable:
    key: str
    label: str
    # "nominal": categories, small ones pooled; "ordered": categories merged with a neighbour;
    # "numeric": banded values (merged with a neighbour) and a median (IQR); "number": a median (IQR)
    # only; "several": a list of chosen categories per participant (None: not recorded), each
    # category its own n (%), so the rows need not add up to n.
    kind: str
    categories: Sequence[tuple[str, str]] = ()
    bands: Sequence[Band] = ()
    unit: str = ""
    keep_empty: bool = False  # show categories nobody is in (e.g. both answers of a yes/no)


@dataclass
class Column:
    key: str
    label: str
    n: int


@dataclass
class Row:
    variable: str
    label: str
    kind: str  # "n", "heading", "summary", "category"
    cells: list[str] = field(default_factory=list)
    counts: list[int | None] = field(default_factory=list)  # None where hidden or not a count
    # For a summary row: (first quartile, median, third quartile) per column, None where hidden.
    quartiles: list[tuple[float, float, float] | None] = field(default_factory=list)


@dataclass
class Table1:
    k: int
    columns: list[Column]
    rows: list[Row]
    notes: list[str]
    legend: str
    hidden_cells: int = 0

    def as_dict(self) -> dict:
        return {
            "k": self.k,
            "columns": [{"key": c.key, "label": c.label, "n": c.n} for c in self.columns],
            "rows": [
                {"variable": r.variable, "label": r.label, "kind": r.kind, "cells": r.cells, "counts": r.counts}
                for r in self.rows
            ],
            "notes": self.notes,
            "legend": self.legend,
        }


def check_k(k: int) -> int:
    k = int(k)
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}")
    return k


def build_table1(
    *,
    data: dict[str, Sequence],
    group_of: Sequence[str | None],
    groups: Sequence[tuple[str, str]],
    variables: Sequence[Variable],
    k: int = DEFAULT_K,
    partition: bool = True,
    texts: Texts = Texts(),
) -> Table1:
    """Table 1 for the cohort (every index of the data lists) and its groups.

    group_of[i] is the key of participant i's group (None: in no group; a tuple: several). With partition the
    groups cover the cohort exactly once, so row sums over groups equal the overall column,
    which complementary suppression must take into account.
    """
    k = check_k(k)
    # With no group columns there are no row sums to keep: the overall column stands alone.
    partition = partition and bool(groups)
    population = len(group_of)
    group_keys = [key for key, _ in groups]
    position = {key: index + 1 for index, key in enumerate(group_keys)}
    # Each participant's group columns: one key, or a tuple of keys when groups overlap.
    columns_of = {
        key: tuple(position[g] for g in key if g in position) if isinstance(key, tuple)
        else ((position[key],) if key in position else ())
        for key in set(group_of)
    }
    column_of = [columns_of[key] for key in group_of]
    sizes = [population] + [0] * len(groups)
    for columns_in in column_of:
        for column in columns_in:
            sizes[column] += 1
    columns = [Column("all", texts.all_label, population)] + [
        Column(key, label, sizes[index + 1]) for index, (key, label) in enumerate(groups)
    ]
    notes: list[str] = []
    small = [column.label for column in columns[1:] if 0 < column.n < k]
    if small:
        notes.append(texts.small_groups.format(groups=", ".join(small), k=k))
    rows = [Row("n", texts.n_label, "n", [str(c.n) for c in columns], [c.n for c in columns])]
    hidden_total = 0
    for variable in variables:
        values = data[variable.key]
        if len(values) != population:
            raise ValueError(f"{variable.key}: {len(values)} values for {population} participants")
        rows_of = _several_rows if variable.kind == "several" else _variable_rows
        block_rows, hidden = rows_of(variable, values, column_of, columns, k, partition, texts, notes)
        rows += block_rows
        hidden_total += hidden
    return Table1(
        k=k, columns=columns, rows=rows, notes=notes,
        legend=texts.legend.format(mark=texts.hidden_mark, small=texts.small_mark.format(k=k), k=k),
        hidden_cells=hidden_total,
    )


def _variable_rows(variable, values, column_of, columns, k, partition, texts, notes):
    width = len(columns)
    # Categories as (key, label, member keys): members grow when bands merge or categories pool.
    # Thousands of participants share few (value, columns) pairs: count those in C, then walk the pairs.
    pairs = Counter(zip(values, column_of))
    counts = {}
    if variable.kind in ("numeric", "number"):
        bands = list(variable.bands)
        numbers: list[list[float]] = [[] for _ in range(width)]
        band_of: dict = {}
        for (value, columns_in), many in pairs.items():
            if value is None:
                key = MISSING
            else:
                key = band_of.get(value) if bands else RECORDED
                if key is None:
                    key = band_of[value] = band_index(value, bands)
                for column in (0, *columns_in):
                    numbers[column] += [value] * many
            _add(counts, key, columns_in, many, width)
        if bands:
            categories = [(index, band.label, [index]) for index, band in enumerate(bands)]
        else:
            categories = [(RECORDED, "", [RECORDED])]
    else:
        numbers = None
        for (value, columns_in), many in pairs.items():
            _add(counts, MISSING if value in (None, "") else value, columns_in, many, width)
        categories = [(key, label, [key]) for key, label in variable.categories]
    categories = [c for c in categories if variable.keep_empty or counts.get(c[0], [0])[0] > 0]

    def total(members):
        return [sum(counts.get(m, [0] * width)[i] for m in members) for i in range(width)]

    if variable.kind == "number":
        pass  # one (unshown) category: nothing to merge
    elif variable.kind in ("numeric", "ordered"):
        categories = _merge_neighbours(variable, categories, total, k, texts, notes)
    else:
        categories = _pool_small(variable, categories, total, k, texts, notes)
    if counts.get(MISSING, [0])[0] > 0:
        categories.append((MISSING, texts.missing_label, [MISSING]))

    matrix = [total(members) for _, _, members in categories]
    sizes = [column.n for column in columns]
    unshown = [r for r, category in enumerate(categories) if category[0] == RECORDED]
    primary, complementary, marked = protect_marked(
        matrix, sizes, k, overall_column=0 if partition else None, unshown=unshown,
    )
    hidden = primary | complementary
    small_mark = texts.small_mark.format(k=k)
    if hidden:
        notes.append(texts.suppressed.format(
            variable=variable.label, count=len(primary) + len(complementary), primary=len(primary),
            complementary=len(complementary), k=k,
        ))

    heading = variable.label + (f", {variable.unit}" if variable.unit else "")
    rows = [Row(variable.key, heading, "heading", [""] * width, [None] * width)]
    if numbers is not None:
        cells, hidden_for, quartiles = [], [], []
        for index, column_values in enumerate(numbers):
            if len(column_values) < k:
                cells.append(texts.hidden_mark if column_values else "")
                quartiles.append(None)
                if column_values:
                    hidden_for.append(columns[index].label)
            else:
                quartiles.append(_quartiles(column_values))
                cells.append(_median_iqr(quartiles[-1]))
        if hidden_for:
            notes.append(texts.summary_hidden.format(variable=variable.label, groups=", ".join(hidden_for), k=k))
        rows.append(Row(variable.key, texts.median_label, "summary", cells, [None] * width, quartiles))
    for r, (key, label, _) in enumerate(categories):
        if key == RECORDED:
            continue
        cells, shown = [], []
        for c in range(width):
            count = matrix[r][c]
            if (r, c) in hidden:
                cells.append(small_mark if marked and (r, c) in primary else texts.hidden_mark)
                shown.append(None)
            else:
                cells.append(_count_percent(count, sizes[c]))
                shown.append(count)
        rows.append(Row(variable.key, label, "category", cells, shown))
    return rows, len(hidden)


def _add(counts: dict, key, columns_in, many: int, width: int) -> None:
    line = counts.get(key)
    if line is None:
        line = counts[key] = [0] * width
    line[0] += many
    for column in columns_in:
        line[column] += many


def _several_rows(variable, values, column_of, columns, k, partition, texts, notes):
    """A question with several answers: each option is a yes/no of its own, protected as such.

    For each option the protected table is chosen / answered but not chosen / not recorded, so
    neither a small "chose it" nor a small "did not" can be read or recomputed; only the chosen
    row and (once) the not-recorded row are shown, the middle row never. A not-recorded cell hidden for any option is
    hidden everywhere: showing less than a safe table is safe.
    """
    width = len(columns)
    sizes = [column.n for column in columns]
    chosen: dict = {}
    missing = [0] * width
    for value, columns_in in zip(values, column_of):
        line_keys = [MISSING] if value is None else set(value)
        for key in line_keys:
            line = missing if key == MISSING else chosen.setdefault(key, [0] * width)
            line[0] += 1
            for column in columns_in:
                line[column] += 1
    categories = [
        (key, label) for key, label in variable.categories
        if variable.keep_empty or chosen.get(key, [0])[0] > 0
    ]
    has_missing = missing[0] > 0
    overall = 0 if partition else None
    primary_shown: set = set()
    hidden_shown: set = set()
    missing_hidden: set = set()
    missing_primary: set = set()
    option_cells = []
    # "<k" only when every option's table is safe with it: hiding more in one option is always safe.
    marked = True
    for r, (key, _) in enumerate(categories):
        line = chosen.get(key, [0] * width)
        matrix = [line, [sizes[c] - line[c] - missing[c] for c in range(width)]]
        if has_missing:
            matrix.append(missing)
        primary, complementary, option_marked = protect_marked(matrix, sizes, k, overall_column=overall, unshown=[1])
        marked = marked and (option_marked or not primary)
        hidden = primary | complementary
        option_cells.append((line, {c for (row, c) in hidden if row == 0}))
        primary_shown |= {(r, c) for (row, c) in primary if row == 0}
        hidden_shown |= {(r, c) for (row, c) in hidden if row == 0}
        missing_hidden |= {c for (row, c) in hidden if row == 2}
        missing_primary |= {c for (row, c) in primary if row == 2}
    count = len(hidden_shown) + len(missing_hidden)
    primary_count = len(primary_shown) + len(missing_primary)
    if count:
        notes.append(texts.suppressed.format(
            variable=variable.label, count=count, primary=primary_count, complementary=count - primary_count, k=k,
        ))
    notes.append(texts.several.format(variable=variable.label))
    heading = variable.label + (f", {variable.unit}" if variable.unit else "")
    rows = [Row(variable.key, heading, "heading", [""] * width, [None] * width)]
    shown_lines = [(label, line, hidden) for (_, label), (line, hidden) in zip(categories, option_cells)]
    if has_missing:
        shown_lines.append((texts.missing_label, missing, missing_hidden))
    small_mark = texts.small_mark.format(k=k)
    for label, line, hidden in shown_lines:
        cells, shown = [], []
        for c in range(width):
            if c in hidden:
                # Every count from 1 to k-1 is primary in any option's table, so the count tells which.
                small = marked and (0 < line[c] < k or sizes[c] < k)
                cells.append(small_mark if small else texts.hidden_mark)
                shown.append(None)
            else:
                cells.append(_count_percent(line[c], sizes[c]))
                shown.append(line[c])
        rows.append(Row(variable.key, label, "category", cells, shown))
    return rows, count


def _merge_neighbours(variable, categories, total, k, texts, notes):
    """Merge a band with fewer than k (overall) into its smaller neighbour, while two or more remain.

    Judged on the whole cohort: groups of 4–5 would otherwise merge every band into one.
    """
    categories = [list(c) for c in categories]
    while len(categories) > 2:
        overall = [total(c[2])[0] for c in categories]
        small = [i for i, n in enumerate(overall) if 0 < n < k]
        if not small:
            break
        i = min(small, key=lambda index: (overall[index], index))
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(categories)]
        j = min(neighbours, key=lambda index: (overall[index], index))
        first, second = sorted((i, j))
        before = [categories[first][1], categories[second][1]]
        merged_label = _joined_label(variable, categories[first], categories[second])
        categories[first] = [categories[first][0], merged_label, categories[first][2] + categories[second][2]]
        del categories[second]
        notes.append(texts.merged.format(variable=variable.label, bands=" + ".join(before), band=merged_label, k=k))
    return [tuple(c) for c in categories]


def _joined_label(variable, first, second):
    if variable.kind == "numeric":
        lo = variable.bands[min(first[2])]
        hi = variable.bands[max(second[2])]
        return lo.join(hi).label
    return f"{first[1]} / {second[1]}"


def _pool_small(variable, categories, total, k, texts, notes):
    """Pool the categories with fewer than k (overall) into one "Other", when two or more are small."""
    small = [c for c in categories if 0 < total(c[2])[0] < k]
    if len(small) < 2:
        return list(categories)
    members = [m for c in small for m in c[2]]
    notes.append(texts.pooled.format(
        variable=variable.label, categories=", ".join(c[1] for c in small), label=texts.other_label, k=k,
    ))
    kept = [c for c in categories if c not in small]
    return kept + [(POOLED, texts.other_label, members)]


def _count_percent(count: int, n: int) -> str:
    if count == 0 or n == 0:
        return "0"
    return f"{count} ({round(100 * count / n)})"


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return (values[0],) * 3
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def _median_iqr(quartiles: tuple[float, float, float]) -> str:
    q1, median, q3 = quartiles
    return f"{_number(median)} ({_number(q1)}\u2013{_number(q3)})"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
