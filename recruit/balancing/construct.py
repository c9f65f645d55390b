"""A first assignment that respects sizes, availability, pins and must-link sets.

Participants with the same availability are interchangeable for these constraints, so the first assignment is
a transportation problem: how many of each availability class go to each group. It is solved as a small integer
program with HiGHS (a max-flow with lower bounds in disguise; must-link sets larger than one person are
individual 0/1 variables). When it has no solution, the sizes and availability cannot be reconciled, whatever
the balance. Cannot-link pairs are left to the search, which removes conflicts before anything else.

With a waitlist, the program seats as many people as it can. With a previous assignment (see `repair`), it
moves as few people as it can.
"""

from __future__ import annotations

import numpy as np

from . import linear
from .feasibility import Infeasible, Reason
from .model import Model

GENERIC_REASON = (
    "No assignment fits every group's minimum and maximum size with the times participants can attend "
    "(checked with a flow model). Loosen group sizes, add groups or slots, or allow a waitlist."
)


def initial_assignment(
    model: Model,
    rng: np.random.Generator,
    *,
    previous: np.ndarray | None = None,
    time_limit: float | None = None,
) -> np.ndarray:
    """Return unit -> group index (-1 for the waitlist). Raise `Infeasible` when no assignment exists.

    `previous` (unit -> group index or -1) makes staying in one's previous group preferable to moving.
    """
    waitlist = model.problem.allow_unassigned
    n_units, n_groups = model.n_units, model.n_groups
    compatible_class = model.class_compatible
    prev = np.full(n_units, -1, dtype=np.intp) if previous is None else previous

    # Blocks of interchangeable units: one-person units of the same class and previous group; larger
    # must-link units each on their own.
    blocks: dict[tuple, list[int]] = {}
    for u in range(n_units):
        key = (int(model.unit_class[u]), int(prev[u])) if model.weight[u] == 1 else ("unit", u)
        blocks.setdefault(key, []).append(u)
    block_units = list(blocks.values())

    costs, uppers, starts, rows, values, col_block, col_group = [], [], [0], [], [], [], []
    n_block_rows = len(block_units)
    big = float(len(model.ids) + 1)  # seating one more person outweighs any number of moves
    for b, units in enumerate(block_units):
        u0 = units[0]
        w = int(model.weight[u0])
        for k in np.flatnonzero(compatible_class[model.unit_class[u0]]):
            if w > model.max_size[k]:
                continue
            cost = (1.0 if prev[u0] >= 0 and prev[u0] != k else 0.0) - (big * w if waitlist else 0.0)
            costs.append(cost)
            uppers.append(len(units))
            rows += [b, n_block_rows + k]
            values += [1.0, float(w)]
            starts.append(len(rows))
            col_block.append(b)
            col_group.append(k)
    counts = np.array([len(units) for units in block_units], dtype=float)
    row_lower = np.concatenate([np.zeros(n_block_rows) if waitlist else counts, model.min_size.astype(float)])
    row_upper = np.concatenate([counts, model.max_size.astype(float)])

    if not costs:
        if (waitlist or n_units == 0) and not model.min_size.any():
            return np.full(n_units, -1, dtype=np.intp)
        raise Infeasible([Reason(GENERIC_REASON)])
    highs = linear.new_highs(time_limit)
    linear.pass_model(
        highs,
        costs=np.array(costs), col_lower=np.zeros(len(costs)), col_upper=np.array(uppers, dtype=float),
        row_lower=row_lower, row_upper=row_upper,
        starts=np.array(starts), rows=np.array(rows), values=np.array(values), integer=True,
    )
    highs.run()
    status = linear.status(highs)
    if status != "optimal":
        if status == "infeasible":
            raise Infeasible([Reason(GENERIC_REASON)])
        raise Infeasible([Reason(
            f"Could not find a first assignment within the time limit (HiGHS: {status}); allow more time."
        )])
    amounts = np.rint(np.array(highs.getSolution().col_value)).astype(np.int64)

    group_of = np.full(n_units, -1, dtype=np.intp)
    per_block: dict[int, list[tuple[int, int]]] = {}
    for col, amount in enumerate(amounts):
        if amount > 0:
            per_block.setdefault(col_block[col], []).append((col_group[col], int(amount)))
    for b, units in enumerate(block_units):
        order = rng.permutation(len(units))
        position = 0
        for k, amount in per_block.get(b, []):
            group_of[np.array(units)[order[position:position + amount]]] = k
            position += amount
    return group_of
