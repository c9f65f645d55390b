"""The feature matrix Z whose group sums the objective balances.

Following k-plus anticlustering (Papenberg & Klau 2021, "Using anticlustering to partition data sets into
equivalent parts"; Papenberg 2024, "K-plus anticlustering"), every attribute becomes standardised columns:

- numeric: z = (x - mean) / sd, plus the k-plus column z² standardised the same way, so that groups match the
  pool's spread as well as its mean. A missing value is replaced by the mean of the known values before
  standardising (so it contributes z = 0).
- categorical: one column per level l with share 0 < p_l < 1: (1[x = l] - p_l) / sqrt(p_l (1 - p_l)).
  A missing value is a level of its own.

Every column of an attribute is multiplied by sqrt(weight). Means and standard deviations are population
figures over all participants of the problem, including any that end up on the waitlist, so that groups mirror
the whole pool. A column whose standard deviation is 0 carries no information and is dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .problem import Problem

MISSING = None  # the level a missing categorical value falls in


@dataclass(frozen=True)
class Column:
    """What one column of Z measures: a categorical `level`, or a numeric attribute's "mean" or "spread"."""

    attribute: str
    kind: str  # "level", "mean" (z) or "spread" (the k-plus column)
    level: Any = None


@dataclass(frozen=True)
class Features:
    matrix: np.ndarray  # participants × columns, rows in the order of problem.participants
    columns: tuple[Column, ...]


def _standardise(values: np.ndarray) -> np.ndarray | None:
    sd = values.std()
    if not sd > 1e-12 * max(1.0, float(np.abs(values).max())):
        return None
    return (values - values.mean()) / sd


def categorical_levels(problem: Problem, name: str) -> list[Any]:
    """The levels of a categorical attribute in order of first appearance; MISSING if a value is absent."""
    levels: dict[tuple[type, Any], Any] = {}
    for participant in problem.participants:
        value = participant.values.get(name)
        levels.setdefault((type(value), value), value)  # keyed by type too: 1, 1.0 and True stay apart
    return list(levels.values())


def same_level(value: Any, level: Any) -> bool:
    return type(value) is type(level) and value == level


def numeric_values(problem: Problem, name: str) -> np.ndarray:
    """The values of a numeric attribute, NaN where missing."""
    return np.array(
        [math.nan if p.values.get(name) is None else float(p.values[name]) for p in problem.participants],
        dtype=float,
    )


def feature_matrix(problem: Problem) -> Features:
    """Build Z for `problem` (see the module docstring)."""
    n = len(problem.participants)
    blocks: list[np.ndarray] = []
    columns: list[Column] = []
    for attribute in problem.attributes:
        if attribute.weight == 0 or n == 0:
            continue
        scale = math.sqrt(attribute.weight)
        if attribute.type == "numeric":
            x = numeric_values(problem, attribute.name)
            known = ~np.isnan(x)
            if not known.any():
                continue
            x = np.where(known, x, x[known].mean())
            z = _standardise(x)
            if z is None:
                continue
            blocks.append(scale * z)
            columns.append(Column(attribute.name, "mean"))
            spread = _standardise(z * z)
            if spread is not None:
                blocks.append(scale * spread)
                columns.append(Column(attribute.name, "spread"))
        else:
            values = [p.values.get(attribute.name) for p in problem.participants]
            for level in categorical_levels(problem, attribute.name):
                indicator = np.array([same_level(v, level) for v in values], dtype=float)
                share = indicator.mean()
                if 0 < share < 1:
                    blocks.append(scale * (indicator - share) / math.sqrt(share * (1 - share)))
                    columns.append(Column(attribute.name, "level", level))
    matrix = np.column_stack(blocks) if blocks else np.zeros((n, 0))
    return Features(matrix=np.ascontiguousarray(matrix, dtype=float), columns=tuple(columns))
