"""Linear and integer programs through HiGHS (highspy), column by column."""

from __future__ import annotations

import highspy
import numpy as np

INFINITY = highspy.kHighsInf


def new_highs(time_limit: float | None = None) -> highspy.Highs:
    """A silent, single-threaded HiGHS (deterministic, and polite on a shared machine)."""
    highs = highspy.Highs()
    highs.silent()
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    if time_limit is not None:
        highs.setOptionValue("time_limit", max(float(time_limit), 0.01))
    return highs


def pass_model(
    highs: highspy.Highs,
    *,
    costs: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    starts: np.ndarray,
    rows: np.ndarray,
    values: np.ndarray,
    integer: bool,
) -> None:
    """Load min costs·x subject to row_lower ≤ A x ≤ row_upper, col_lower ≤ x ≤ col_upper.

    A is given by columns: column j has entries values[starts[j]:starts[j+1]] in rows[starts[j]:starts[j+1]].
    """
    lp = highspy.HighsLp()
    lp.num_col_ = len(costs)
    lp.num_row_ = len(row_lower)
    lp.col_cost_ = np.asarray(costs, dtype=float)
    lp.col_lower_ = np.asarray(col_lower, dtype=float)
    lp.col_upper_ = np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(rows, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(values, dtype=float)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(costs)
    highs.passModel(lp)


def status(highs: highspy.Highs) -> str:
    """"optimal", "infeasible", "time limit" or another HiGHS status text."""
    model_status = highs.getModelStatus()
    if model_status == highspy.HighsModelStatus.kOptimal:
        return "optimal"
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible"
    if model_status == highspy.HighsModelStatus.kTimeLimit:
        return "time limit"
    return highs.modelStatusToString(model_status)
