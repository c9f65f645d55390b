"""Small-cell protection for a frequency table: primary and complementary suppression.

A table here is one characteristic (rows: its categories) across columns (the whole cohort
and its groups); every column's total n is published. A count from 1 to k-1 is hidden
(primary suppression). A hidden cell must not be recomputable from what is published:

- each column sums to its published n, and when the groups partition the cohort, each row's
  overall count is the sum of its group counts. In such a two-way table a hidden cell is
  determined exactly when it is a *bridge* of the bipartite graph whose nodes are rows and
  columns and whose edges are the hidden cells (Cox 1980, "Suppression methodology and
  statistical disclosure control", JASA 75:377; the "hypercube" method of tau-Argus follows
  the same idea). So we hide further cells (complementary suppression) until no hidden cell is
  alone in a line and none is a bridge, choosing the smallest counts so as little as possible
  is lost.
- a line whose hidden cells add up to fewer than k would still say "these few people", so a
  line's hidden cells must add up to at least k.

All hidden cells are shown with one mark, so a reader cannot tell a primary cell (< k) from a
complementary one (>= k): telling them apart would narrow the intervals again.
"""
from typing import Sequence

Cell = tuple[int, int]


def protect(
    counts: Sequence[Sequence[int]],
    totals: Sequence[int],
    k: int,
    *,
    overall_column: int | None = 0,
) -> tuple[set[Cell], set[Cell]]:
    """The cells to hide: (primary, complementary), each a set of (row, column).

    counts[row][column]; totals[column] is the published n of the column. With
    overall_column set, that column is the sum of the others row by row (the groups
    partition the cohort); with None the columns are unrelated (groups may overlap).
    A column whose n is below k has all its cells hidden, zeros included: its total alone
    would otherwise tell the only category present.
    """
    rows = len(counts)
    columns = len(totals)
    if rows == 0 or columns == 0:
        return set(), set()
    primary: set[Cell] = set()
    for c in range(columns):
        for r in range(rows):
            value = counts[r][c]
            if (0 < totals[c] < k) or (0 < value < k):
                primary.add((r, c))
    hidden = set(primary)
    if not hidden:
        return primary, set()

    lines: list[tuple[str, list[Cell]]] = [("column", [(r, c) for r in range(rows)]) for c in range(columns)]
    if overall_column is not None:
        lines += [("row", [(r, c) for c in range(columns)]) for r in range(rows)]

    def value(cell: Cell) -> int:
        return counts[cell[0]][cell[1]]

    def cheapest(candidates) -> Cell | None:
        # The whole cohort's column last: it is what a reader needs most. Then nonzero counts
        # first: a hidden zero can only move one way, so it protects less.
        candidates = [cell for cell in candidates if cell not in hidden]
        if not candidates:
            return None
        return min(candidates, key=lambda cell: (cell[1] == overall_column, value(cell) == 0, value(cell), cell))

    for _ in range(rows * columns + 1):
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
            too_few = 0 < hidden_sum < k and not (kind == "row" and (line[0][0], overall_column) in hidden)
            if len(in_line) == 1 or too_few:
                cell = cheapest(line)
                if cell is not None:
                    hidden.add(cell)
                    changed = True
        if changed:
            continue
        bridge = _first_bridge(hidden, overall_column is not None)
        if bridge is None:
            break
        completion = _cheapest_rectangle(bridge, hidden, rows, columns, value, overall_column)
        if completion is None:
            break
        hidden |= completion
    return primary, hidden - primary


def _first_bridge(hidden: set[Cell], rows_related: bool) -> Cell | None:
    """A hidden cell that is a bridge of the rows–columns graph, or None.

    Without row relations every row collapses into one free node, so a cell is a bridge
    exactly when it is the only hidden cell of its column.
    """
    edges = sorted(hidden)
    adjacency: dict[tuple, list[tuple[tuple, int]]] = {}
    for index, (r, c) in enumerate(edges):
        row_node = ("r", r) if rows_related else ("r", -1)
        adjacency.setdefault(row_node, []).append((("c", c), index))
        adjacency.setdefault(("c", c), []).append((row_node, index))
    order: dict[tuple, int] = {}
    low: dict[tuple, int] = {}
    counter = 0
    for root in adjacency:
        if root in order:
            continue
        # Iterative Tarjan, so large tables do not hit the recursion limit.
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for neighbour, edge in neighbours:
                if edge == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, iter(adjacency[neighbour])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        return edges[via]
    return None


def _cheapest_rectangle(bridge: Cell, hidden: set[Cell], rows: int, columns: int, value, overall_column) -> set[Cell] | None:
    """The fewest, smallest extra cells that put the bridge on a four-cell cycle."""
    r, c = bridge
    best = None
    for r2 in range(rows):
        if r2 == r:
            continue
        for c2 in range(columns):
            if c2 == c:
                continue
            extra = {(r2, c), (r, c2), (r2, c2)} - hidden
            if not extra:
                continue
            zeros = sum(1 for cell in extra if value(cell) == 0)
            overall = sum(1 for cell in extra if cell[1] == overall_column)
            cost = (overall, zeros, sum(value(cell) for cell in extra), len(extra))
            if best is None or cost < best[0]:
                best = (cost, extra)
    return None if best is None else best[1]
