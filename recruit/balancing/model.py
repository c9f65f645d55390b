"""The problem in arrays, as the search and the exact solver use it.

Participants that must sit together (must-link sets, merged when they share a member) become one *unit*; the
search moves units, never half of one. Availability and pins become a boolean table of which unit may join which
group, stored once per *class* of units with the same slots and pin, so that 10,000 participants and 1,000 groups
stay small in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import Features, feature_matrix
from .problem import Problem


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        i, j = self.find(i), self.find(j)
        if i != j:
            self.parent[max(i, j)] = min(i, j)


@dataclass
class Model:
    problem: Problem
    features: Features
    ids: list[str]  # participant ids, in problem order
    index: dict[str, int]
    group_ids: list[str]
    group_index: dict[str, int]
    min_size: np.ndarray  # per group
    max_size: np.ndarray
    available: np.ndarray  # participants × groups: the participant can attend the group's slot (pins aside)
    units: list[np.ndarray]  # participant indices of each unit, ascending; units ordered by first member
    unit_of: np.ndarray  # participant -> unit
    weight: np.ndarray  # participants in each unit
    Y: np.ndarray  # units × columns: the unit's sum of Z rows
    pinned: np.ndarray  # unit -> group index it is pinned to, -1 if none (first pin if members disagree)
    unit_class: np.ndarray  # unit -> class
    class_compatible: np.ndarray  # classes × groups: a unit of the class may join the group
    cannot_link: np.ndarray  # (pairs × 2) participant indices, each pair once, smaller index first
    unit_links: np.ndarray  # (pairs × 2) unit indices of cannot-link pairs between different units

    @property
    def Z(self) -> np.ndarray:
        return self.features.matrix

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def n_groups(self) -> int:
        return len(self.group_ids)

    def compatible(self) -> np.ndarray:
        """Units × groups: the unit may join the group (availability of every member, and pins)."""
        return self.class_compatible[self.unit_class]


def _slot_key(slots) -> frozenset | None:
    return None if slots is None else frozenset(slots)


def build_model(problem: Problem) -> Model:
    """Compile a validated problem. Contradictions (see `feasibility`) are kept, not refused, here."""
    participants = problem.participants
    n = len(participants)
    ids = [p.id for p in participants]
    index = {pid: i for i, pid in enumerate(ids)}
    group_ids = [g.id for g in problem.groups]
    group_index = {gid: k for k, gid in enumerate(group_ids)}
    n_groups = len(group_ids)
    group_slots = [g.slot for g in problem.groups]

    # Availability by distinct slot sets: a few rows, whatever the number of participants.
    def availability_row(slots: frozenset | None) -> np.ndarray:
        return np.array([s is None or slots is None or s in slots for s in group_slots], dtype=bool)

    slot_rows: dict[frozenset | None, np.ndarray] = {}
    available = np.empty((n, n_groups), dtype=bool)
    for i, p in enumerate(participants):
        key = _slot_key(p.slots)
        if key not in slot_rows:
            slot_rows[key] = availability_row(key)
        available[i] = slot_rows[key]

    links = _UnionFind(n)
    for members in problem.must_link:
        for a, b in zip(members, members[1:]):
            links.union(index[a], index[b])
    roots: dict[int, list[int]] = {}
    for i in range(n):
        roots.setdefault(links.find(i), []).append(i)
    units = [np.array(members, dtype=np.intp) for members in roots.values()]  # roots are first members
    unit_of = np.empty(n, dtype=np.intp)
    for u, members in enumerate(units):
        unit_of[members] = u
    weight = np.array([len(m) for m in units], dtype=np.int64)
    Z = feature_matrix(problem)
    Y = np.zeros((len(units), Z.matrix.shape[1]))
    np.add.at(Y, unit_of, Z.matrix)

    pinned = np.full(len(units), -1, dtype=np.intp)
    for i, p in enumerate(participants):
        if p.pinned is not None and pinned[unit_of[i]] < 0:
            pinned[unit_of[i]] = group_index[p.pinned]

    class_keys: dict[tuple, int] = {}
    class_rows: list[np.ndarray] = []
    unit_class = np.empty(len(units), dtype=np.intp)
    for u, members in enumerate(units):
        slots = None
        for i in members:
            key = _slot_key(participants[i].slots)
            if key is not None:
                slots = key if slots is None else slots & key
        key = (slots, int(pinned[u]))
        if key not in class_keys:
            row = availability_row(slots)
            if pinned[u] >= 0:
                only = np.zeros(n_groups, dtype=bool)
                only[pinned[u]] = row[pinned[u]]
                row = only
            class_keys[key] = len(class_rows)
            class_rows.append(row)
        unit_class[u] = class_keys[key]
    class_compatible = np.array(class_rows, dtype=bool).reshape(len(class_rows), n_groups)

    pairs = {tuple(sorted((index[a], index[b]))) for a, b in problem.cannot_link}
    cannot_link = np.array(sorted(pairs), dtype=np.intp).reshape(-1, 2)
    unit_pairs = {tuple(sorted((int(unit_of[a]), int(unit_of[b])))) for a, b in cannot_link}
    unit_links = np.array(sorted(p for p in unit_pairs if p[0] != p[1]), dtype=np.intp).reshape(-1, 2)

    return Model(
        problem=problem,
        features=Z,
        ids=ids,
        index=index,
        group_ids=group_ids,
        group_index=group_index,
        min_size=np.array([g.min_size for g in problem.groups], dtype=np.int64),
        max_size=np.array([g.max_size for g in problem.groups], dtype=np.int64),
        available=available,
        units=units,
        unit_of=unit_of,
        weight=weight,
        Y=Y,
        pinned=pinned,
        unit_class=unit_class,
        class_compatible=class_compatible,
        cannot_link=cannot_link,
        unit_links=unit_links,
    )
