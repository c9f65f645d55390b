"""The balance objective: sum of squares between groups (SSB) and the balance index.

With Z from `features`, S_g the column sums of Z over group g and n_g its size,

    SSB = sum over groups of |S_g|² / n_g         (an empty group contributes 0)
    SST = sum over assigned participants of |z_i|²
    I   = (SSB / SST) / ((K - 1) / (N - 1))        N assigned participants, K non-empty groups

SSB is the k-means "between" sum of squares measured from the pool's centre (Z has mean 0 over all
participants): minimising it makes every group's mean, and through the k-plus columns its spread, as close to
the pool's as the sizes allow (Späth 1986; Papenberg & Klau 2021). A random split gives I ≈ 1 in expectation
(the between-group share of the total sum of squares is then (K - 1)/(N - 1)); identical groups give I = 0.
"""

from __future__ import annotations

import numpy as np


def group_sums(Z: np.ndarray, group_of: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Column sums S (groups × columns) and sizes n of each group; `group_of` is -1 for the unassigned."""
    assigned = group_of >= 0
    sums = np.zeros((n_groups, Z.shape[1]))
    np.add.at(sums, group_of[assigned], Z[assigned])
    sizes = np.bincount(group_of[assigned], minlength=n_groups)
    return sums, sizes


def group_costs(sums: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Each group's share |S_g|² / n_g of SSB (0 for an empty group)."""
    return np.divide((sums * sums).sum(axis=1), sizes, out=np.zeros(len(sizes)), where=sizes > 0)


def ssb(Z: np.ndarray, group_of: np.ndarray, n_groups: int) -> float:
    return float(group_costs(*group_sums(Z, group_of, n_groups)).sum())


def sst(Z: np.ndarray, group_of: np.ndarray) -> float:
    assigned = Z[group_of >= 0]
    return float((assigned * assigned).sum())


def balance_index(ssb_value: float, sst_value: float, n_assigned: int, n_nonempty: int) -> float | None:
    """I = (SSB/SST) / ((K-1)/(N-1)); None when undefined (fewer than two groups or nothing to balance)."""
    if n_nonempty < 2 or n_assigned < 2 or sst_value <= 0:
        return None
    return (ssb_value / sst_value) / ((n_nonempty - 1) / (n_assigned - 1))
