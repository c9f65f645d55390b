"""Eligibility rules: the coordinator's (attribute, operator, value) rules, evaluated without eval."""
import pytest

from recruit.eligibility import Rule, RuleError, evaluate


def test_years_in_general_practice_at_least_two():
    rule = Rule("experience", "gte", "2")
    assert evaluate([rule], {"experience": 2}) == (True, [])
    assert evaluate([rule], {"experience": 1}) == (False, [rule])


def test_role_is_municipal_chief_medical_officer():
    rule = Rule("role", "eq", "chief_medical_officer")
    assert evaluate([rule], {"role": "chief_medical_officer"})[0]
    assert not evaluate([rule], {"role": "gp"})[0]


def test_every_rule_must_hold():
    rules = [Rule("experience", "gte", "2"), Rule("practice_setting", "in", "rural, semi_urban")]
    assert evaluate(rules, {"experience": 5, "practice_setting": "rural"})[0]
    eligible, failed = evaluate(rules, {"experience": 5, "practice_setting": "urban"})
    assert not eligible and failed == [rules[1]]


def test_answers_to_yes_no_and_multiple_choice_questions():
    assert evaluate([Rule("q.video", "eq", "yes")], {"q.video": True})[0]
    assert not evaluate([Rule("q.video", "eq", "yes")], {"q.video": False})[0]
    assert evaluate([Rule("q.tools", "contains", "ehr")], {"q.tools": ["ehr", "phone"]})[0]
    assert not evaluate([Rule("q.tools", "contains", "ehr")], {"q.tools": ["phone"]})[0]


def test_a_missing_answer_fails_its_rule_even_with_is_not():
    assert not evaluate([Rule("q.lists", "ne", "no")], {})[0]
    assert not evaluate([Rule("experience", "gte", "2")], {"experience": None})[0]


def test_text_that_looks_like_code_is_only_ever_compared():
    rule = Rule("q.note", "eq", "__import__('os').system('true')")
    assert not evaluate([rule], {"q.note": "hello"})[0]


def test_a_rule_with_an_unknown_operator_or_a_non_number_is_refused():
    with pytest.raises(RuleError):
        Rule("age", "~=", "3").check()
    with pytest.raises(RuleError):
        Rule("age", "gte", "forty").check()
