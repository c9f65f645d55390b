"""The sampling frame: does a person fall in a quota's cell, and how full is each cell.
Plain Python, no Django.

A quota's criteria are a small dict over registry attributes, e.g.
{"gender": "female", "age_min": 40, "age_max": 49, "practice_setting": "rural"}: a cell of a
stratified frame when it names several attributes, a per-attribute target when it names one.
A target is a count, or (target_is_percent) a share of everyone consented.
"""
from __future__ import annotations

from dataclasses import dataclass, field

CRITERIA = ("gender", "practice_setting", "role", "county", "is_specialist",
            "age_min", "age_max", "experience_min", "experience_max")
# The stages a frame counts; a person counts in every stage up to the one they reached.
STAGES = ("invited", "eligible", "consented", "scheduled")
_REACHED = {
    "invited": 0, "responded": 0, "ineligible": 0, "withdrawn": 0,
    "eligible": 1, "consented": 2, "scheduled": 3, "attended": 3, "no_show": 2,
}


def check_criteria(criteria: dict) -> list[str]:
    """Problems with a quota's criteria, in words (empty when fine)."""
    problems = []
    if not criteria:
        problems.append("Choose at least one attribute.")
    for name, value in criteria.items():
        if name not in CRITERIA:
            problems.append(f"Unknown attribute {name}.")
        elif name.endswith(("_min", "_max")):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(f"{name} must be a whole number of years.")
    for low, high in (("age_min", "age_max"), ("experience_min", "experience_max")):
        if isinstance(criteria.get(low), int) and isinstance(criteria.get(high), int) and criteria[low] > criteria[high]:
            problems.append(f"{low} is above {high}.")
    return problems


def matches(criteria: dict, person: dict, year: int) -> bool:
    """person: gender, practice_setting, role, county (code), is_specialist, birth_year, gp_start_year."""
    for name, value in criteria.items():
        if name in ("age_min", "age_max"):
            if person.get("birth_year") is None:
                return False
            age = year - person["birth_year"]
            if (name == "age_min" and age < value) or (name == "age_max" and age > value):
                return False
        elif name in ("experience_min", "experience_max"):
            if person.get("gp_start_year") is None:
                return False
            years = max(0, year - person["gp_start_year"])
            if (name == "experience_min" and years < value) or (name == "experience_max" and years > value):
                return False
        elif person.get(name) != value:
            return False
    return True


@dataclass
class Cell:
    quota_id: int
    label: str
    criteria: dict
    target: int
    counts: dict = field(default_factory=lambda: dict.fromkeys(STAGES, 0))

    @property
    def short(self) -> int:
        """How many more consented people the cell needs."""
        return max(0, self.target - self.counts["consented"])

    @property
    def is_empty(self) -> bool:
        return self.counts["eligible"] == 0


def fill(quotas: list[tuple[int, str, dict, int, bool]], groups: list[tuple[dict, str, int]], year: int) -> list[Cell]:
    """Count each quota's people per stage.

    quotas: (id, label, criteria, target, target_is_percent); groups: (person attributes, status,
    number of enrollments) as one aggregate query returns them.
    """
    consented_total = sum(n for _person, status, n in groups if _REACHED.get(status, 0) >= 2)
    cells = []
    for quota_id, label, criteria, target, is_percent in quotas:
        goal = -(-target * consented_total // 100) if is_percent else target  # ceiling of the share
        cells.append(Cell(quota_id=quota_id, label=label, criteria=criteria, target=goal))
    for person, status, n in groups:
        reached = _REACHED.get(status, 0)
        for cell in cells:
            if matches(cell.criteria, person, year):
                for index, stage in enumerate(STAGES):
                    if reached >= index:
                        cell.counts[stage] += n
    return cells
