"""Why a problem cannot be solved, in words a coordinator understands.

`diagnose` runs the checks that explain the common causes precisely (too few seats, a slot that too many
people can only attend, colleagues outnumbering the groups, contradictory links and pins, ...). Each finding
is a `Reason` naming the participants concerned. When none of them applies but no assignment exists anyway,
the construction step (`construct`) reports a general reason instead.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .model import Model

# Hall's condition is checked on every union of group kinds when there are at most this many (2^12 sets).
HALL_PATTERN_LIMIT = 12
MAX_IDS_IN_MESSAGE = 12


@dataclass(frozen=True)
class Reason:
    """One cause of infeasibility: a sentence, and the ids of the participants it concerns."""

    message: str
    participant_ids: tuple[str, ...] = ()


class Infeasible(Exception):
    """No assignment satisfies the constraints. `reasons` says why, each with the participants concerned."""

    def __init__(self, reasons: list[Reason]):
        self.reasons = list(reasons)
        super().__init__(" ".join(r.message for r in self.reasons))

    @property
    def participant_ids(self) -> list[str]:
        """Every participant named by some reason, each once, in order of first mention."""
        return list(dict.fromkeys(pid for r in self.reasons for pid in r.participant_ids))


def _names(ids: list[str]) -> str:
    shown = ", ".join(ids[:MAX_IDS_IN_MESSAGE])
    if len(ids) > MAX_IDS_IN_MESSAGE:
        shown += f" and {len(ids) - MAX_IDS_IN_MESSAGE} more"
    return shown


def _people(count: int) -> str:
    return "1 participant" if count == 1 else f"{count} participants"


def slot_words(model: Model, groups) -> str:
    """The meeting times of `groups` as text, e.g. "Tuesday 18:00 or Thursday 17:00"."""
    slots = []
    for k in groups:
        slot = model.problem.groups[k].slot
        slots.append("any time" if slot is None else slot)
    slots = list(dict.fromkeys(slots))
    return " or ".join(slots) if slots else "no time"


def _group_words(model: Model, groups) -> str:
    return _names([model.group_ids[k] for k in groups])


def diagnose(model: Model) -> list[Reason]:
    """Return the reasons `model` cannot be solved that the specific checks find (empty when none does)."""
    reasons: list[Reason] = []
    reasons += _count_reasons(model)
    reasons += _link_and_pin_reasons(model)
    if reasons:
        return reasons
    reasons += _no_group_reasons(model)
    reasons += _hall_reasons(model)
    reasons += _clique_reasons(model)
    return list(dict.fromkeys(reasons))


def _count_reasons(model: Model) -> list[Reason]:
    reasons = []
    n = len(model.ids)
    seats = int(model.max_size.sum())
    needed = int(model.min_size.sum())
    if seats < n and not model.problem.allow_unassigned:
        reasons.append(Reason(
            f"There are {n} participants but the groups seat at most {seats} (the sum of their maximum "
            f"sizes). Add a group, raise a maximum size or allow a waitlist."
        ))
    if needed > n:
        reasons.append(Reason(
            f"The groups need at least {needed} participants (the sum of their minimum sizes) but there "
            f"{'is' if n == 1 else 'are'} only {n}."
        ))
    return reasons


def _link_and_pin_reasons(model: Model) -> list[Reason]:
    problem = model.problem
    ids = model.ids
    reasons = []
    pins = {i: model.group_index[p.pinned] for i, p in enumerate(problem.participants) if p.pinned is not None}

    for i, k in pins.items():
        if not model.available[i, k]:
            reasons.append(Reason(
                f"{ids[i]} is pinned to group {model.group_ids[k]}, which meets at {slot_words(model, [k])}, "
                f"a time they cannot attend.",
                (ids[i],),
            ))

    for u, members in enumerate(model.units):
        member_ids = [ids[i] for i in members]
        pinned_groups = {pins[i] for i in members if i in pins}
        if len(members) > 1:
            if len(pinned_groups) > 1:
                pinned_ids = [ids[i] for i in members if i in pins]
                reasons.append(Reason(
                    f"{_names(member_ids)} must sit together, but {_names(pinned_ids)} are pinned to different "
                    f"groups ({_group_words(model, sorted(pinned_groups))}).",
                    tuple(member_ids),
                ))
            largest = int(model.max_size.max()) if len(model.max_size) else 0
            waitlisted = model.problem.allow_unassigned and not pinned_groups  # fits nowhere: waitlist
            if len(members) > largest and not waitlisted:
                reasons.append(Reason(
                    f"{_names(member_ids)} must sit together ({len(members)} people), but the largest group "
                    f"holds {largest}.",
                    tuple(member_ids),
                ))
            common = model.available[members].all(axis=0)
            if not common.any() and model.available[members].any(axis=1).all() and not waitlisted:
                reasons.append(Reason(
                    f"{_names(member_ids)} must sit together, but no group meets at a time they can all attend.",
                    tuple(member_ids),
                ))
            elif len(pinned_groups) == 1:
                (k,) = pinned_groups
                absent = [ids[i] for i in members if not model.available[i, k] and i not in pins]
                if absent:
                    reasons.append(Reason(
                        f"{_names(member_ids)} must sit together in group {model.group_ids[k]} (a pin), but "
                        f"{_names(absent)} cannot attend {slot_words(model, [k])}.",
                        tuple(member_ids),
                    ))

    pinned_weight: dict[int, list[int]] = {}
    for u in range(model.n_units):
        if model.pinned[u] >= 0:
            pinned_weight.setdefault(int(model.pinned[u]), []).extend(model.units[u].tolist())
    for k, members in sorted(pinned_weight.items()):
        if len(members) > model.max_size[k]:
            reasons.append(Reason(
                f"{_people(len(members))} are pinned to group {model.group_ids[k]} (directly or through a "
                f"must-link set), which holds at most {model.max_size[k]}: {_names([ids[i] for i in members])}.",
                tuple(ids[i] for i in members),
            ))

    for a, b in model.cannot_link:
        ua, ub = model.unit_of[a], model.unit_of[b]
        if ua == ub:
            reasons.append(Reason(
                f"{ids[a]} and {ids[b]} must sit together (must-link) but also apart (cannot-link).",
                (ids[a], ids[b]),
            ))
        elif model.pinned[ua] >= 0 and model.pinned[ua] == model.pinned[ub]:
            reasons.append(Reason(
                f"{ids[a]} and {ids[b]} must be kept apart (cannot-link) but are both pinned to group "
                f"{model.group_ids[model.pinned[ua]]} (directly or through a must-link set).",
                (ids[a], ids[b]),
            ))
    return reasons


def _no_group_reasons(model: Model) -> list[Reason]:
    """Units that fit no group: nobody can attend, or a must-link set too big for the groups they can attend."""
    if model.problem.allow_unassigned:
        return []  # they go to the waitlist
    ids = model.ids
    reasons = []
    compatible = model.compatible()
    for u, members in enumerate(model.units):
        fits = compatible[u] & (model.max_size >= model.weight[u])
        if fits.any():
            continue
        member_ids = [ids[i] for i in members]
        if not compatible[u].any():
            if len(members) == 1:
                slots = model.problem.participants[members[0]].slots or ()
                reasons.append(Reason(
                    f"{member_ids[0]} cannot attend any group: they can come {' or '.join(slots) or 'at no time'}, "
                    f"and the groups meet {slot_words(model, range(model.n_groups))}.",
                    tuple(member_ids),
                ))
        else:
            largest = int(model.max_size[compatible[u]].max())
            reasons.append(Reason(
                f"{_names(member_ids)} must sit together ({len(members)} people), but the groups at times they "
                f"can all attend hold at most {largest}.",
                tuple(member_ids),
            ))
    return reasons


def _hall_reasons(model: Model) -> list[Reason]:
    """Hall's condition on availability, both ways, for sets T of groups.

    Seats: the participants who can only attend the groups in T must fit in T's seats.
    Minimums: T's minimum sizes must be reachable by the participants who can attend some group in T.
    Groups that accept the same people (those meeting at one slot) are one *kind*; T runs over unions of kinds,
    all of them when there are at most HALL_PATTERN_LIMIT kinds (else single kinds and pairs), and only the
    smallest violating sets are reported. Works on classes of units with the same availability, so it costs
    the same for 20 or 20,000 participants.
    """
    ids = model.ids
    classes = model.class_compatible
    class_weight = np.bincount(model.unit_class, weights=model.weight, minlength=len(classes))
    present = class_weight > 0
    with_group = present & classes.any(axis=1)
    # Pinned units make classes of their own; kinds are read from the other classes so that a pinned group
    # stays of its slot's kind (its pinned people still count, as people confined to it).
    pinned_class = np.zeros(len(classes), dtype=bool)
    pinned_class[model.unit_class[model.pinned >= 0]] = True
    kinds, kind_of = np.unique(classes[~pinned_class].T, axis=0, return_inverse=True)
    kind_of = kind_of.ravel()
    n_kinds = len(kinds)
    largest = n_kinds if n_kinds <= HALL_PATTERN_LIMIT else 2
    seats_found: list[np.ndarray] = []
    minimums_found: list[np.ndarray] = []
    reasons = []

    def members_of(class_mask: np.ndarray) -> list[str]:
        units = np.flatnonzero(class_mask[model.unit_class])
        return [ids[i] for i in np.sort(np.concatenate([model.units[u] for u in units]))] if len(units) else []

    for size in range(1, largest + 1):
        for combo in itertools.combinations(range(n_kinds), size):
            groups = np.isin(kind_of, combo)
            group_list = np.flatnonzero(groups)
            if not model.problem.allow_unassigned and not any((f <= groups).all() for f in seats_found):
                confined = with_group & ~(classes & ~groups).any(axis=1)
                people = int(class_weight[confined].sum())
                seats = int(model.max_size[groups].sum())
                if people > seats:
                    seats_found.append(groups)
                    members = members_of(confined)
                    reasons.append(Reason(
                        f"{_people(people)} can only attend {slot_words(model, group_list)}, whose groups "
                        f"({_group_words(model, group_list)}) hold at most {seats}: {_names(members)}.",
                        tuple(members),
                    ))
            if not any((f <= groups).all() for f in minimums_found):
                able = present & classes[:, groups].any(axis=1)
                needed = int(model.min_size[groups].sum())
                people = int(class_weight[able].sum())
                if needed > people:
                    minimums_found.append(groups)
                    members = members_of(able)
                    reasons.append(Reason(
                        f"The groups meeting at {slot_words(model, group_list)} ({_group_words(model, group_list)}) "
                        f"need at least {needed} participants, but only {people} can attend"
                        + (f": {_names(members)}." if members else "."),
                        tuple(members),
                    ))
    return reasons


def _clique_reasons(model: Model) -> list[Reason]:
    """Sets of participants who must all sit apart but outnumber the groups they can join.

    Colleagues from one practice form such a set (a clique of cannot-link pairs). Maximum cliques are hard to
    find in general; growing one greedily from every participant finds the practices and most real cases.
    """
    if model.problem.allow_unassigned or len(model.unit_links) == 0:
        return []
    ids = model.ids
    neighbours: dict[int, set[int]] = {}
    for a, b in model.unit_links:
        neighbours.setdefault(int(a), set()).add(int(b))
        neighbours.setdefault(int(b), set()).add(int(a))
    compatible = model.compatible()
    reasons = []
    seen: set[frozenset] = set()
    for start in sorted(neighbours, key=lambda u: (-len(neighbours[u]), u)):
        clique = [start]
        candidates = set(neighbours[start])
        while candidates:
            nxt = max(candidates, key=lambda u: (len(neighbours[u] & candidates), -u))
            clique.append(nxt)
            candidates &= neighbours[nxt]
        key = frozenset(clique)
        if key in seen:
            continue
        seen.add(key)
        groups = compatible[clique].any(axis=0)
        if len(clique) > groups.sum():
            members = sorted(ids[i] for u in clique for i in model.units[u])
            reasons.append(Reason(
                f"{_people(len(clique))} must all sit in different groups (cannot-link, e.g. colleagues from "
                f"one practice), but there are only {int(groups.sum())} groups they can join: {_names(members)}.",
                tuple(members),
            ))
    return reasons
