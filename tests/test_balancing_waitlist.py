"""Leaving participants out when seats run short (recruit.balancing, allow_unassigned)."""

import itertools

import numpy as np
import pytest

from recruit.balancing import Attribute, Group, Participant, Problem, colleague_pairs, solve
from recruit.balancing.features import feature_matrix
from recruit.balancing.objective import ssb

ATTRIBUTES = (Attribute("gender", "categorical"), Attribute("age", "numeric"))


def pool(ages_and_genders) -> tuple:
    return tuple(Participant(f"p{i}", {"gender": g, "age": a}) for i, (a, g) in enumerate(ages_and_genders))


def test_it_seats_as_many_as_the_groups_hold():
    people = pool([(30 + 3 * i, "FM"[i % 2]) for i in range(10)])
    solution = solve(Problem(ATTRIBUTES, people, (Group("A", 2, 4), Group("B", 2, 4)), allow_unassigned=True))
    assert len(solution.assignment) == 8
    assert len(solution.unassigned) == 2


def test_it_leaves_out_those_whose_absence_keeps_the_groups_closest_to_the_pool():
    people = pool([(30, "F"), (35, "M"), (40, "F"), (45, "M"), (50, "F"), (55, "M"), (90, "F")])
    problem = Problem(ATTRIBUTES, people, (Group("A", 3, 3), Group("B", 3, 3)), allow_unassigned=True,
                      exact="never", time_limit=5)
    Z = feature_matrix(problem).matrix
    best = min(
        ssb(Z, np.array(choice), 2)
        for choice in itertools.product([-1, 0, 1], repeat=7)
        if list(choice).count(0) == 3 and list(choice).count(1) == 3
    )
    solution = solve(problem)
    assert solution.ssb == pytest.approx(best)
    assert len(solution.unassigned) == 1


def test_it_waitlists_a_colleague_rather_than_seating_two_together():
    colleagues = [f"p{i}" for i in range(3)]
    people = pool([(30 + 5 * i, "FM"[i % 2]) for i in range(5)])
    problem = Problem(ATTRIBUTES, people, (Group("A", 0, 3), Group("B", 0, 3)),
                      cannot_link=tuple(colleague_pairs({pid: "Storgata legesenter" for pid in colleagues})),
                      allow_unassigned=True)
    solution = solve(problem)
    assert len(solution.unassigned) == 1
    assert solution.unassigned[0] in colleagues
    seated = [solution.assignment[c] for c in colleagues if c in solution.assignment]
    assert len(set(seated)) == 2
