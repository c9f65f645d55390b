"""Hard constraints and infeasibility explained in words (recruit.balancing)."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruit.balancing import (
    Attribute, Group, Infeasible, Participant, Problem, colleague_pairs, evaluate, solve,
)

ATTRIBUTES = (Attribute("gender", "categorical"), Attribute("age", "numeric"))


def gp(pid: str, slots=None, pinned=None, gender="F", age=50) -> Participant:
    return Participant(id=pid, values={"gender": gender, "age": age}, slots=slots, pinned=pinned)


def problem(participants, groups, **fields) -> Problem:
    return Problem(attributes=ATTRIBUTES, participants=tuple(participants), groups=tuple(groups), **fields)


def reasons_of(p: Problem) -> list:
    with pytest.raises(Infeasible) as caught:
        solve(p)
    return caught.value.reasons


# --- every constraint is honoured -------------------------------------------------------------------------


@st.composite
def constrained_problems(draw):
    n = draw(st.integers(3, 16))
    n_groups = draw(st.integers(2, 4))
    slots = ["mon", "tue", "wed"]
    participants = []
    for i in range(n):
        can = draw(st.lists(st.sampled_from(slots), unique=True, max_size=3))
        participants.append(gp(
            f"p{i}", slots=tuple(can) if can else None,
            gender=draw(st.sampled_from(["F", "M"])), age=draw(st.integers(28, 70)),
        ))
    groups = []
    for k in range(n_groups):
        low = draw(st.integers(0, 3))
        groups.append(Group(f"G{k}", low, low + draw(st.integers(0, 4)), slot=draw(st.sampled_from(slots + [None]))))
    ids = [p.id for p in participants]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda t: t[0] != t[1]),
                          max_size=6))
    together = draw(st.lists(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True), max_size=2))
    pins = draw(st.dictionaries(st.sampled_from(ids), st.sampled_from([g.id for g in groups]), max_size=2))
    participants = [
        Participant(p.id, p.values, p.slots, pins.get(p.id)) for p in participants
    ]
    return problem(
        participants, groups, cannot_link=tuple(pairs), must_link=tuple(tuple(t) for t in together),
        allow_unassigned=draw(st.booleans()), seed=draw(st.integers(0, 5)), time_limit=2.0,
        exact=draw(st.sampled_from(["auto", "never"])),
    )


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(constrained_problems())
def test_a_solution_never_breaks_a_constraint(p):
    try:
        solution = solve(p)
    except Infeasible as error:
        assert error.reasons and all(r.message for r in error.reasons)
        return
    assert evaluate(p, solution.assignment).violations == []
    groups = {g.id: g for g in p.groups}
    by_id = {q.id: q for q in p.participants}
    for pid, gid in solution.assignment.items():
        group, person = groups[gid], by_id[pid]
        assert person.slots is None or group.slot is None or group.slot in person.slots
        assert person.pinned in (None, gid)
    for g in solution.groups:
        assert groups[g.id].min_size <= g.size <= groups[g.id].max_size
    for a, b in p.cannot_link:
        assert a not in solution.assignment or solution.assignment.get(a) != solution.assignment.get(b)
    for members in p.must_link:
        assert len({solution.assignment.get(m) for m in members}) == 1
    if not p.allow_unassigned:
        assert solution.unassigned == []


def test_it_refuses_more_participants_than_seats_unless_a_waitlist_is_allowed():
    participants = [gp(f"p{i}") for i in range(7)]
    groups = [Group("A", 2, 3), Group("B", 2, 3)]
    (reason,) = reasons_of(problem(participants, groups))
    assert reason.message.startswith("There are 7 participants but the groups seat at most 6")
    solution = solve(problem(participants, groups, allow_unassigned=True))
    assert len(solution.unassigned) == 1 and len(solution.assignment) == 6


def test_it_refuses_minimum_sizes_that_need_more_people_than_there_are():
    (reason,) = reasons_of(problem([gp(f"p{i}") for i in range(5)], [Group("A", 3, 4), Group("B", 3, 4)]))
    assert reason.message == (
        "The groups need at least 6 participants (the sum of their minimum sizes) but there are only 5."
    )


def test_it_names_those_who_can_only_attend_a_slot_that_is_too_small():
    only_tuesday = [gp(f"t{i}", slots=("Tuesday 18:00",)) for i in range(7)]
    others = [gp(f"o{i}") for i in range(3)]
    groups = [Group("A", 0, 5, slot="Tuesday 18:00"), Group("B", 0, 5, slot="Thursday 17:00")]
    (reason,) = reasons_of(problem(only_tuesday + others, groups))
    assert reason.message.startswith("7 participants can only attend Tuesday 18:00, whose groups (A) hold at most 5")
    assert reason.participant_ids == tuple(f"t{i}" for i in range(7))


def test_it_checks_sets_of_slots_together():
    # Each slot on its own has room (4 + 4 seats), but 9 people can only come Monday or Tuesday.
    either = [gp(f"e{i}", slots=("mon", "tue")) for i in range(9)]
    groups = [Group("M", 0, 4, slot="mon"), Group("T", 0, 4, slot="tue"), Group("W", 0, 9, slot="wed")]
    (reason,) = reasons_of(problem(either, groups))
    assert reason.message.startswith("9 participants can only attend mon or tue, whose groups (M, T) hold at most 8")


def test_it_says_when_too_few_can_attend_to_fill_a_slots_groups():
    people = [gp(f"p{i}", slots=("mon",)) for i in range(8)] + [gp("q", slots=("mon", "fri"))]
    groups = [Group("M", 0, 9, slot="mon"), Group("F", 3, 4, slot="fri")]
    (reason,) = reasons_of(problem(people, groups))
    assert reason.message == "The groups meeting at fri (F) need at least 3 participants, but only 1 can attend: q."
    assert reason.participant_ids == ("q",)


def test_it_names_a_participant_who_fits_no_group():
    people = [gp("p1", slots=("sat",)), gp("p2"), gp("p3")]
    reasons = reasons_of(problem(people, [Group("A", 0, 3, slot="mon")]))
    assert reasons[0].message == "p1 cannot attend any group: they can come sat, and the groups meet mon."
    assert reasons[0].participant_ids == ("p1",)


def test_it_explains_must_link_sets_that_cannot_be_kept_together():
    people = [gp("a", slots=("mon",)), gp("b", slots=("tue",)), gp("c"), gp("d"), gp("e")]
    groups = [Group("M", 0, 3, slot="mon"), Group("T", 0, 3, slot="tue")]
    (apart,) = reasons_of(problem(people, groups, must_link=(("a", "b"),)))
    assert apart.message == "a, b must sit together, but no group meets at a time they can all attend."
    (too_big,) = reasons_of(problem(people, groups, must_link=(("a", "c", "d", "e"),)))
    assert too_big.message == "a, c, d, e must sit together (4 people), but the largest group holds 3."
    (both,) = reasons_of(problem(people, groups, must_link=(("c", "d"),), cannot_link=(("d", "c"),)))
    assert both.message == "c and d must sit together (must-link) but also apart (cannot-link)."
    assert both.participant_ids == ("c", "d")


def test_it_explains_pins_that_contradict_availability_or_links():
    people = [gp("a", slots=("mon",), pinned="T"), gp("b", pinned="M"), gp("c", pinned="M"), gp("d")]
    groups = [Group("M", 0, 3, slot="mon"), Group("T", 0, 3, slot="tue")]
    reasons = reasons_of(problem(people, groups, cannot_link=(("b", "c"),), must_link=(("a", "d"),)))
    messages = [r.message for r in reasons]
    assert "a is pinned to group T, which meets at tue, a time they cannot attend." in messages
    assert "b and c must be kept apart (cannot-link) but are both pinned to group M (directly or through a " \
           "must-link set)." in messages
    split = problem([gp("a", pinned="M"), gp("b", pinned="T")], groups, must_link=(("a", "b"),))
    (reason,) = reasons_of(split)
    assert reason.message == "a, b must sit together, but a, b are pinned to different groups (M, T)."
    crowded = problem([gp(f"p{i}", pinned="M") for i in range(4)], groups)
    (reason,) = reasons_of(crowded)
    assert reason.message.startswith("4 participants are pinned to group M")
    assert reason.participant_ids == ("p0", "p1", "p2", "p3")


def test_it_refuses_more_colleagues_than_groups():
    colleagues = [gp(f"c{i}") for i in range(6)]
    others = [gp(f"o{i}") for i in range(14)]
    pairs = colleague_pairs({**{p.id: "Legekontoret" for p in colleagues}, **{p.id: None for p in others}})
    groups = [Group(f"G{k}", 4, 4) for k in range(5)]
    (reason,) = reasons_of(problem(colleagues + others, groups, cannot_link=tuple(pairs)))
    assert reason.message.startswith("6 participants must all sit in different groups (cannot-link, e.g. "
                                     "colleagues from one practice), but there are only 5 groups they can join")
    assert reason.participant_ids == tuple(f"c{i}" for i in range(6))


def test_it_falls_back_to_a_general_reason_when_no_specific_check_applies():
    # Three pairs that must sit together cannot fill two groups of exactly three.
    people = [gp(p) for p in "abcdef"]
    groups = [Group("A", 3, 3), Group("B", 3, 3)]
    (reason,) = reasons_of(problem(people, groups, must_link=(("a", "b"), ("c", "d"), ("e", "f"))))
    assert reason.message.startswith("No assignment fits every group's minimum and maximum size")


def test_a_waitlist_takes_those_who_fit_no_group():
    people = [gp("p1", slots=("sat",)), gp("p2"), gp("p3")]
    solution = solve(problem(people, [Group("A", 0, 3, slot="mon")], allow_unassigned=True))
    assert solution.unassigned == ["p1"]
    assert solution.assignment == {"p2": "A", "p3": "A"}


def test_colleague_pairs_links_everyone_sharing_a_practice():
    pairs = colleague_pairs({"a": "x", "b": "y", "c": "x", "d": None, "e": "x"})
    assert pairs == [("a", "c"), ("a", "e"), ("c", "e")]


def test_pins_and_must_links_are_respected_in_a_feasible_problem():
    people = [gp(f"p{i}", age=30 + 3 * i, gender="FM"[i % 2]) for i in range(12)]
    people[0] = gp("p0", pinned="B")
    groups = [Group(g, 4, 4) for g in "ABC"]
    solution = solve(problem(people, groups, must_link=(("p1", "p2", "p3"),), cannot_link=(("p0", "p4"),)))
    assert solution.assignment["p0"] == "B"
    assert len({solution.assignment[p] for p in ("p1", "p2", "p3")}) == 1
    assert solution.assignment["p4"] != "B"


def brute_force_feasible(p: Problem) -> bool:
    """Try every assignment (the waitlist included when allowed)."""
    groups = list(p.groups)
    options = list(range(len(groups))) + ([None] if p.allow_unassigned else [])
    people = list(p.participants)
    index = {q.id: i for i, q in enumerate(people)}
    allowed = [
        [k for k in options if k is None and q.pinned is None
         or k is not None and (q.pinned in (None, groups[k].id))
         and (q.slots is None or groups[k].slot is None or groups[k].slot in q.slots)]
        for q in people
    ]
    apart = [(index[a], index[b]) for a, b in p.cannot_link]
    together = [[index[m] for m in members] for members in p.must_link]
    for choice in itertools.product(*allowed):
        sizes = [0] * len(groups)
        for k in choice:
            if k is not None:
                sizes[k] += 1
        if any(not g.min_size <= size <= g.max_size for g, size in zip(groups, sizes)):
            continue
        if any(choice[a] is not None and choice[a] == choice[b] for a, b in apart):
            continue
        if any(len({choice[m] for m in members}) > 1 for members in together):
            continue
        return True
    return False


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(constrained_problems().filter(lambda p: len(p.participants) <= 6 and len(p.groups) <= 3))
def test_it_refuses_a_problem_exactly_when_no_assignment_exists(p):
    p = Problem(**{**p.__dict__, "exact": "auto"})
    try:
        solve(p)
        solved = True
    except Infeasible:
        solved = False
    assert solved == brute_force_feasible(p)


def test_an_empty_pool_gives_empty_groups():
    solution = solve(problem([], [Group("A", 0, 4), Group("B", 0, 4)]))
    assert solution.assignment == {} and [g.size for g in solution.groups] == [0, 0]
    assert solution.ssb == 0.0 and solution.index is None
