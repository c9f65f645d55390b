"""The exact mode: proven optima, proven infeasibility, and time limits (recruit.balancing.exact)."""

import itertools
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruit.balancing import Attribute, Group, Infeasible, Participant, Problem, solve
from recruit.balancing.construct import initial_assignment
from recruit.balancing.exact import solve_exact
from recruit.balancing.features import feature_matrix
from recruit.balancing.model import build_model
from recruit.balancing.objective import ssb

ATTRIBUTES = (Attribute("gender", "categorical"), Attribute("county", "categorical"), Attribute("age", "numeric"))


@st.composite
def tiny_problems(draw):
    n = draw(st.integers(3, 7))
    participants = tuple(
        Participant(
            id=f"p{i}",
            values={"gender": draw(st.sampled_from("FM")), "county": draw(st.sampled_from(["Agder", "Viken", None])),
                    "age": draw(st.integers(28, 70))},
            slots=draw(st.sampled_from([None, ("mon",), ("tue",), ("mon", "tue")])),
        )
        for i in range(n)
    )
    groups = []
    for k in range(draw(st.integers(2, 3))):
        low = draw(st.integers(0, 2))
        groups.append(Group(f"G{k}", low, low + draw(st.integers(0, 2)), slot=draw(st.sampled_from([None, "mon", "tue"]))))
    ids = [p.id for p in participants]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda t: t[0] != t[1]),
                          max_size=3))
    return Problem(ATTRIBUTES, participants, tuple(groups), cannot_link=tuple(pairs),
                   allow_unassigned=draw(st.booleans()), exact="always", time_limit=20)


def brute_force(p: Problem):
    """(most seated, least SSB among those) over every assignment, or None if none is feasible."""
    Z = feature_matrix(p).matrix
    groups = list(p.groups)
    options = list(range(len(groups))) + ([-1] if p.allow_unassigned else [])
    index = {q.id: i for i, q in enumerate(p.participants)}
    apart = [(index[a], index[b]) for a, b in p.cannot_link]
    best = None
    for choice in itertools.product(options, repeat=len(p.participants)):
        group_of = np.array(choice)
        sizes = np.bincount(group_of[group_of >= 0], minlength=len(groups))
        if any(not g.min_size <= s <= g.max_size for g, s in zip(groups, sizes)):
            continue
        if any(group_of[a] >= 0 and group_of[a] == group_of[b] for a, b in apart):
            continue
        if any(k >= 0 and q.slots is not None and groups[k].slot is not None and groups[k].slot not in q.slots
               for q, k in zip(p.participants, choice)):
            continue
        key = (-int((group_of >= 0).sum()), ssb(Z, group_of, len(groups)))
        best = key if best is None or key < best else best
    return best


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_the_exact_mode_matches_brute_force_on_tiny_problems(p):
    expected = brute_force(p)
    try:
        solution = solve(p)
    except Infeasible:
        assert expected is None
        return
    assert expected is not None
    assert len(solution.assignment) == -expected[0]
    assert solution.ssb == pytest.approx(expected[1], abs=1e-7)
    assert solution.optimal is True
    assert solution.lower_bound == pytest.approx(solution.ssb)


def odd_cycle_problem(exact: str) -> Problem:
    """Five people linked in a ring of cannot-links cannot be split into two groups (an odd cycle)."""
    people = tuple(Participant(f"p{i}", {"gender": "FM"[i % 2], "county": "Agder", "age": 40 + i}) for i in range(5))
    ring = tuple((f"p{i}", f"p{(i + 1) % 5}") for i in range(5))
    return Problem(ATTRIBUTES, people, (Group("A", 2, 3), Group("B", 2, 3)), cannot_link=ring, exact=exact,
                   time_limit=2)


def test_it_proves_infeasibility_that_the_quick_checks_miss():
    with pytest.raises(Infeasible) as caught:
        solve(odd_cycle_problem("auto"))
    assert caught.value.reasons[0].message.startswith(
        "No assignment satisfies all the constraints together (proven by the exact solver)"
    )


def test_without_the_exact_mode_it_names_the_pairs_it_could_not_separate():
    with pytest.raises(Infeasible) as caught:
        solve(odd_cycle_problem("never"))
    (reason,) = caught.value.reasons
    assert reason.message.startswith("Could not keep these participants apart (cannot-link) within the time limit:")
    assert set(reason.participant_ids) <= {f"p{i}" for i in range(5)}
    assert reason.participant_ids


def test_when_time_runs_out_it_returns_the_best_known_solution_unproven():
    people = tuple(Participant(f"p{i}", {"gender": "FM"[i % 2], "county": "Agder", "age": 30 + i}) for i in range(12))
    model = build_model(Problem(ATTRIBUTES, people, tuple(Group(f"G{k}", 3, 3) for k in range(4))))
    incumbent = initial_assignment(model, np.random.default_rng(0))
    result = solve_exact(model, incumbent=incumbent, deadline=time.monotonic())
    assert result.optimal is False
    assert np.array_equal(result.group_of, incumbent)


def test_auto_mode_leaves_large_studies_to_the_search():
    rng = np.random.default_rng(0)
    people = tuple(Participant(f"p{i}", {"gender": str(rng.choice(["F", "M"])), "county": "Agder",
                                         "age": int(rng.integers(30, 70))}) for i in range(100))
    solution = solve(Problem(ATTRIBUTES, people, tuple(Group(f"G{k}", 10, 10) for k in range(10)), time_limit=1))
    assert solution.optimal is False
    assert solution.lower_bound is None
    assert len(solution.assignment) == 100
