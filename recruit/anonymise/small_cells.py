"""Small-cell protection for a frequency table: primary and complementary suppression.

A table here is one characteristic (rows: its categories) across columns (the whole cohort
and its groups); every column's total n is published. A count from 1 to k-1 is hidden
(primary suppression). A hidden cell must not be recomputable from what is published:

- each column sums to its published n, and when the groups partition the cohort, each row's
  overall count is the sum of its group counts. A hidden count can change without changing
  anything published only along a cycle of hidden cells (Cox 1980, "Suppression methodology
  and statistical disclosure control", JASA 75:377; tau-Argus's hypercube method rests on
  the same idea), and a count of 0 can only go up. So we hide further cells (complementary
  suppression), the smallest first, until every hidden count can move both ways or at least
  one way: no line with a single hidden cell, then an exact check on the table's flow network
  (`_determined`) for what nonnegativity still pins down.
- a line whose hidden cells add up to fewer than k would still say "these few people", so a
  line's hidden cells must add up to at least k.

Papers show a small count as "<k". That tells a reader more than a bare mark: a "<k" cell lies
between 1 and k-1 and, since every such count is shown as "<k", any other hidden cell is 0 or at
least k. `protect_marked` takes those intervals into account (`_Bounds`) and hides more cells
where they would pin a count down; where no further cell can help, it falls back to one mark for
every hidden cell of the table, which tells a reader only that the count is hidden.
"""
from typing import NamedTuple, Sequence

Cell = tuple[int, int]
UNBOUNDED = float("inf")


class Protection(NamedTuple):
    primary: set[Cell]
    complementary: set[Cell]
    # Whether the primary cells may be shown as "<k" (else every hidden cell takes one mark).
    marked: bool


def protect_marked(
    counts: Sequence[Sequence[int]],
    totals: Sequence[int],
    k: int,
    *,
    overall_column: int | None = 0,
    unshown: Sequence[int] = (),
) -> Protection:
    """The cells to hide when the primary ones are shown as "<k", or with one mark where that cannot be
    safe or would hide more of the whole cohort's column (the first: what a reader needs most)."""
    marked = _suppress(counts, totals, k, overall_column, unshown, marked=True)
    plain = _suppress(counts, totals, k, overall_column, unshown, marked=False)

    def in_overall(protection) -> int:
        return sum(1 for _r, c in protection[0] | protection[1] if c == (overall_column or 0))

    if marked[2] and in_overall(marked) <= in_overall(plain):
        return Protection(marked[0], marked[1], bool(marked[0]))
    return Protection(plain[0], plain[1], False)


def protect(
    counts: Sequence[Sequence[int]],
    totals: Sequence[int],
    k: int,
    *,
    overall_column: int | None = 0,
    unshown: Sequence[int] = (),
) -> tuple[set[Cell], set[Cell]]:
    """The cells to hide: (primary, complementary), each a set of (row, column).

    counts[row][column]; totals[column] is the published n of the column. With
    overall_column set, that column is the sum of the others row by row (the groups
    partition the cohort); with None the columns are unrelated (groups may overlap).
    A column whose n is below k has all its cells hidden, zeros included: its total alone
    would otherwise tell the only category present. Rows in unshown are never published (say,
    "answered but did not choose this option"): they count in the totals and hide from the
    start, so protecting a shown cell costs nothing there first; their cells are in neither set.
    Every hidden cell is taken to be shown with one and the same mark.
    """
    primary, complementary, _safe = _suppress(counts, totals, k, overall_column, unshown, marked=False)
    return primary, complementary


def _suppress(counts, totals, k, overall_column, unshown, *, marked):
    """(primary, complementary, safe): safe when no protected count is pinned by what is published."""
    rows = len(counts)
    columns = len(totals)
    if rows == 0 or columns == 0:
        return set(), set(), True
    # A row nobody in the cohort is in is known to be zero everywhere: hiding its cells protects nothing.
    live = [r for r in range(rows) if overall_column is None or counts[r][overall_column] > 0]
    primary: set[Cell] = set()
    for c in range(columns):
        for r in live:
            value = counts[r][c]
            if (0 < totals[c] < k) or (0 < value < k):
                primary.add((r, c))
    if not primary:
        return primary, set(), True
    # A small count in an unshown row still needs protecting: the shown cells must not give it away.
    never = {(r, c) for r in live if r in unshown for c in range(columns)}
    hidden = primary | never
    bounds = _Bounds(counts, totals, k, primary, never, marked)
    # With "<k" shown, a complementary cell (0 or at least k) needs no protection of its own.
    protected = primary if marked else None

    lines: list[tuple[str, list[Cell]]] = [("column", [(r, c) for r in live]) for c in range(columns)]
    if overall_column is not None:
        lines += [("row", [(r, c) for c in range(columns)]) for r in live]

    def value(cell: Cell) -> int:
        return counts[cell[0]][cell[1]]

    def cheapest(candidates) -> Cell | None:
        # The whole cohort's column last: it is what a reader needs most. Then nonzero counts
        # first: a hidden zero can only move one way, so it protects less.
        candidates = [cell for cell in candidates if cell not in hidden]
        if not candidates:
            return None
        return min(candidates, key=lambda cell: (cell[1] == overall_column, value(cell) == 0, value(cell), cell))

    for _ in range(len(live) * columns + 1):
        changed = False
        for kind, line in lines:
            members = line
            if kind == "row":
                # The overall cell is the row's total; the sum rule counts the groups only.
                members = [cell for cell in line if cell[1] != overall_column]
            in_line = [cell for cell in line if cell in hidden]
            if not in_line:
                continue
            hidden_sum = sum(value(cell) for cell in members if cell in hidden)
            # Hidden cells adding up to 0 are known zeros; adding up to under k, a known small group.
            too_few = hidden_sum < k and not (kind == "row" and (line[0][0], overall_column) in hidden)
            if len(in_line) == 1 or too_few:
                cell = cheapest(line)
                if cell is not None:
                    hidden.add(cell)
                    changed = True
        if changed:
            continue
        stuck = _first_pinned(hidden, protected, value, overall_column, bounds)
        if stuck is None:
            break
        candidates = sorted(
            (cell for cell in ((r, c) for r in live for c in range(columns)) if cell not in hidden),
            key=lambda cell: (cell[1] == overall_column, value(cell) == 0, value(cell), cell),
        )
        fix = next(
            (cell for cell in candidates if not _determined(stuck, hidden | {cell}, value, overall_column, bounds)),
            None,
        )
        if fix is None:
            # No single cell frees it: widen its column and look again.
            fix = cheapest((r, stuck[1]) for r in live) or cheapest((stuck[0], c) for c in range(columns))
        if fix is None:
            break
        hidden.add(fix)
    safe = _first_pinned(hidden, protected, value, overall_column, bounds) is None
    return primary - never, hidden - primary - never, safe


def _first_pinned(hidden, protected, value, overall_column, bounds) -> Cell | None:
    cells = hidden if protected is None else protected
    return next(
        (cell for cell in sorted(cells) if value(cell) and _determined(cell, hidden, value, overall_column, bounds)),
        None,
    )


class _Bounds:
    """What a reader knows of a hidden cell from its mark: (least, greatest) value it could take.

    With one mark for all, only that a count is not negative. With "<k" shown, a primary cell
    lies in 1..k-1 (0..k-1 in a column whose n is below k, where zeros hide too) and any other
    hidden cell is 0 or at least k; a 0 there cannot move by one, so it is held fixed (which
    only ever makes a count look more exposed than it is). Unshown rows are unknown.
    """

    def __init__(self, counts, totals, k, primary, never, marked):
        self.counts, self.totals, self.k = counts, totals, k
        self.primary, self.never, self.marked = primary, never, marked

    def __call__(self, cell: Cell) -> tuple[float, float]:
        if not self.marked or cell in self.never:
            return 0, UNBOUNDED
        if cell in self.primary:
            return (0 if self.totals[cell[1]] < self.k else 1), self.k - 1
        if self.counts[cell[0]][cell[1]] == 0:
            return 0, 0
        return self.k, UNBOUNDED


def _edge(cell: Cell, overall_column: int | None) -> tuple:
    """The cell as an edge of the table's flow network: a hidden count can change only along a cycle.

    With groups partitioning the cohort, people flow from the overall column to their row
    (category) and on to their group's column: overall cell O -> row, group cell row -> group.
    Without, each column's cells run from the column to one common free node.
    """
    r, c = cell
    if overall_column is None:
        return ("c", c), ("free",)
    if c == overall_column:
        return ("c", c), ("r", r)
    return ("r", r), ("c", c)


def _determined(cell: Cell, hidden: set[Cell], value, overall_column: int | None, bounds) -> bool:
    """Whether what is published pins the hidden cell to one value.

    A count can go up by one when a cycle of hidden cells leads back from its head to its
    tail, each cell on the way going up (along its direction, if below its greatest value) or
    down (against it, if above its least); it can go down when such a path leads from its tail
    to its head. Any other table that fits what is published differs from this one by such cycles.
    """
    tail, head = _edge(cell, overall_column)
    forward: dict[tuple, list[tuple]] = {}
    for other in hidden:
        if other == cell:
            continue
        a, b = _edge(other, overall_column)
        least, greatest = bounds(other)
        if value(other) < greatest:
            forward.setdefault(a, []).append(b)
        if value(other) > least:
            forward.setdefault(b, []).append(a)
    least, greatest = bounds(cell)
    if value(cell) < greatest and _reaches(forward, head, tail):
        return False
    return not (value(cell) > least and _reaches(forward, tail, head))


def _reaches(graph: dict, start, goal) -> bool:
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in graph.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False
