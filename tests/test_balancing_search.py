"""The local search's delta algebra and determinism (recruit.balancing.search, recruit.balancing.solve)."""

import time

import numpy as np
import pytest

from recruit.balancing import Attribute, Group, Participant, Problem, solve
from recruit.balancing.model import build_model
from recruit.balancing.objective import ssb
from recruit.balancing.search import Search


def random_problem(draw: int, n: int = 14, n_groups: int = 4, **overrides) -> Problem:
    rng = np.random.default_rng(draw)
    participants = tuple(
        Participant(
            id=f"p{i}",
            values={"gender": str(rng.choice(["F", "M"])), "age": float(rng.integers(30, 70))},
            slots=tuple(s for s in ("mon", "tue") if rng.random() < 0.8) or ("mon",),
        )
        for i in range(n)
    )
    fields = dict(
        attributes=(Attribute("gender", "categorical"), Attribute("age", "numeric")),
        participants=participants,
        groups=tuple(Group(f"G{k}", 1, n, slot=("mon", "tue")[k % 2]) for k in range(n_groups)),
        cannot_link=(("p0", "p1"), ("p2", "p3"), ("p0", "p5")),
        must_link=(("p6", "p7"),),
    )
    fields.update(overrides)
    return Problem(**fields)


def objective(search: Search, group_of: np.ndarray) -> float:
    """Everything the search minimises, recomputed from scratch for the units' assignment `group_of`."""
    model = search.model
    participant_group = np.where(group_of[model.unit_of] == search.K, -1, group_of[model.unit_of])
    value = ssb(model.Z, participant_group, model.n_groups)
    for a, b in model.cannot_link:
        if participant_group[a] >= 0 and participant_group[a] == participant_group[b]:
            value += search.lam_link
    value += search.lam_wait * float(model.weight[group_of == search.K].sum()) if search.waitlist else 0.0
    if search.prev is not None:
        value += search.move_cost * float(((search.prev >= 0) & (group_of != search.prev)).sum())
    return value


@pytest.mark.parametrize("waitlist", [False, True])
@pytest.mark.parametrize("with_previous", [False, True])
def test_every_swap_and_move_value_matches_recomputing_the_objective(waitlist, with_previous):
    problem = random_problem(3, allow_unassigned=waitlist)
    model = build_model(problem)
    rng = np.random.default_rng(0)
    start = rng.integers(-1 if waitlist else 0, model.n_groups, size=model.n_units)
    previous = rng.integers(-1, model.n_groups, size=model.n_units) if with_previous else None
    search = Search(model, start, rng=rng, deadline=time.monotonic() + 60, previous=previous, move_cost=0.7)
    before = objective(search, search.g)
    swaps, moves = search.evaluate(np.arange(search.U))
    checked = 0
    for a in range(search.U):
        for b in range(search.U):
            if np.isfinite(swaps[a, b]) and search.g[a] != search.g[b]:
                after = search.g.copy()
                after[a], after[b] = search.g[b], search.g[a]
                assert swaps[a, b] == pytest.approx(objective(search, after) - before, rel=1e-9, abs=1e-9)
                checked += 1
        for h in range(search.n_slots):
            if np.isfinite(moves[a, h]):
                after = search.g.copy()
                after[a] = h
                assert moves[a, h] == pytest.approx(objective(search, after) - before, rel=1e-9, abs=1e-9)
                checked += 1
    assert checked > 50


def test_a_batch_of_rows_gets_the_same_values_as_the_full_matrix():
    model = build_model(random_problem(4, n=40, n_groups=6))
    rng = np.random.default_rng(1)
    search = Search(model, rng.integers(0, model.n_groups, size=model.n_units), rng=rng,
                    deadline=time.monotonic() + 60)
    full, _ = search.evaluate(np.arange(search.U))
    rows = np.array([3, 17, 5])
    part, _ = search.evaluate(rows)
    assert np.array_equal(np.isfinite(part), np.isfinite(full[rows]))
    finite = np.isfinite(part)
    assert np.allclose(part[finite], full[rows][finite])


def test_applied_changes_keep_the_running_figures_exact():
    model = build_model(random_problem(5, n=30, n_groups=5, allow_unassigned=True))
    rng = np.random.default_rng(2)
    search = Search(model, rng.integers(-1, model.n_groups, size=model.n_units), rng=rng,
                    deadline=time.monotonic() + 60)
    search.descend()
    ssb_running, conflicts_running = search.ssb, search.conflicts
    search.recompute()
    assert search.ssb == pytest.approx(ssb_running, abs=1e-9)
    assert search.conflicts == conflicts_running


def test_the_same_seed_gives_the_same_groups():
    groups = tuple(Group(f"G{k}", 6, 6, slot=("mon", "tue")[k % 2]) for k in range(4))
    problem = random_problem(6, n=24, groups=groups, exact="never", time_limit=60, seed=11)
    first, second = solve(problem), solve(problem)
    assert first.assignment == second.assignment
    assert first.ssb == second.ssb
