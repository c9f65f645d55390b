"""`solve`: from a problem to balanced groups.

1. Validate, compile (`model`) and explain infeasibility in words (`feasibility`).
2. A first assignment that respects sizes, availability, pins and must-link sets (`construct`).
3. Local search, then iterated local search (`search`); cannot-link conflicts are removed first.
4. For small studies, the exact mode proves the optimum or improves on the search (`exact`).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from .construct import initial_assignment
from .exact import COLUMN_LIMIT_ALWAYS, COLUMN_LIMIT_AUTO, count_columns, solve_exact
from .feasibility import Infeasible, Reason, diagnose
from .model import Model, build_model
from .problem import Problem, validate
from .report import Solution, build_solution
from .search import EPS, STEEPEST_UNITS, Search
from .threads import one_blas_thread

# Iterated local search stops after this many rounds without a better solution (or at the time limit).
ROUNDS_WITHOUT_GAIN = 1200
# Small problems run the iterated local search this many times from different starts (see run_search).
SMALL_RESTARTS = 4
# Before the exact mode, the search only provides a starting point: this share of the time limit at most.
SEARCH_SHARE_BEFORE_EXACT = 0.1


@one_blas_thread
def solve(problem: Problem) -> Solution:
    """Split the participants into groups that each mirror the pool; see the package docstring.

    Raises ProblemError for a malformed problem and Infeasible (with reasons) when no assignment exists.
    The same problem and seed give the same solution, unless the time limit cuts the search short.
    """
    started = time.monotonic()
    validate(problem)
    # Keep back the time the report takes (about 20 µs a participant) so the answer arrives within the limit.
    reserve = min(0.1 * problem.time_limit, 0.02 + 2e-5 * len(problem.participants))
    deadline = started + problem.time_limit - reserve
    model = build_model(problem)
    reasons = diagnose(model)
    if reasons:
        raise Infeasible(reasons)
    rng = np.random.default_rng(problem.seed)
    start = initial_assignment(model, rng, time_limit=deadline - time.monotonic())

    use_exact = False
    if problem.exact != "never":
        limit = COLUMN_LIMIT_AUTO if problem.exact == "auto" else COLUMN_LIMIT_ALWAYS
        use_exact = count_columns(model, stop_above=limit) <= limit

    search_deadline = deadline
    rounds = ROUNDS_WITHOUT_GAIN
    if use_exact:
        search_deadline = min(deadline, started + SEARCH_SHARE_BEFORE_EXACT * problem.time_limit)  # then exact
        rounds = ROUNDS_WITHOUT_GAIN // 5
    search = run_search(model, start, rng=rng, deadline=search_deadline, rounds=rounds,
                        restarts=1 if use_exact else SMALL_RESTARTS)
    unit_group = search.assignment()

    optimal, lower_bound = False, None
    if use_exact:
        incumbent = unit_group if search.conflicts == 0 else None
        result = solve_exact(
            model,
            incumbent=incumbent,
            deadline=deadline,
            assigned_weight=int(model.weight[unit_group >= 0].sum()) if problem.allow_unassigned else None,
        )
        if result.group_of is None and result.optimal and not problem.allow_unassigned:
            raise Infeasible([Reason(
                "No assignment satisfies all the constraints together (proven by the exact solver); "
                "check the cannot-link pairs against the group sizes and times."
            )])
        if result.group_of is not None:
            unit_group = result.group_of
        # With a waitlist, the optimum is proven for the number seated; that number is the most possible
        # only if the first assignment (which ignores cannot-link pairs) could not seat more.
        seats_most = not problem.allow_unassigned or bool(
            model.weight[unit_group >= 0].sum() == model.weight[start >= 0].sum())
        optimal = bool(result.optimal and seats_most)
        lower_bound = result.lower_bound if seats_most else None
    reason = conflict_reason(model, unit_group)
    if reason:
        raise Infeasible([reason])
    group_of = _participant_groups(model, unit_group)
    solution = build_solution(model, group_of, optimal=optimal, lower_bound=lower_bound)
    return replace(solution, lower_bound=solution.ssb if optimal else solution.lower_bound,
                   seconds=time.monotonic() - started)


def run_search(
    model: Model,
    start: np.ndarray,
    *,
    rng: np.random.Generator,
    deadline: float,
    rounds: int,
    previous: np.ndarray | None = None,
    move_cost: float | None = None,
    restarts: int = 1,
) -> Search:
    """Descend to a local optimum, then iterate; return the search holding the best assignment found.

    Small problems (steepest descent) accept slightly worse solutions on the way and, with `restarts` > 1,
    start again from fresh first assignments: their landscape is rugged once slots and colleagues restrict
    the swaps (on the benchmark's 60 GPs with both, this brought the worst of six seeds from 4.6% to 1.2% above
    the optimum). Large problems run once: a descent alone already takes seconds there.
    """
    best = None
    small = model.n_units <= STEEPEST_UNITS
    runs = restarts if small else 1
    for run in range(runs):
        if run and time.monotonic() > deadline:
            break
        if run:
            start = initial_assignment(model, rng, previous=previous, time_limit=deadline - time.monotonic())
        search = Search(model, start, rng=rng, deadline=deadline, previous=previous, move_cost=move_cost)
        search.descend()
        if small:
            search.iterate(rounds_without_gain=max(1, rounds // runs), strength=6, threshold=0.004)
        else:
            search.iterate(rounds_without_gain=rounds, strength=3, threshold=0.0)
        if best is None or _better(search, best):
            best = search
    return best


def _better(search: Search, than: Search) -> bool:
    if search.penalty < than.penalty - EPS:
        return True
    return search.penalty <= than.penalty + EPS and search.balance < than.balance - EPS


def _participant_groups(model: Model, unit_group: np.ndarray) -> np.ndarray:
    return unit_group[model.unit_of]


def conflict_reason(model: Model, unit_group: np.ndarray) -> Reason | None:
    """The cannot-link pairs the search could not separate, as a reason; None when there are none."""
    group_of = unit_group[model.unit_of]
    pairs = [(model.ids[a], model.ids[b]) for a, b in model.cannot_link if group_of[a] >= 0 and group_of[a] == group_of[b]]
    if not pairs:
        return None
    return Reason(
        "Could not keep these participants apart (cannot-link) within the time limit: "
        + "; ".join(f"{a} and {b}" for a, b in pairs[:12])
        + (f" and {len(pairs) - 12} more pairs" if len(pairs) > 12 else "")
        + ". Allow more time, add groups, or remove some pairs.",
        tuple(dict.fromkeys(pid for pair in pairs for pid in pair)),
    )
