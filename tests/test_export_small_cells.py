"""Small-cell protection: no count under k is shown, and no hidden count can be recomputed.

The check is independent of the algorithm: a linear programme finds, for every hidden cell,
the least and the greatest value consistent with everything published (the visible cells,
each column's n and, when the groups partition the cohort, each row's overall count). The
constraint matrix of such a table is totally unimodular, so the LP bounds are whole numbers.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from recruit.anonymise.bands import Band, bands_from_edges, bands_of_width, parse_edges
from recruit.anonymise.small_cells import protect, protect_marked
from recruit.anonymise.table1 import Texts, Variable, build_table1, check_k


def feasible_range(counts, totals, hidden, partition, bounds=None):
    """{cell: (least, greatest)} value of each hidden cell given what is published.

    bounds: {cell: (least, greatest)} a reader knows from a cell's mark; by default 0..the column's n.
    """
    cells = sorted(hidden)
    index = {cell: i for i, cell in enumerate(cells)}
    rows, columns = len(counts), len(totals)
    equations, right = [], []
    for c in range(columns):
        line = np.zeros(len(cells))
        rest = totals[c]
        for r in range(rows):
            if (r, c) in index:
                line[index[(r, c)]] = 1
            else:
                rest -= counts[r][c]
        equations.append(line)
        right.append(rest)
    if partition:
        for r in range(rows):
            line = np.zeros(len(cells))
            rest = 0
            for c in range(columns):
                sign = 1 if c == 0 else -1
                if (r, c) in index:
                    line[index[(r, c)]] = sign
                else:
                    rest -= sign * counts[r][c]
            equations.append(line)
            right.append(rest)
    bounds = [(bounds or {}).get(cell, (0, totals[cell[1]])) for cell in cells]
    ranges = {}
    for cell, i in index.items():
        objective = np.zeros(len(cells))
        objective[i] = 1
        low = linprog(objective, A_eq=equations, b_eq=right, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=equations, b_eq=right, bounds=bounds, method="highs")
        assert low.status == 0 and high.status == 0
        ranges[cell] = (round(low.fun), round(-high.fun))
    return ranges


def partitioned_table(groups):
    """counts[row][column] with column 0 the sum of the group columns."""
    rows = len(groups[0])
    counts = [[sum(group[r] for group in groups)] + [group[r] for group in groups] for r in range(rows)]
    totals = [sum(row[c] for row in counts) for c in range(len(groups) + 1)]
    return counts, totals


def test_counts_below_k_are_hidden_and_the_rest_shown():
    counts, totals = partitioned_table([[10, 12], [7, 6]])
    primary, complementary = protect(counts, totals, 5)
    assert primary == set() and complementary == set()

    counts, totals = partitioned_table([[10, 2], [7, 6], [8, 9]])
    primary, complementary = protect(counts, totals, 5)
    assert primary == {(1, 1)}
    hidden = primary | complementary
    # The 2 cannot be recomputed from the column's n, nor from the row's overall count.
    assert sum(1 for cell in hidden if cell[1] == 1) >= 2
    assert sum(1 for cell in hidden if cell[0] == 1) >= 2


def test_a_lone_hidden_cell_is_protected_by_the_smallest_other_count():
    # Column: 3 women, 9 men, 14 not recorded; hiding 3 alone would leave it as 26 - 9 - 14.
    primary, complementary = protect([[3], [9], [14]], [26], 5, overall_column=None)
    assert primary == {(0, 0)}
    assert complementary == {(1, 0)}


def test_hidden_zeros_that_nonnegativity_pins_do_not_count_as_protection():
    # Groups of 1 and 2 hidden whole; 3 = 0 + (1 + 2) would pin them without a further cell.
    counts = [[3, 0, 1, 2], [1, 1, 0, 0], [2, 2, 0, 0]]
    primary, complementary = protect(counts, [6, 3, 1, 2], 3)
    ranges = feasible_range(counts, [6, 3, 1, 2], primary | complementary, partition=True)
    assert all(low < high for cell, (low, high) in ranges.items() if counts[cell[0]][cell[1]])


def test_a_group_smaller_than_k_shows_no_breakdown():
    counts, totals = partitioned_table([[3, 0], [6, 7], [5, 5]])
    primary, _ = protect(counts, totals, 5)
    assert {(0, 1), (1, 1)} <= primary


@settings(max_examples=80, deadline=None)
@given(
    groups=st.lists(st.lists(st.integers(0, 9), min_size=3, max_size=3), min_size=2, max_size=4),
    k=st.integers(3, 6),
)
def test_no_hidden_count_can_be_recomputed_from_the_published_cells(groups, k):
    counts, totals = partitioned_table(groups)
    primary, complementary = protect(counts, totals, k)
    hidden = primary | complementary
    for r, row in enumerate(counts):
        for c, value in enumerate(row):
            if 0 < value < k:
                assert (r, c) in hidden
    if not hidden or sum(1 for row in counts if row[0]) < 2:
        return  # when everyone shares one category the overall column already says so
    for cell, (low, high) in feasible_range(counts, totals, hidden, partition=True).items():
        if counts[cell[0]][cell[1]] == 0:
            continue  # a zero told is no one's count
        assert low < high, f"cell {cell}={counts[cell[0]][cell[1]]} is exactly {low} in {counts}"


@settings(max_examples=80, deadline=None)
@given(column=st.lists(st.integers(0, 12), min_size=2, max_size=5), k=st.integers(3, 6))
def test_without_row_relations_each_column_hides_at_least_two_cells(column, k):
    counts = [[value] for value in column]
    totals = [sum(column)]
    primary, complementary = protect(counts, totals, k, overall_column=None)
    hidden = primary | complementary
    if not hidden or totals[0] == 0:
        return
    for cell, (low, high) in feasible_range(counts, totals, hidden, partition=False).items():
        if counts[cell[0]][cell[1]] == 0:
            continue
        assert low < high


def marked_bounds(counts, totals, k, primary, complementary):
    """What "<k" tells a reader: a primary count is 1..k-1 (0..k-1 where the column's n is under k); since
    every such count shows as "<k", any other hidden count is 0 or at least k. A reader cannot use "0 or at
    least k" in a linear programme, so a hidden 0 is taken as known: the test only gets stricter."""
    bounds = {}
    for r, c in primary:
        bounds[(r, c)] = (0 if totals[c] < k else 1, k - 1)
    for r, c in complementary:
        value = counts[r][c]
        bounds[(r, c)] = (0, 0) if value == 0 else (k, totals[c])
    return bounds


def test_a_small_count_is_shown_as_fewer_than_k_when_its_partner_keeps_it_open():
    # 3 + 9 + 14 = 26: "<5" and a hidden count of at least 5 add up to 12, so the small one is 1 to 4.
    primary, complementary, marked = protect_marked([[3], [9], [14]], [26], 5, overall_column=None)
    assert marked and primary == {(0, 0)} and complementary == {(1, 0)}


def test_one_mark_is_used_where_fewer_than_k_would_cost_another_cell_of_the_whole_cohort():
    # 1 + 5 + 15 = 21: "<5" beside a hidden 5 would pin both (1 and 5), so a third cell would have to hide.
    primary, complementary, marked = protect_marked([[1], [5], [15]], [21], 5, overall_column=None)
    assert not marked and primary == {(0, 0)} and complementary == {(1, 0)}


def test_when_fewer_than_k_would_give_a_count_away_every_hidden_cell_takes_one_mark():
    # n = 6 as 1 + 5: "<5" and a hidden count of at least 5 could only be 1 and 5.
    primary, complementary, marked = protect_marked([[1], [5]], [6], 5, overall_column=None)
    assert not marked and primary == {(0, 0)} and complementary == {(1, 0)}
    ranges = feasible_range([[1], [5]], [6], primary | complementary, partition=False)
    assert ranges[(0, 0)] == (0, 6)


@settings(max_examples=120, deadline=None)
@given(
    groups=st.lists(st.lists(st.integers(0, 9), min_size=2, max_size=4), min_size=2, max_size=4).filter(
        lambda groups: len({len(group) for group in groups}) == 1
    ),
    k=st.integers(3, 6),
)
def test_no_count_shown_as_fewer_than_k_can_be_recomputed(groups, k):
    counts, totals = partitioned_table(groups)
    primary, complementary, marked = protect_marked(counts, totals, k)
    hidden = primary | complementary
    assert {(r, c) for r, row in enumerate(counts) for c, value in enumerate(row) if 0 < value < k} <= hidden
    if not hidden or sum(1 for row in counts if row[0]) < 2:
        return
    bounds = marked_bounds(counts, totals, k, primary, complementary) if marked else None
    ranges = feasible_range(counts, totals, hidden, partition=True, bounds=bounds)
    for cell in (primary if marked else hidden):
        low, high = ranges[cell]
        if counts[cell[0]][cell[1]]:
            assert low < high, f"cell {cell}={counts[cell[0]][cell[1]]} is exactly {low} in {counts} (marked={marked})"


def test_bands_from_edges_read_as_in_a_paper():
    assert [b.label for b in bands_from_edges([0, 5, 10, 20])] == ["0–4", "5–9", "10–19", "20+"]
    assert [b.label for b in bands_of_width(10)] == ["<30", "30–39", "40–49", "50–59", "60–69", "70+"]
    assert Band(30, 39).join(Band(40, 49)).label == "30–49"


@pytest.mark.parametrize("text", ["", "a, b", "5, 0", "-1, 4"])
def test_bad_band_edges_are_refused(text):
    with pytest.raises(ValueError):
        parse_edges(text)


def test_k_is_never_below_three():
    with pytest.raises(ValueError):
        check_k(2)


GENDER = Variable("gender", "Gender", "nominal", categories=[("female", "Female"), ("male", "Male"), ("other", "Other")])
AGE = Variable("age", "Age", "numeric", bands=bands_of_width(10), unit="years")


def test_a_small_band_is_merged_with_its_smaller_neighbour_and_the_note_says_so():
    ages = [35] * 6 + [45] * 7 + [55] * 6 + [62] * 2
    table = build_table1(data={"age": ages}, group_of=[None] * len(ages), groups=[], variables=[AGE], k=5)
    labels = [row.label for row in table.rows if row.kind == "category"]
    assert labels == ["30–39", "40–49", "50–69"]
    assert "Age: 50–59 + 60–69 merged into 50–69 (fewer than 5 in a band)." in table.notes
    assert [row.cells[0] for row in table.rows if row.kind == "category"] == ["6 (29)", "7 (33)", "8 (38)"]


def test_small_nominal_categories_are_pooled_into_other():
    variable = Variable("role", "Role", "nominal", categories=[("gp", "GP"), ("cmo", "CMO"), ("x", "Other role")])
    values = ["gp"] * 10 + ["cmo"] * 2 + ["x"] * 3
    table = build_table1(data={"role": values}, group_of=[None] * 15, groups=[], variables=[variable], k=5)
    cells = {row.label: row.cells[0] for row in table.rows if row.kind == "category"}
    assert cells == {"GP": "10 (67)", "Other": "5 (33)"}
    assert any("pooled" in note for note in table.notes)


def test_small_groups_show_neither_counts_nor_medians_nor_ranges():
    genders = ["female"] * 12 + ["male"] * 9
    ages = [31, 38, 44, 47, 52, 58, 63] * 3
    group_of = ["a"] * 4 + ["b"] * 17
    table = build_table1(
        data={"gender": genders, "age": ages}, group_of=group_of, groups=[("a", "Group A"), ("b", "Group B")],
        variables=[GENDER, AGE], k=5, texts=Texts(),
    )
    a = 1
    for row in table.rows:
        if row.kind in ("category", "summary") and row.cells[a] != "0":
            assert row.cells[a] in (":", "<5")
    assert any("Group A: fewer than 5" in note for note in table.notes)
    assert all("–" not in row.cells[a] for row in table.rows)  # no min–max anywhere
