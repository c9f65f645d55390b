"""Solutions, what each group looks like, and what is wrong with a hand-made assignment.

`Solution` is what `solve`, `repair` and `evaluate` return; `solution_to_dict` gives its JSON form. Each
group's `GroupReport` lists its size, the count of every category level next to the count expected from the
pool, the mean and range of every numeric attribute, and the group's largest deviations from the pool, ranked
by their share of SSB so that the report explains the objective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .features import categorical_levels, same_level
from .model import Model
from .objective import balance_index, group_costs, group_sums

TOP_DEVIATIONS = 3


@dataclass(frozen=True)
class LevelCount:
    level: Any  # None for a missing value
    count: int
    expected: float  # the level's share in the whole pool × the group's size


@dataclass(frozen=True)
class NumericSummary:
    mean: float | None  # over the members with a known value; None if nobody has one
    min: float | None
    max: float | None
    pool_mean: float | None


@dataclass(frozen=True)
class Deviation:
    attribute: str
    kind: str  # "level" (a category's count), "mean" or "spread" (a numeric attribute's mean or sd)
    level: Any
    observed: float
    expected: float
    share: float  # this column's part of the group's SSB term
    text: str


@dataclass(frozen=True)
class GroupReport:
    id: str
    slot: str | None
    size: int
    members: list[str]
    categorical: dict[str, list[LevelCount]]
    numeric: dict[str, NumericSummary]
    deviations: list[Deviation]


@dataclass(frozen=True)
class Solution:
    """An assignment with its balance figures.

    ssb, sst and index follow `objective`; index is None when undefined (fewer than two non-empty groups).
    optimal: proven optimal by the exact mode. lower_bound: a proven lower bound on SSB, or None.
    violations: constraint violations in words (only `evaluate` can return any).
    moved: participants whose group differs from the previous assignment (only `repair` fills it).
    """

    assignment: dict[str, str]
    unassigned: list[str]
    ssb: float
    sst: float
    index: float | None
    optimal: bool
    lower_bound: float | None
    seconds: float
    groups: list[GroupReport]
    violations: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)


def _number(value: float) -> str:
    return f"{value:.1f}" if abs(value) < 1000 else f"{value:.0f}"


def _level_text(level: Any) -> str:
    return "(missing)" if level is None else str(level)


def build_solution(
    model: Model,
    group_of: np.ndarray,
    *,
    optimal: bool = False,
    lower_bound: float | None = None,
    seconds: float = 0.0,
    violations: list[str] | None = None,
    moved: list[str] | None = None,
) -> Solution:
    """Describe participant -> group index (-1 unassigned) as a `Solution`."""
    problem = model.problem
    Z = model.Z
    sums, sizes = group_sums(Z, group_of, model.n_groups)
    costs = group_costs(sums, sizes)
    ssb_value = float(costs.sum())
    assigned = group_of >= 0
    sst_value = float((Z[assigned] ** 2).sum())
    n_assigned = int(assigned.sum())
    nonempty = int((sizes > 0).sum())
    n_pool = len(model.ids)

    level_shares: dict[str, list[tuple[Any, float]]] = {}
    values_of: dict[str, list[Any]] = {}
    numeric_pool: dict[str, tuple[np.ndarray, float | None, float | None]] = {}
    for attribute in problem.attributes:
        values = [p.values.get(attribute.name) for p in problem.participants]
        values_of[attribute.name] = values
        if attribute.type == "categorical":
            levels = categorical_levels(problem, attribute.name)
            level_shares[attribute.name] = [
                (level, sum(same_level(v, level) for v in values) / n_pool) for level in levels
            ]
        else:
            x = np.array([math.nan if v is None else float(v) for v in values])
            known = x[~np.isnan(x)]
            mean = float(known.mean()) if len(known) else None
            sd = float(known.std()) if len(known) else None
            numeric_pool[attribute.name] = (x, mean, sd)

    reports = []
    for k, group in enumerate(problem.groups):
        members = np.flatnonzero(group_of == k)
        size = len(members)
        categorical = {}
        numeric = {}
        for attribute in problem.attributes:
            if attribute.type == "categorical":
                values = [values_of[attribute.name][i] for i in members]
                categorical[attribute.name] = [
                    LevelCount(level, sum(same_level(v, level) for v in values), share * size)
                    for level, share in level_shares[attribute.name]
                ]
            else:
                x, pool_mean, _sd = numeric_pool[attribute.name]
                own = x[members]
                own = own[~np.isnan(own)]
                numeric[attribute.name] = NumericSummary(
                    mean=float(own.mean()) if len(own) else None,
                    min=float(own.min()) if len(own) else None,
                    max=float(own.max()) if len(own) else None,
                    pool_mean=pool_mean,
                )
        deviations = []
        if size:
            shares = sums[k] ** 2 / size
            for j in np.argsort(-shares, kind="stable")[:TOP_DEVIATIONS]:
                if shares[j] <= 1e-9:
                    break
                column = model.features.columns[j]
                deviations.append(_deviation(column, members, shares[j], values_of, level_shares, numeric_pool))
        reports.append(GroupReport(
            id=group.id, slot=group.slot, size=size, members=[model.ids[i] for i in members],
            categorical=categorical, numeric=numeric, deviations=deviations,
        ))

    return Solution(
        assignment={model.ids[i]: model.group_ids[group_of[i]] for i in range(n_pool) if group_of[i] >= 0},
        unassigned=[model.ids[i] for i in range(n_pool) if group_of[i] < 0],
        ssb=ssb_value,
        sst=sst_value,
        index=balance_index(ssb_value, sst_value, n_assigned, nonempty),
        optimal=bool(optimal),
        lower_bound=None if lower_bound is None else float(lower_bound),
        seconds=float(seconds),
        groups=reports,
        violations=list(violations or []),
        moved=list(moved or []),
    )


def _deviation(column, members, share, values_of, level_shares, numeric_pool) -> Deviation:
    name = column.attribute
    size = len(members)
    if column.kind == "level":
        values = values_of[name]
        pool_share = next(share for level, share in level_shares[name] if same_level(level, column.level))
        observed = sum(same_level(values[i], column.level) for i in members)
        expected = pool_share * size
        text = f"{name} {_level_text(column.level)}: {observed} of {size} (expected {expected:.1f})"
        return Deviation(name, "level", column.level, float(observed), expected, float(share), text)
    x, pool_mean, pool_sd = numeric_pool[name]
    own = x[members]
    own = np.where(np.isnan(own), pool_mean, own)  # a missing value counts as the mean
    if column.kind == "mean":
        observed = float(own.mean())
        text = f"{name}: mean {_number(observed)} (pool {_number(pool_mean)})"
        return Deviation(name, "mean", None, observed, float(pool_mean), float(share), text)
    observed = float(np.sqrt(((own - pool_mean) ** 2).mean()))
    text = f"{name}: spread {_number(observed)} around the pool mean (pool {_number(pool_sd)})"
    return Deviation(name, "spread", None, observed, float(pool_sd), float(share), text)


def solution_to_dict(solution: Solution) -> dict:
    """The JSON form of a solution (see docs/balancing.md)."""

    return {
        "assignment": dict(solution.assignment),
        "unassigned": list(solution.unassigned),
        "ssb": solution.ssb,
        "sst": solution.sst,
        "index": solution.index,
        "optimal": solution.optimal,
        "lower_bound": solution.lower_bound,
        "seconds": round(solution.seconds, 3),
        "groups": [
            {
                "id": g.id,
                "size": g.size,
                "slot": g.slot,
                "members": list(g.members),
                "composition": {
                    "categorical": {
                        name: [{"level": c.level, "count": c.count, "expected": round(c.expected, 3)}
                               for c in counts]
                        for name, counts in g.categorical.items()
                    },
                    "numeric": {
                        name: {"mean": s.mean, "min": s.min, "max": s.max, "pool_mean": s.pool_mean}
                        for name, s in g.numeric.items()
                    },
                    "largest_deviations": [
                        {"attribute": d.attribute, "kind": d.kind, "level": d.level,
                         "observed": d.observed, "expected": d.expected, "text": d.text}
                        for d in g.deviations
                    ],
                },
            }
            for g in solution.groups
        ],
        "violations": list(solution.violations),
        "moved": list(solution.moved),
    }
