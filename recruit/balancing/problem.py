"""The balancing problem as plain values, and its validation.

A `Problem` is what a coordinator asks for: participants with attribute values and availability, groups with
sizes and meeting slots, and the links between participants. `problem_from_dict` reads the JSON form used by the
command line; `validate` checks a problem built in Python. Both raise `ProblemError` naming every offending item.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ATTRIBUTE_TYPES = ("numeric", "categorical")
EXACT_MODES = ("auto", "always", "never")


class ProblemError(ValueError):
    """The problem is malformed (as opposed to well-formed but impossible, see `Infeasible`).

    `messages` lists every problem found, each naming the offending item.
    """

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class Attribute:
    """A participant characteristic the groups should mirror.

    `type` is "numeric" (age, years of experience) or "categorical" (gender, county, practice setting).
    `weight` scales the attribute's share of the objective (1 = as important as any other attribute).
    """

    name: str
    type: str
    weight: float = 1.0


@dataclass(frozen=True)
class Participant:
    """One person to place.

    `values` maps attribute names to values; a missing or None value is allowed (see `features`).
    `slots` lists the meeting slots the person can attend; None means any slot.
    `pinned` is the id of a group the person must join, or None.
    """

    id: str
    values: Mapping[str, Any] = field(default_factory=dict)
    slots: tuple[str, ...] | None = None
    pinned: str | None = None


@dataclass(frozen=True)
class Group:
    """A focus group: it takes between `min_size` and `max_size` participants and meets at `slot`.

    A group without a slot can be joined by anyone.
    """

    id: str
    min_size: int
    max_size: int
    slot: str | None = None


@dataclass(frozen=True)
class Problem:
    """Everything `solve` needs.

    cannot_link: pairs of participant ids that must not share a group (e.g. colleagues, see
        `colleague_pairs`).
    must_link: sets of participant ids that must share a group; sets with a common member are merged.
    allow_unassigned: when the groups cannot seat everyone, leave some out (a waitlist) instead of failing.
    seed: makes the search reproducible: the same problem and seed give the same solution.
    time_limit: seconds the search may take.
    exact: "auto" proves optimality when that is quick, "always" tries even when it is not, "never" skips it.
    """

    attributes: tuple[Attribute, ...]
    participants: tuple[Participant, ...]
    groups: tuple[Group, ...]
    cannot_link: tuple[tuple[str, str], ...] = ()
    must_link: tuple[tuple[str, ...], ...] = ()
    allow_unassigned: bool = False
    seed: int = 0
    time_limit: float = 10.0
    exact: str = "auto"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_label(value: Any) -> bool:
    # Ids and slots are strings; whole numbers are accepted and read as their decimal text.
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def validate(problem: Problem) -> None:
    """Raise `ProblemError` listing everything malformed in `problem`; return None when it is well-formed."""
    errors: list[str] = []

    attribute_names = set()
    for attribute in problem.attributes:
        if not isinstance(attribute.name, str):
            errors.append(f"attribute name {attribute.name!r} must be a string")
            continue
        if attribute.name in attribute_names:
            errors.append(f"attribute {attribute.name!r} is listed twice")
        attribute_names.add(attribute.name)
        if attribute.type not in ATTRIBUTE_TYPES:
            errors.append(
                f"attribute {attribute.name!r} has unknown type {attribute.type!r} "
                f"(use 'numeric' or 'categorical')"
            )
        if not _is_number(attribute.weight) or not math.isfinite(attribute.weight) or attribute.weight < 0:
            errors.append(f"attribute {attribute.name!r} has weight {attribute.weight!r}; use a number ≥ 0")
    numeric = {a.name for a in problem.attributes if a.type == "numeric"}

    group_ids = set()
    for group in problem.groups:
        if not isinstance(group.id, str) or not group.id:
            errors.append(f"group id {group.id!r} must be a non-empty string")
            continue
        if group.id in group_ids:
            errors.append(f"group id {group.id!r} is used twice")
        group_ids.add(group.id)
        for name in ("min_size", "max_size"):
            size = getattr(group, name)
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                errors.append(f"group {group.id!r} has {name} {size!r}; use a whole number ≥ 0")
        if isinstance(group.min_size, int) and isinstance(group.max_size, int) and group.min_size > group.max_size:
            errors.append(
                f"group {group.id!r} has min_size {group.min_size} above its max_size {group.max_size}"
            )
        if group.slot is not None and not isinstance(group.slot, str):
            errors.append(f"group {group.id!r} has slot {group.slot!r}; use a string")
    if not problem.groups:
        errors.append("there are no groups")

    participant_ids = set()
    for participant in problem.participants:
        if not isinstance(participant.id, str) or not participant.id:
            errors.append(f"participant id {participant.id!r} must be a non-empty string")
            continue
        if participant.id in participant_ids:
            errors.append(f"participant id {participant.id!r} is used twice")
        participant_ids.add(participant.id)
        if not isinstance(participant.values, Mapping):
            errors.append(f"participant {participant.id!r}: values must be a mapping of attribute to value")
            continue
        for name, value in participant.values.items():
            if name not in attribute_names:
                errors.append(f"participant {participant.id!r} has a value for unknown attribute {name!r}")
            elif value is None:
                continue
            elif name in numeric:
                if not _is_number(value) or not math.isfinite(value):
                    errors.append(
                        f"participant {participant.id!r} has {name} = {value!r}, which is not a number"
                    )
            elif not isinstance(value, (str, int, float, bool)):
                errors.append(f"participant {participant.id!r} has {name} = {value!r}; use text or a number")
        if participant.slots is not None:
            if isinstance(participant.slots, str) or not all(isinstance(s, str) for s in participant.slots):
                errors.append(f"participant {participant.id!r}: slots must be a list of strings")
        if participant.pinned is not None and (not isinstance(participant.pinned, str)
                                               or participant.pinned not in group_ids):
            errors.append(f"participant {participant.id!r} is pinned to unknown group {participant.pinned!r}")

    for pair in problem.cannot_link:
        if len(pair) != 2:
            errors.append(f"cannot_link entry {list(pair)!r} must name exactly two participants")
        for pid in pair:
            if not isinstance(pid, str) or pid not in participant_ids:
                errors.append(f"cannot_link names unknown participant {pid!r}")
        if len(pair) == 2 and pair[0] == pair[1]:
            errors.append(f"cannot_link pairs participant {pair[0]!r} with themself")
    for members in problem.must_link:
        if len(members) < 1:
            errors.append("must_link has an empty set")
        for pid in members:
            if not isinstance(pid, str) or pid not in participant_ids:
                errors.append(f"must_link names unknown participant {pid!r}")

    if not isinstance(problem.allow_unassigned, bool):
        errors.append(f"allow_unassigned must be true or false, not {problem.allow_unassigned!r}")
    if not isinstance(problem.seed, int) or isinstance(problem.seed, bool) or problem.seed < 0:
        errors.append(f"seed must be a whole number ≥ 0, not {problem.seed!r}")
    if not _is_number(problem.time_limit) or not problem.time_limit > 0 or not math.isfinite(problem.time_limit):
        errors.append(f"time_limit must be a positive number of seconds, not {problem.time_limit!r}")
    if problem.exact not in EXACT_MODES:
        errors.append(f"exact must be one of 'auto', 'always', 'never', not {problem.exact!r}")
    if errors:
        raise ProblemError(errors)


_PROBLEM_KEYS = {
    "attributes", "participants", "groups", "cannot_link", "must_link", "allow_unassigned", "seed",
    "time_limit", "exact", "previous_assignment",
}


def _label(value: Any, what: str, errors: list[str]) -> str | None:
    """The value as an id or slot label, or None (and an error) when it is neither text nor a whole number."""
    if _is_label(value):
        return str(value)
    errors.append(f"{what} {value!r} must be a string")
    return None


def problem_from_dict(data: Any) -> Problem:
    """Build a `Problem` from its JSON form (see docs/balancing.md) and validate it.

    Whole-number ids and slots are read as their decimal text. Unknown keys are refused so that a typo
    ("max_szie") does not silently fall back to a default.
    """
    errors: list[str] = []
    if not isinstance(data, Mapping):
        raise ProblemError(["the problem must be a JSON object"])
    for key in data:
        if key not in _PROBLEM_KEYS:
            errors.append(f"unknown key {key!r} in the problem")

    attributes = []
    raw_attributes = data.get("attributes", {})
    if not isinstance(raw_attributes, Mapping):
        errors.append("attributes must be an object mapping each name to its type and weight")
        raw_attributes = {}
    for name, spec in raw_attributes.items():
        if not isinstance(spec, Mapping):
            errors.append(f"attribute {name!r} must be an object such as {{\"type\": \"numeric\"}}")
            continue
        for key in spec:
            if key not in ("type", "weight"):
                errors.append(f"attribute {name!r} has unknown key {key!r}")
        if "type" not in spec:
            errors.append(f"attribute {name!r} has no type")
            continue
        attributes.append(Attribute(name=name, type=spec.get("type"), weight=spec.get("weight", 1.0)))

    participants = []
    raw_participants = data.get("participants")
    if not isinstance(raw_participants, list):
        errors.append("participants must be a list")
        raw_participants = []
    for position, raw in enumerate(raw_participants):
        if not isinstance(raw, Mapping) or "id" not in raw:
            errors.append(f"participant number {position + 1} must be an object with an id")
            continue
        for key in raw:
            if key not in ("id", "values", "slots", "pinned"):
                errors.append(f"participant {raw['id']!r} has unknown key {key!r}")
        participant_id = _label(raw["id"], "participant id", errors)
        if participant_id is None:
            continue
        slots = raw.get("slots")
        if slots is not None:
            if not isinstance(slots, list):
                errors.append(f"participant {participant_id!r}: slots must be a list")
                slots = None
            else:
                labels = [_label(s, f"participant {participant_id!r} slot", errors) for s in slots]
                slots = tuple(label for label in labels if label is not None)
        pinned = raw.get("pinned")
        participants.append(
            Participant(
                id=participant_id,
                values=raw.get("values", {}),
                slots=slots,
                pinned=None if pinned is None else _label(pinned, f"participant {participant_id!r} pin", errors),
            )
        )

    groups = []
    raw_groups = data.get("groups")
    if not isinstance(raw_groups, list):
        errors.append("groups must be a list")
        raw_groups = []
    for position, raw in enumerate(raw_groups):
        if not isinstance(raw, Mapping) or "id" not in raw:
            errors.append(f"group number {position + 1} must be an object with an id")
            continue
        for key in raw:
            if key not in ("id", "slot", "min_size", "max_size"):
                errors.append(f"group {raw['id']!r} has unknown key {key!r}")
        for key in ("min_size", "max_size"):
            if key not in raw:
                errors.append(f"group {raw['id']!r} has no {key}")
        group_id = _label(raw["id"], "group id", errors)
        if group_id is None:
            continue
        slot = raw.get("slot")
        if slot is not None:
            slot = _label(slot, f"group {group_id!r} slot", errors)
        min_size = raw.get("min_size", 0)
        groups.append(
            Group(
                id=group_id,
                min_size=min_size,
                max_size=raw.get("max_size", min_size),  # reported missing above; no second complaint
                slot=slot,
            )
        )

    def id_lists(key: str) -> list[tuple[str, ...]]:
        raw = data.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(item, list) for item in raw):
            errors.append(f"{key} must be a list of lists of participant ids")
            return []
        lists = []
        for item in raw:
            labels = [_label(pid, f"{key} participant", errors) for pid in item]
            if None not in labels:
                lists.append(tuple(labels))
        return lists

    problem = Problem(
        attributes=tuple(attributes),
        participants=tuple(participants),
        groups=tuple(groups),
        cannot_link=tuple(id_lists("cannot_link")),
        must_link=tuple(id_lists("must_link")),
        allow_unassigned=data.get("allow_unassigned", False),
        seed=data.get("seed", 0),
        time_limit=data.get("time_limit", 10.0),
        exact=data.get("exact", "auto"),
    )
    try:
        validate(problem)
    except ProblemError as error:
        errors += error.messages
    if errors:
        raise ProblemError(errors)
    return problem
