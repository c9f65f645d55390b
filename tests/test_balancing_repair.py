"""Re-balancing after dropouts while moving few people (recruit.balancing.repair)."""

import pytest

from recruit.balancing import Attribute, Group, Participant, Problem, evaluate, repair, solve

ATTRIBUTES = (Attribute("gender", "categorical"), Attribute("age", "numeric"))
GROUPS = tuple(Group(g, 4, 6) for g in "ABCD")


def gps(count: int, start: int = 0) -> list:
    return [Participant(f"p{i}", {"gender": "FM"[i % 2], "age": 30 + (7 * i) % 35}) for i in range(start, start + count)]


def before() -> tuple[Problem, dict]:
    people = gps(20)
    previous = {p.id: "ABCD"[i // 5] for i, p in enumerate(people)}  # five per group
    return Problem(ATTRIBUTES, tuple(people), GROUPS, seed=3), previous


def after_dropouts(extra=()) -> tuple[Problem, dict]:
    problem, previous = before()
    dropouts = {"p0", "p1", "p2"}  # three of group A's five: A falls below its minimum of 4
    people = tuple(p for p in problem.participants if p.id not in dropouts) + tuple(extra)
    return Problem(ATTRIBUTES, people, GROUPS, seed=3), previous


def test_it_moves_only_as_many_people_as_the_dropouts_require():
    problem, previous = after_dropouts()
    solution = repair(problem, previous)
    assert evaluate(problem, solution.assignment).violations == []
    assert len(solution.moved) == 2  # group A needs two more; each other group can spare one
    assert all(solution.assignment[p] == previous[p] for p in solution.assignment if p not in solution.moved)


def test_newcomers_fill_the_gap_before_anyone_moves():
    problem, previous = after_dropouts(extra=gps(2, start=20))
    solution = repair(problem, previous)
    assert solution.moved == []
    assert solution.assignment["p20"] == solution.assignment["p21"] == "A"


def test_nothing_moves_when_nothing_changed():
    problem, _ = before()
    first = solve(problem)
    assert repair(problem, first.assignment).moved == []


def test_a_move_cost_trades_moves_for_balance():
    problem, previous = after_dropouts()
    fewest = repair(problem, previous)
    balanced = repair(problem, previous, move_cost=0.0)
    assert balanced.ssb <= fewest.ssb + 1e-9
    assert len(balanced.moved) >= len(fewest.moved)
    assert balanced.ssb == pytest.approx(solve(problem).ssb, rel=0.05)
