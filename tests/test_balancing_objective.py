"""The balance objective: feature matrix, SSB, SST, index and the group reports (recruit.balancing)."""

import math

import numpy as np
import pytest

from recruit.balancing import Attribute, Group, Participant, Problem, evaluate, solve
from recruit.balancing.features import feature_matrix


def four_gps(**overrides) -> Problem:
    """Two women aged 30 and 40, two men aged 50 and 60, into two groups of two."""
    values = [("F", 30), ("F", 40), ("M", 50), ("M", 60)]
    fields = dict(
        attributes=(Attribute("gender", "categorical"), Attribute("age", "numeric")),
        participants=tuple(
            Participant(id=f"p{i + 1}", values={"gender": g, "age": a}) for i, (g, a) in enumerate(values)
        ),
        groups=(Group("A", 2, 2), Group("B", 2, 2)),
    )
    fields.update(overrides)
    return Problem(**fields)


# The hand computation behind the tests below.
#   gender: p_F = p_M = 1/2, so the F column is (1 - 1/2)/sqrt(1/4) = +1 for women and -1 for men; M the reverse.
#   age: mean 45, population sd sqrt((15² + 5² + 5² + 15²)/4) = sqrt(125); z = (-3, -1, 1, 3)/sqrt(5).
#   k-plus column: z² = (1.8, 0.2, 0.2, 1.8), mean 1, sd 0.8, standardised (1, -1, -1, 1).
#   Every column has mean 0 and variance 1 over the 4 people, so SST = 4 columns × 4 people = 16.
#   {p1, p2} | {p3, p4}: S_A = (2, -2, -4/sqrt(5), 0), |S_A|² = 4 + 4 + 16/5 = 11.2, so SSB = 11.2/2 × 2 = 11.2
#   {p1, p4} | {p2, p3}: S_A = (0, 0, 0, 2), SSB = 4/2 + 4/2 = 4
#   {p1, p3} | {p2, p4}: S_A = (0, 0, -2/sqrt(5), 0), SSB = 0.8/2 + 0.8/2 = 0.8, the best split;
#   its index is (0.8/16) / ((2 - 1)/(4 - 1)) = 0.15.


def test_the_feature_matrix_follows_the_hand_computation():
    features = feature_matrix(four_gps())
    r5 = math.sqrt(5)
    expected = np.array([
        [1, -1, -3 / r5, 1],
        [1, -1, -1 / r5, -1],
        [-1, 1, 1 / r5, -1],
        [-1, 1, 3 / r5, 1],
    ])
    assert np.allclose(features.matrix, expected)
    assert [(c.attribute, c.kind, c.level) for c in features.columns] == [
        ("gender", "level", "F"), ("gender", "level", "M"), ("age", "mean", None), ("age", "spread", None),
    ]


@pytest.mark.parametrize(
    ("assignment", "ssb"),
    [
        ({"p1": "A", "p2": "A", "p3": "B", "p4": "B"}, 11.2),
        ({"p1": "A", "p4": "A", "p2": "B", "p3": "B"}, 4.0),
        ({"p1": "A", "p3": "A", "p2": "B", "p4": "B"}, 0.8),
    ],
)
def test_evaluate_reports_the_hand_computed_ssb(assignment, ssb):
    solution = evaluate(four_gps(), assignment)
    assert solution.ssb == pytest.approx(ssb)
    assert solution.sst == pytest.approx(16.0)
    assert solution.violations == []


def test_solve_finds_the_best_split_and_its_index():
    solution = solve(four_gps())
    groups = sorted(sorted(g.members) for g in solution.groups)
    assert groups == [["p1", "p3"], ["p2", "p4"]]
    assert solution.ssb == pytest.approx(0.8)
    assert solution.index == pytest.approx(0.15)
    assert solution.optimal is True
    assert solution.lower_bound == pytest.approx(0.8)


def test_a_weight_scales_the_attributes_columns_by_its_square_root():
    problem = four_gps(attributes=(Attribute("gender", "categorical"), Attribute("age", "numeric", weight=4.0)))
    solution = evaluate(problem, {"p1": "A", "p2": "A", "p3": "B", "p4": "B"})
    # age columns are doubled: SST = 2 × 4 + 2 × 4 × 4 = 40; S_A = (2, -2, -8/sqrt(5), 0): 4 + 4 + 12.8 = 20.8
    assert solution.sst == pytest.approx(40.0)
    assert solution.ssb == pytest.approx(20.8)


def test_a_missing_number_counts_as_the_mean_and_a_missing_category_as_its_own_level():
    problem = Problem(
        attributes=(Attribute("age", "numeric"), Attribute("county", "categorical")),
        participants=(
            Participant("a", {"age": 40, "county": "Agder"}),
            Participant("b", {"age": 60, "county": "Agder"}),
            Participant("c", {"county": None}),
        ),
        groups=(Group("G", 0, 3),),
    )
    features = feature_matrix(problem)
    mean_column = [c.kind for c in features.columns].index("mean")
    assert features.matrix[2, mean_column] == 0.0
    levels = [c.level for c in features.columns if c.attribute == "county"]
    assert levels == ["Agder", None]


def test_a_column_without_variation_is_dropped():
    problem = four_gps(participants=tuple(
        Participant(id=f"p{i}", values={"gender": "F", "age": 30 + 10 * i}) for i in range(4)
    ))
    assert [c.attribute for c in feature_matrix(problem).columns] == ["age", "age"]


def test_the_waitlist_counts_in_the_pool_but_not_in_sst():
    problem = four_gps(groups=(Group("A", 1, 2), Group("B", 1, 2)), allow_unassigned=True)
    solution = evaluate(problem, {"p1": "A", "p2": "B", "p3": "A"})
    # p4's row (-1, 1, 3/sqrt(5), 1) has |z|² = 4.8 and leaves SST: 16 - 4.8
    assert solution.sst == pytest.approx(11.2)
    assert solution.unassigned == ["p4"]
    # S_A = p1 + p3 = (0, 0, -2/sqrt(5), 0) → 0.8/2; S_B = p2 = (1, -1, -1/sqrt(5), -1) → 3.2
    assert solution.ssb == pytest.approx(0.4 + 3.2)
    # N = 3 seated, K = 2: index = (3.6/11.2) / (1/2)
    assert solution.index == pytest.approx(3.6 / 11.2 * 2)


def test_the_index_is_undefined_with_a_single_group():
    problem = four_gps(groups=(Group("A", 4, 4),))
    assert solve(problem).index is None


def test_the_group_report_lists_counts_against_expected_counts_and_numeric_ranges():
    solution = evaluate(four_gps(), {"p1": "A", "p2": "A", "p3": "B", "p4": "B"})
    group_a = solution.groups[0]
    assert group_a.size == 2
    assert [(c.level, c.count, c.expected) for c in group_a.categorical["gender"]] == [("F", 2, 1.0), ("M", 0, 1.0)]
    age = group_a.numeric["age"]
    assert (age.mean, age.min, age.max, age.pool_mean) == (35.0, 30.0, 40.0, 45.0)
    # Its largest deviations are the gender columns (4 each of its 5.6) then the age mean (1.6).
    assert [d.text for d in group_a.deviations] == [
        "gender F: 2 of 2 (expected 1.0)",
        "gender M: 0 of 2 (expected 1.0)",
        "age: mean 35.0 (pool 45.0)",
    ]
