"""`repair`: re-balance after dropouts or late changes while moving as few people as possible."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from collections.abc import Mapping

import numpy as np

from .construct import initial_assignment
from .feasibility import Infeasible, diagnose
from .model import build_model
from .problem import Problem, validate
from .report import Solution, build_solution
from .solve import ROUNDS_WITHOUT_GAIN, conflict_reason, run_search
from .threads import one_blas_thread


@one_blas_thread
def repair(
    problem: Problem,
    previous_assignment: Mapping[str, str | None],
    *,
    move_cost: float | None = None,
) -> Solution:
    """Balance `problem` starting from `previous_assignment` (participant id -> group id), moving few people.

    `problem` describes the situation now: participants who dropped out are simply absent, newcomers are
    present without a previous group, groups may have changed. Entries of `previous_assignment` for people or
    groups no longer in the problem are ignored.

    The approach is lexicographic when `move_cost` is None (the default):
    1. everyone who can stay in their previous group does, as far as the constraints allow: the first
       assignment is an integer program that minimises the number of people moved (and, with a waitlist,
       first seats as many people as possible);
    2. the search then balances the groups with each move away from one's previous group costing more than any
       gain in balance, so it only rearranges newcomers and people who had to move anyway.
    With a number, each move costs `move_cost` in units of SSB: the search then also moves people who stayed,
    whenever that improves SSB by more than `move_cost` per person moved.

    `Solution.moved` lists the participants now in another group than before (or on the waitlist).
    Raises ProblemError or Infeasible like `solve`.
    """
    started = time.monotonic()
    validate(problem)
    deadline = started + problem.time_limit - min(0.1 * problem.time_limit, 0.02 + 2e-5 * len(problem.participants))
    model = build_model(problem)
    reasons = diagnose(model)
    if reasons:
        raise Infeasible(reasons)

    previous_participant = np.full(len(model.ids), -1, dtype=np.intp)
    for participant_id, group_id in previous_assignment.items():
        if participant_id in model.index and group_id in model.group_index:
            previous_participant[model.index[participant_id]] = model.group_index[group_id]
    previous_unit = np.full(model.n_units, -1, dtype=np.intp)
    for u, members in enumerate(model.units):
        groups = [int(k) for k in previous_participant[members] if k >= 0]
        if groups:
            # A must-link set split before: it stays where most of its members were (the smallest group on ties).
            counts = Counter(groups)
            previous_unit[u] = min(counts, key=lambda k: (-counts[k], k))

    rng = np.random.default_rng(problem.seed)
    start = initial_assignment(model, rng, previous=previous_unit, time_limit=deadline - time.monotonic())
    # A repair keeps most people where they were, so a shorter search than solve's is enough.
    search = run_search(model, start, rng=rng, deadline=deadline, rounds=ROUNDS_WITHOUT_GAIN // 4,
                        previous=previous_unit, move_cost=move_cost)
    unit_group = search.assignment()
    reason = conflict_reason(model, unit_group)
    if reason:
        raise Infeasible([reason])
    group_of = unit_group[model.unit_of]
    moved = [
        model.ids[i] for i in range(len(model.ids))
        if previous_participant[i] >= 0 and group_of[i] != previous_participant[i]
    ]
    solution = build_solution(model, group_of, moved=moved)
    return replace(solution, seconds=time.monotonic() - started)
