"""Proven optimal groups for small studies: set partitioning over all feasible groups.

SSB is a sum of one cost per group, |S_g|²/n_g, so the best split is the cheapest choice of candidate groups
that covers every participant once: set partitioning, solved by column generation as for minimum
sum-of-squares clustering (du Merle, Hansen, Jaumard & Mladenović 2000), with the opposite aim. Groups with the same slot, sizes and pins are interchangeable, so a candidate is a set of
units together with a *type* of group, and each type must be used as often as there are groups of it.

1. Every candidate of every type is enumerated with NumPy (members that can attend, sizes within the limits,
   no cannot-link pair inside, pinned members always in their group). `count_columns` tells beforehand how
   many there will be; `solve` uses this mode only when that is small enough.
2. Column generation: the linear relaxation is solved with HiGHS over a growing subset of candidates; pricing
   is a vectorised pass over all of them. Its value is a lower bound on SSB (the Lagrangian bound is kept
   along the way, so a time-out still reports a valid bound).
3. Reduced-cost fixing: with optimal duals, any assignment costs exactly the bound plus the reduced costs of
   its groups, all ≥ 0. So only candidates with reduced cost below (best known SSB - bound) can improve on the
   best known solution, and a depth-first exact-cover search over those, with a budget on the sum of reduced
   costs that grows until a cover is found, returns the optimum (HiGHS's integer solver is the fallback when
   there is no starting solution or too many candidates survive).

For the benchmark's 60 GPs in 15 groups (487,635 candidates) the relaxation is within 0.2% of the optimum
and a few hundred candidates survive step 3.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np

from . import linear
from .model import Model
from .search import _ranges

COLUMN_LIMIT_AUTO = 6_000_000
COLUMN_LIMIT_ALWAYS = 10_000_000  # about 1 GB at the peak (5.5 million took 530 MB)
MIP_COLUMN_LIMIT = 200_000
COVER_COLUMN_LIMIT = 100_000
CHUNK = 500_000


@dataclass
class ExactResult:
    group_of: np.ndarray | None  # unit -> group (-1 waitlist) of the best solution found, None if none
    value: float | None  # its SSB
    lower_bound: float | None  # a proven lower bound on SSB (among solutions seating `assigned` people)
    optimal: bool


@dataclass
class _Type:
    groups: list[int]  # group indices of this type, ascending
    low: int  # size limits for the chosen (non-forced) units
    high: int
    free: np.ndarray  # units that may join, forced ones excluded
    forced: np.ndarray  # units that must be in every group of this type (pins; only for single groups)


def _types(model: Model) -> list[_Type]:
    compatible = model.compatible()
    waitlist = model.problem.allow_unassigned
    keys: dict[tuple, list[int]] = {}
    for k in range(model.n_groups):
        key = (compatible[:, k].tobytes(), int(model.min_size[k]), int(model.max_size[k]))
        keys.setdefault(key, []).append(k)
    types = []
    for groups in keys.values():
        k = groups[0]
        eligible = np.flatnonzero(compatible[:, k])
        forced = np.array([], dtype=np.intp)
        if len(groups) == 1 and not waitlist:
            # Units that can join no other group (pins, or availability) are in it whatever the solution.
            only_here = compatible[eligible].sum(axis=1) == 1
            forced = eligible[only_here]
        free = np.setdiff1d(eligible, forced)
        w_forced = int(model.weight[forced].sum())
        types.append(_Type(
            groups=groups,
            low=int(model.min_size[k]) - w_forced,
            high=int(model.max_size[k]) - w_forced,
            free=free,
            forced=forced,
        ))
    return types


def count_columns(model: Model, stop_above: int = COLUMN_LIMIT_ALWAYS) -> int:
    """How many candidate groups the exact mode would enumerate (cannot-link pairs aside: an upper bound).

    Stops counting, and returns a number above `stop_above`, as soon as the count exceeds it.
    """
    total = 0
    for t in _types(model):
        if t.high < 0:
            continue
        weights = model.weight[t.free]
        low = max(t.low, 0)
        if (weights == 1).all():
            n = len(weights)
            total += sum(math.comb(n, k) for k in range(low, min(t.high, n) + 1))
        else:
            ways = [0] * (t.high + 1)  # ways[s] = number of subsets of the free units weighing s
            ways[0] = 1
            for w in weights:
                w = int(w)
                for s in range(t.high, w - 1, -1):
                    ways[s] += ways[s - w]
            total += sum(ways[low:])
        if total > stop_above:
            break
    return total


@dataclass
class _Block:
    type: int
    units: np.ndarray  # columns × members: unit indices (forced units included)
    cost: np.ndarray
    weight: np.ndarray


def _enumerate(model: Model, types: list[_Type], deadline: float) -> list[_Block] | None:
    Y, weight = model.Y, model.weight
    links = None
    if len(model.unit_links):
        links = np.zeros((model.n_units, model.n_units), dtype=bool)
        links[model.unit_links[:, 0], model.unit_links[:, 1]] = True
        links |= links.T
    blocks: list[_Block] = []
    unit_dtype = np.int16 if model.n_units < 32000 else np.int32
    for t_index, t in enumerate(types):
        if t.high < 0:
            continue
        if links is not None and len(t.forced):
            if links[np.ix_(t.forced, t.forced)].any():
                continue  # the forced members clash: no candidate of this type
            free = t.free[~links[np.ix_(t.free, t.forced)].any(axis=1)]
        else:
            free = t.free
        w_free = weight[free]
        y_forced = Y[t.forced].sum(axis=0)
        w_forced = int(weight[t.forced].sum())
        suffix = np.concatenate([np.cumsum(w_free[::-1])[::-1], [0]])  # weight available from position j on
        dtype = np.int16 if len(free) < 32000 else np.int32

        def emit(positions: np.ndarray, weights: np.ndarray, sums: np.ndarray) -> None:
            keep = weights >= t.low
            if not keep.any():
                return
            positions, weights, sums = positions[keep], weights[keep], sums[keep]
            size = weights + w_forced
            cost = np.divide((sums * sums).sum(axis=1), size, out=np.zeros(len(size)), where=size > 0)
            units = np.concatenate([free[positions], np.broadcast_to(t.forced, (len(size), len(t.forced)))], axis=1)
            blocks.append(_Block(t_index, units.astype(unit_dtype), cost, size.astype(np.int32)))

        # Level k holds the candidate prefixes of k free units (positions ascending), their weights and sums.
        level = np.zeros((1, 0), dtype=dtype)
        level_weight = np.zeros(1, dtype=np.int64)
        level_sums = y_forced[None, :].copy()
        emit(level, level_weight, level_sums)
        while len(level):
            if time.monotonic() > deadline:
                return None
            last = level[:, -1].astype(np.intp) if level.shape[1] else np.full(len(level), -1)
            counts = len(free) - 1 - last
            cum = np.cumsum(counts)
            next_levels, next_weights, next_sums = [], [], []
            start = 0
            while start < len(level):  # in slices, so that no intermediate array exceeds CHUNK rows
                before = cum[start - 1] if start else 0
                stop = max(start + 1, int(np.searchsorted(cum, before + CHUNK, side="right")))
                parent = np.repeat(np.arange(start, stop), counts[start:stop])
                element = _ranges(last[start:stop] + 1, counts[start:stop])
                new_weight = level_weight[parent] + w_free[element]
                keep = (new_weight <= t.high) & (new_weight + suffix[element + 1] >= t.low)
                if links is not None:
                    for column in range(level.shape[1]):
                        keep &= ~links[free[level[parent, column]], free[element]]
                parent, element, new_weight = parent[keep], element[keep], new_weight[keep]
                positions = np.column_stack([level[parent], element.astype(dtype)])
                sums = level_sums[parent] + Y[free[element]]
                emit(positions, new_weight, sums)
                grow = (new_weight < t.high) & (element < len(free) - 1)
                next_levels.append(positions[grow])
                next_weights.append(new_weight[grow])
                next_sums.append(sums[grow])
                start = stop
            level = np.concatenate(next_levels)
            level_weight = np.concatenate(next_weights)
            level_sums = np.concatenate(next_sums)
    return blocks


class _Columns:
    """All candidates, flat: cost, type and weight per column; members looked up by block."""

    def __init__(self, blocks: list[_Block], n_types: int, n_units: int):
        self.blocks = blocks
        self._n_units = n_units
        self._hashes = None
        self.offsets = np.cumsum([0] + [len(b.cost) for b in blocks])
        self.cost = np.concatenate([b.cost for b in blocks]) if blocks else np.zeros(0)
        self.type = np.concatenate([np.full(len(b.cost), b.type, dtype=np.int32) for b in blocks]) \
            if blocks else np.zeros(0, np.int32)
        self.weight = np.concatenate([b.weight for b in blocks]) if blocks else np.zeros(0, np.int32)
        self.n_types = n_types

    def __len__(self) -> int:
        return len(self.cost)

    def members(self, column: int) -> np.ndarray:
        b = int(np.searchsorted(self.offsets, column, side="right")) - 1
        return self.blocks[b].units[column - self.offsets[b]]

    def reduced_costs(self, unit_duals: np.ndarray, type_duals: np.ndarray, weight_dual: float) -> np.ndarray:
        rc = self.cost - type_duals[self.type]
        if weight_dual:
            rc -= weight_dual * self.weight
        for b, block in enumerate(self.blocks):
            for start in range(0, len(block.cost), CHUNK):
                lo = self.offsets[b] + start
                part = block.units[start: start + CHUNK]
                for column in range(part.shape[1]):
                    rc[lo: lo + len(part)] -= unit_duals[part[:, column]]
        return rc

    def find(self, units: np.ndarray, type_index: int) -> int | None:
        """The column of type `type_index` whose members are exactly `units`."""
        if self._hashes is None:
            # Zobrist hashing: a random 64-bit key per unit, a set's hash is the (wrapping) sum of its keys.
            self._keys = np.random.default_rng(0).integers(0, 2**63, size=max(1, self._n_units), dtype=np.uint64)
            self._hashes = np.zeros(len(self.cost), dtype=np.uint64)
            for b, block in enumerate(self.blocks):
                for column in range(block.units.shape[1]):
                    self._hashes[self.offsets[b]: self.offsets[b + 1]] += self._keys[block.units[:, column]]
        key = self._keys[np.asarray(units, dtype=np.intp)].sum() if len(units) else np.uint64(0)
        for column in np.flatnonzero((self._hashes == key) & (self.type == type_index)):
            if np.array_equal(np.sort(self.members(int(column))), np.sort(units)):
                return int(column)
        return None


def solve_exact(
    model: Model,
    *,
    incumbent: np.ndarray | None,
    deadline: float,
    assigned_weight: int | None = None,
) -> ExactResult:
    """Minimise SSB exactly (see the module docstring).

    incumbent: unit -> group (-1 waitlist) of a known feasible solution, or None.
    assigned_weight: with a waitlist, the number of people to seat (taken from the incumbent); the optimum is
        among assignments seating exactly that many.
    """
    types = _types(model)
    blocks = _enumerate(model, types, deadline)
    if blocks is None:
        return _incumbent_only(model, incumbent)
    columns = _Columns(blocks, len(types), model.n_units)
    n_units, n_types = model.n_units, len(types)
    waitlist = model.problem.allow_unassigned
    type_count = np.array([len(t.groups) for t in types], dtype=float)
    if waitlist and assigned_weight is None:
        assigned_weight = int(model.weight.sum()) if incumbent is None else int(model.weight[incumbent >= 0].sum())
    n_rows = n_units + n_types + (1 if waitlist else 0)

    def rows_of(column: int) -> tuple[np.ndarray, np.ndarray]:
        rows = [columns.members(column), [n_units + columns.type[column]]]
        values = [np.ones(len(rows[0])), [1.0]]
        if waitlist:
            rows.append([n_units + n_types])
            values.append([float(columns.weight[column])])
        return np.concatenate(rows).astype(np.int32), np.concatenate(values)

    def column_matrix(selected: np.ndarray):
        starts, rows, values = [0], [], []
        for c in selected:
            r, v = rows_of(int(c))
            rows.append(r)
            values.append(v)
            starts.append(starts[-1] + len(r))
        return (np.array(starts[:-1], dtype=np.int32),
                np.concatenate(rows) if rows else np.zeros(0, np.int32),
                np.concatenate(values) if values else np.zeros(0))

    incumbent_columns = _columns_of(model, types, columns, incumbent)
    upper = math.inf if incumbent_columns is None else float(columns.cost[incumbent_columns].sum())

    # The restricted master problem, with artificial columns keeping it feasible.
    row_upper = np.concatenate([np.ones(n_units), type_count] + ([[assigned_weight]] if waitlist else []))
    row_lower = row_upper.copy()
    if waitlist:
        row_lower[:n_units] = 0.0
    highs = linear.new_highs()
    highs.addRows(n_rows, row_lower, row_upper, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
    big = 10.0 * (float((model.Y * model.Y).sum()) + 1.0) * (n_units + 1)
    artificial_rows = np.arange(n_units, n_rows) if waitlist else np.arange(n_rows)
    artificial_upper = row_upper[artificial_rows]
    highs.addCols(
        len(artificial_rows), np.full(len(artificial_rows), big), np.zeros(len(artificial_rows)), artificial_upper,
        len(artificial_rows), np.arange(len(artificial_rows), dtype=np.int32), artificial_rows.astype(np.int32),
        np.ones(len(artificial_rows)),
    )
    n_artificial = len(artificial_rows)
    in_master = np.zeros(len(columns), dtype=bool)
    master: list[int] = []

    def add(selected: np.ndarray) -> None:
        selected = selected[~in_master[selected]]
        if not len(selected):
            return
        in_master[selected] = True
        master.extend(int(c) for c in selected)
        starts, rows, values = column_matrix(selected)
        highs.addCols(len(selected), columns.cost[selected], np.zeros(len(selected)), np.ones(len(selected)),
                      len(rows), starts, rows, values)

    if incumbent_columns is not None:
        add(np.array(incumbent_columns))
    cheapest = min(len(columns), 5 * n_units + 10)
    add(np.argpartition(columns.cost, cheapest - 1)[:cheapest] if cheapest else np.zeros(0, np.intp))

    lower = -math.inf
    per_round = max(100, 2 * n_units)
    rc = None
    while True:
        if time.monotonic() > deadline:
            return _finish(model, types, columns, incumbent, incumbent_columns, upper, lower)
        highs.setOptionValue("time_limit", max(deadline - time.monotonic(), 0.01))
        highs.run()
        if linear.status(highs) != "optimal":
            return _finish(model, types, columns, incumbent, incumbent_columns, upper, lower)
        solution = highs.getSolution()
        duals = np.array(solution.row_dual)
        unit_duals = duals[:n_units].copy()
        if waitlist:
            unit_duals = np.minimum(unit_duals, 0.0)  # rows "≤ 1": keep the bound valid
        type_duals = duals[n_units: n_units + n_types]
        weight_dual = float(duals[-1]) if waitlist else 0.0
        rc = columns.reduced_costs(unit_duals, type_duals, weight_dual)
        # Lagrangian bound: each type picks its cheapest columns by reduced cost.
        base = float(unit_duals.sum() + type_duals @ type_count) + weight_dual * (assigned_weight or 0)
        bound = base
        for t in range(n_types):
            in_type = rc[columns.type == t]
            need = int(type_count[t])
            if len(in_type) < need:
                bound = math.inf  # not enough candidates: infeasible
                break
            bound += float(np.partition(in_type, need - 1)[:need].sum()) if need else 0.0
        lower = max(lower, bound)
        negative = np.flatnonzero(rc < -1e-9 * (1.0 + abs(highs.getInfo().objective_function_value)))
        negative = negative[~in_master[negative]]
        if not len(negative):
            break
        if len(negative) > per_round:
            negative = negative[np.argpartition(rc[negative], per_round)[:per_round]]
        add(negative)

    col_value = np.array(solution.col_value)
    if (col_value[:n_artificial] > 1e-6).any():
        # The relaxation needs the artificial columns: no assignment exists at all.
        return ExactResult(group_of=None, value=None, lower_bound=math.inf, optimal=True)
    # Every assignment costs `base` (the dual objective) plus the reduced costs of its columns (plus, with a
    # waitlist, minus the dual of each unit left out); all these terms are ≥ 0 now.
    lower = max(lower, base)

    if upper - lower <= _tolerance(upper):
        return _finish(model, types, columns, incumbent, incumbent_columns, upper, lower, proven=True)

    # Reduced-cost fixing. With the optimal duals, every assignment x costs exactly
    #   lower + sum of the reduced costs of its columns (+ -dual of each unit left out, with a waitlist),
    # all terms ≥ 0. So a solution better than the incumbent uses only columns with rc < upper - lower,
    # and the cheapest one is found by a depth-first search over exact covers that stops as soon as the
    # reduced costs add up to the best found (Algorithm X with costs; Knuth 2000).
    if math.isfinite(upper):
        keep = np.flatnonzero(rc <= upper - base + _tolerance(upper))
        if len(keep) <= COVER_COLUMN_LIMIT:
            penalty = -unit_duals if waitlist else None
            # Search with a small budget first and raise it: the search that finds a cover is exhaustive
            # below its budget, so that cover is optimal, and small budgets prune hard.
            gap = upper - base
            budget = min(gap, 1e-3 * (1.0 + abs(lower)))
            while True:
                found = _cover_search(model, columns, types, keep, rc, budget, penalty, assigned_weight, deadline)
                if found is None:
                    return _finish(model, types, columns, incumbent, incumbent_columns, upper, lower)
                if found:
                    chosen = np.array(found[0], dtype=np.intp)
                    value = float(columns.cost[chosen].sum())
                    if value < upper:
                        upper, incumbent_columns, incumbent = value, chosen, None
                    break
                if budget >= gap:
                    break
                lower = max(lower, base + budget)  # no assignment costs less than this
                budget = min(gap, 1.5 * budget)
            return _finish(model, types, columns, incumbent, incumbent_columns, upper, upper, proven=True)

    # Without an incumbent, or with too many survivors: HiGHS's integer solver on the columns with small
    # reduced cost, growing the threshold theta until v - lower <= theta proves its optimum v
    # (iterated reduced-cost fixing).
    first = min(len(rc), max(300, 3 * n_units))
    theta = float(np.partition(rc, first - 1)[first - 1])
    while True:
        if math.isfinite(upper):
            theta = min(theta, upper - lower)
        keep = np.flatnonzero(rc <= theta + _tolerance(upper))
        if len(keep) > MIP_COLUMN_LIMIT:
            return _finish(model, types, columns, incumbent, incumbent_columns, upper, lower)
        chosen, value, status = _mip(model, types, columns, keep, row_lower, row_upper, column_matrix, deadline,
                                     incumbent_columns)
        if chosen is not None and value < upper:
            upper, incumbent_columns, incumbent = value, chosen, None
        if status not in ("optimal", "infeasible"):
            return _finish(model, types, columns, incumbent, incumbent_columns, upper, lower)
        if upper - lower <= theta + _tolerance(upper):
            if math.isinf(upper):
                return ExactResult(group_of=None, value=None, lower_bound=math.inf, optimal=True)
            return _finish(model, types, columns, incumbent, incumbent_columns, upper, upper, proven=True)
        if len(keep) == len(rc):
            return ExactResult(group_of=None, value=None, lower_bound=math.inf, optimal=True)
        theta = (upper - lower) if math.isfinite(upper) else max(4 * theta, theta + 1.0)


def _cover_search(model, columns, types, keep, rc, budget, penalty, assigned_weight, deadline):
    """The exact cover by columns `keep` with the smallest sum of reduced costs below `budget`.

    Returns ([columns], total) if one is found, [] if none is cheaper than `budget`, None at the deadline.
    penalty: with a waitlist, the cost of leaving each unit out (-its dual); None without a waitlist.

    Depth-first search in the manner of Knuth's Algorithm X: branch on the unit with the fewest columns left,
    and bound each node by the units still to cover, each costing at least its share (reduced cost / size)
    of its cheapest column still possible. Nodes reaching a set of covered units already reached more
    cheaply are cut (dominance).
    """
    n_units = model.n_units
    n_types = len(types)
    keep = keep[rc[keep] <= budget + _tolerance(budget)]  # no cover under the budget uses a dearer column
    type_count = np.array([len(t.groups) for t in types] + [n_units + 1])  # last: "left out" (waitlist)
    empty_rc = np.full(n_types, math.inf)  # the reduced cost of an empty group of each type, if allowed
    chosen_columns, member_rows = [], []
    for c in keep[np.argsort(rc[keep], kind="stable")]:
        members = columns.members(int(c))
        if len(members) == 0:
            t = int(columns.type[c])
            empty_rc[t] = min(empty_rc[t], max(float(rc[c]), 0.0))
            continue
        chosen_columns.append(int(c))
        member_rows.append(members)
    n_real = len(chosen_columns)
    cost = np.array([max(float(rc[c]), 0.0) for c in chosen_columns])
    kind = np.array([int(columns.type[c]) for c in chosen_columns], dtype=np.intp)
    weight = np.array([int(columns.weight[c]) for c in chosen_columns], dtype=np.int64)
    leave_out = []
    if penalty is not None:  # leaving a unit out is one more "column" of the unlimited last type
        leave_out = [u for u in range(n_units) if model.pinned[u] < 0]
        cost = np.concatenate([cost, np.maximum(penalty[leave_out], 0.0)])
        kind = np.concatenate([kind, np.full(len(leave_out), n_types)])
        weight = np.concatenate([weight, np.zeros(len(leave_out), dtype=np.int64)])
        member_rows += [np.array([u]) for u in leave_out]
    n_columns = len(cost)
    member = np.zeros((n_columns, n_units), dtype=bool)
    for c, members in enumerate(member_rows):
        member[c, members] = True
    size = member.sum(axis=1)
    share = np.where(member, (cost / np.maximum(size, 1))[:, None], np.inf)
    order_cost = cost  # columns are sorted by reduced cost already (leave-outs after, in any order)

    best: list = []
    best_cost = [budget + _tolerance(budget)]
    tolerance = 1e-12 * (1.0 + abs(budget))
    used = np.zeros(n_types + 1, dtype=np.int64)
    picked: list[int] = []
    seen: dict[tuple, float] = {}
    nodes = [0]

    def leaf(total: float, seated: int) -> None:
        if assigned_weight is not None and seated != assigned_weight:
            return
        missing = type_count[:n_types] - used[:n_types]
        if (missing > 0).any():
            fill = empty_rc[missing > 0]
            if np.isinf(fill).any():
                return
            total += float((missing[missing > 0] * fill).sum())
        if total < best_cost[0] - tolerance:
            best_cost[0] = total
            best[:] = [[chosen_columns[c] for c in picked if c < n_real], total]

    def visit(alive: np.ndarray, covered: np.ndarray, spent: float, seated: int) -> bool:
        nodes[0] += 1
        if nodes[0] % 256 == 0 and time.monotonic() > deadline:
            return False
        if covered.all():
            leaf(spent, seated)
            return True
        state = (covered.tobytes(), seated, used.tobytes())
        if seen.get(state, math.inf) <= spent:
            return True
        seen[state] = spent
        room = best_cost[0] - tolerance - spent
        possible = alive & (used[kind] < type_count[kind]) & (order_cost < room)
        if not possible.any():
            return True
        open_units = ~covered
        cheapest = share[possible][:, open_units].min(axis=0)
        bound = float(cheapest.sum())
        if not bound < room:  # also catches a unit with no column left (inf)
            return True
        counts = member[possible][:, open_units].sum(axis=0)
        unit = int(np.flatnonzero(open_units)[int(counts.argmin())])
        unit_share = np.zeros(n_units)
        unit_share[open_units] = cheapest
        for c in np.flatnonzero(possible & member[:, unit]):
            members = member[c]
            if cost[c] + bound - float(unit_share[members].sum()) >= room:
                continue
            used[kind[c]] += 1
            picked.append(int(c))
            child_alive = alive & ~member[:, members].any(axis=1)
            ok = visit(child_alive, covered | members, spent + float(cost[c]), seated + int(weight[c]))
            picked.pop()
            used[kind[c]] -= 1
            if not ok:
                return False
        return True

    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * n_units + 100))
    try:
        if not visit(np.ones(n_columns, dtype=bool), np.zeros(n_units, dtype=bool), 0.0, 0):
            return None
    finally:
        sys.setrecursionlimit(limit)
    return best


def _tolerance(value: float) -> float:
    return 1e-7 * (1.0 + abs(value)) if math.isfinite(value) else 1e-7


def _mip(model, types, columns, selected, row_lower, row_upper, column_matrix, deadline, start_columns):
    """Solve the set partitioning over `selected` columns; return (chosen columns, value, status)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0 or not len(selected):
        return None, math.inf, "infeasible" if not len(selected) else "time limit"
    starts, rows, values = column_matrix(selected)
    highs = linear.new_highs(remaining)
    highs.setOptionValue("mip_rel_gap", 1e-9)
    highs.setOptionValue("mip_abs_gap", 1e-9)
    linear.pass_model(
        highs,
        costs=columns.cost[selected], col_lower=np.zeros(len(selected)), col_upper=np.ones(len(selected)),
        row_lower=row_lower, row_upper=row_upper,
        starts=np.append(starts, len(rows)), rows=rows, values=values, integer=True,
    )
    if start_columns is not None:
        position = {int(c): i for i, c in enumerate(selected)}
        if all(int(c) in position for c in start_columns):
            start = highspy.HighsSolution()
            x = np.zeros(len(selected))
            x[[position[int(c)] for c in start_columns]] = 1.0
            start.col_value = list(x)
            start.value_valid = True
            highs.setSolution(start)
    highs.run()
    status = linear.status(highs)
    info = highs.getInfo()
    if int(info.primal_solution_status) != int(highspy.kSolutionStatusFeasible):
        return None, math.inf, status
    x = np.array(highs.getSolution().col_value)
    chosen = selected[x > 0.5]
    return chosen, float(columns.cost[chosen].sum()), status


def _columns_of(model: Model, types: list[_Type], columns: _Columns, group_of: np.ndarray | None):
    """The columns making up assignment `group_of`, or None if one of its groups is not a candidate."""
    if group_of is None:
        return None
    type_of_group = {}
    for t, info in enumerate(types):
        for k in info.groups:
            type_of_group[k] = t
    chosen = []
    for k in range(model.n_groups):
        members = np.flatnonzero(group_of == k)
        column = columns.find(members, type_of_group[k])
        if column is None:
            return None
        chosen.append(column)
    return chosen


def _assignment(model: Model, types: list[_Type], columns: _Columns, chosen) -> np.ndarray:
    """Give each chosen column a group of its type (in order of the column's first member, for stability)."""
    group_of = np.full(model.n_units, -1, dtype=np.intp)
    by_type: dict[int, list[np.ndarray]] = {}
    for c in chosen:
        by_type.setdefault(int(columns.type[c]), []).append(np.sort(columns.members(int(c))))
    for t, member_sets in by_type.items():
        member_sets.sort(key=lambda m: m[0] if len(m) else math.inf)
        for k, members in zip(types[t].groups, member_sets):
            group_of[members] = k
    return group_of


def _finish(model, types, columns, incumbent, incumbent_columns, upper, lower, *, proven=False) -> ExactResult:
    if incumbent_columns is not None and incumbent is None:
        incumbent = _assignment(model, types, columns, incumbent_columns)
    lower_bound = None if not math.isfinite(lower) else max(0.0, min(lower, upper))
    if incumbent is None:
        return ExactResult(group_of=None, value=None, lower_bound=lower_bound, optimal=False)
    return ExactResult(group_of=incumbent, value=upper, lower_bound=lower_bound, optimal=proven)


def _incumbent_only(model: Model, incumbent: np.ndarray | None) -> ExactResult:
    return ExactResult(group_of=incumbent, value=None, lower_bound=None, optimal=False)
