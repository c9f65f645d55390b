"""Eligibility rules a coordinator writes (attribute, operator, value): plain Python, no Django, no eval.

A rule set decides eligible when every rule holds. Facts are a flat dict of the participant's
attributes and their screening answers (e.g. {"experience": 12, "role": "gp", "q.lists": ["a", "b"]}).
A missing fact fails its rule, so an unanswered optional question never makes someone eligible.
"""
from __future__ import annotations

from dataclasses import dataclass

OPERATORS = {
    "eq": "is",
    "ne": "is not",
    "gte": "at least",
    "lte": "at most",
    "gt": "more than",
    "lt": "less than",
    "in": "is one of",
    "contains": "includes",
}
NUMERIC = {"gte", "lte", "gt", "lt"}


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    attribute: str
    operator: str
    value: str

    def check(self) -> None:
        """Refuse a rule that could never be evaluated (unknown operator, non-numeric comparison value)."""
        if self.operator not in OPERATORS:
            raise RuleError(f"unknown operator {self.operator!r}")
        if self.operator in NUMERIC:
            try:
                float(self.value)
            except (TypeError, ValueError):
                raise RuleError(f"{self.value!r} is not a number") from None

    def holds(self, facts: dict) -> bool:
        fact = facts.get(self.attribute)
        if fact is None or fact == "" or fact == []:
            return False
        op, value = self.operator, str(self.value).strip()
        if op in NUMERIC:
            try:
                number, limit = float(fact), float(value)
            except (TypeError, ValueError):
                return False
            return {"gte": number >= limit, "lte": number <= limit, "gt": number > limit, "lt": number < limit}[op]
        if op == "in":
            allowed = {part.strip().lower() for part in value.split(",") if part.strip()}
            return _text(fact) in allowed
        if op == "contains":
            items = fact if isinstance(fact, (list, tuple, set)) else [fact]
            return value.lower() in {_text(item) for item in items}
        equal = _text(fact) == value.lower()
        return equal if op == "eq" else not equal


def _text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


def evaluate(rules: list[Rule], facts: dict) -> tuple[bool, list[Rule]]:
    """(eligible, the rules that failed). No rules: everyone who answers is eligible."""
    failed = [rule for rule in rules if not rule.holds(facts)]
    return not failed, failed
