"""Reading and validating problems (recruit.balancing.problem)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruit.balancing import ProblemError, problem_from_dict


def valid(**overrides) -> dict:
    data = {
        "attributes": {"gender": {"type": "categorical"}, "age": {"type": "numeric"}},
        "participants": [
            {"id": "a", "values": {"gender": "F", "age": 41}, "slots": ["Tue"]},
            {"id": "b", "values": {"gender": "M", "age": 52}, "pinned": "G1"},
            {"id": 3, "values": {"gender": "M"}},
        ],
        "groups": [{"id": "G1", "min_size": 1, "max_size": 2, "slot": "Tue"}, {"id": "G2", "min_size": 1, "max_size": 2}],
        "cannot_link": [["a", "b"]],
        "must_link": [],
    }
    data.update(overrides)
    return data


def messages(data: dict) -> list[str]:
    with pytest.raises(ProblemError) as caught:
        problem_from_dict(data)
    return caught.value.messages


def test_a_valid_problem_is_read_with_its_defaults():
    problem = problem_from_dict(valid())
    assert [p.id for p in problem.participants] == ["a", "b", "3"]
    assert problem.participants[0].slots == ("Tue",)
    assert problem.participants[1].pinned == "G1"
    assert (problem.allow_unassigned, problem.seed, problem.time_limit, problem.exact) == (False, 0, 10.0, "auto")
    assert problem.attributes[0].weight == 1.0


def test_it_refuses_an_unknown_attribute_type():
    assert messages(valid(attributes={"county": {"type": "ordinal"}})) == [
        "attribute 'county' has unknown type 'ordinal' (use 'numeric' or 'categorical')",
        "participant 'a' has a value for unknown attribute 'gender'",
        "participant 'a' has a value for unknown attribute 'age'",
        "participant 'b' has a value for unknown attribute 'gender'",
        "participant 'b' has a value for unknown attribute 'age'",
        "participant '3' has a value for unknown attribute 'gender'",
    ]


def test_it_refuses_duplicate_ids():
    data = valid()
    data["participants"].append({"id": "a", "values": {}})
    data["groups"].append({"id": "G2", "min_size": 0, "max_size": 1})
    assert messages(data) == ["group id 'G2' is used twice", "participant id 'a' is used twice"]


def test_it_refuses_unknown_ids_in_links_and_pins():
    data = valid(cannot_link=[["a", "zz"]], must_link=[["b", "yy"]])
    data["participants"][0]["pinned"] = "G9"
    assert messages(data) == [
        "participant 'a' is pinned to unknown group 'G9'",
        "cannot_link names unknown participant 'zz'",
        "must_link names unknown participant 'yy'",
    ]


def test_it_refuses_a_minimum_above_the_maximum_and_a_missing_size():
    data = valid()
    data["groups"][0]["min_size"] = 3
    del data["groups"][1]["max_size"]
    assert messages(data) == ["group 'G2' has no max_size", "group 'G1' has min_size 3 above its max_size 2"]


def test_it_refuses_a_number_that_is_not_a_number():
    data = valid()
    data["participants"][0]["values"]["age"] = "forty"
    assert messages(data) == ["participant 'a' has age = 'forty', which is not a number"]


def test_it_refuses_unknown_keys_and_bad_settings():
    data = valid(exact="sometimes", time_limit=0, weird=1)
    data["groups"][0]["max_szie"] = 4
    assert messages(data) == [
        "unknown key 'weird' in the problem",
        "group 'G1' has unknown key 'max_szie'",
        "time_limit must be a positive number of seconds, not 0",
        "exact must be one of 'auto', 'always', 'never', not 'sometimes'",
    ]


def test_it_refuses_a_pair_that_is_not_a_pair():
    assert messages(valid(cannot_link=[["a", "b", "3"]])) == [
        "cannot_link entry ['a', 'b', '3'] must name exactly two participants"
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | st.sampled_from(["", "a", "G1", "numeric"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["id", "type", "values", "slots", "pinned", "min_size", "max_size", "slot", "a", "age", "weight"]), inner,
        max_size=4),
    max_leaves=12,
)


records = st.lists(st.dictionaries(
    st.sampled_from(["id", "values", "slots", "pinned", "min_size", "max_size", "slot", "extra"]), json_values,
    max_size=5), max_size=3)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.fixed_dictionaries({}, optional={
    "attributes": st.dictionaries(st.sampled_from(["age", "gender"]), json_values, max_size=2) | json_values,
    "participants": records | json_values, "groups": records | json_values,
    "cannot_link": st.lists(st.lists(json_values, max_size=3), max_size=2) | json_values,
    "must_link": st.lists(st.lists(json_values, max_size=3), max_size=2) | json_values,
    "seed": json_values, "time_limit": json_values, "exact": json_values, "allow_unassigned": json_values,
}))
def test_any_malformed_json_gets_a_problem_error_and_nothing_else(data):
    try:
        problem_from_dict(data)
    except ProblemError as error:
        assert error.messages
