"""Cannot-link pairs derived from data: colleagues from one practice should not sit in the same group."""

from __future__ import annotations

from collections.abc import Hashable, Mapping


def colleague_pairs(practice_of: Mapping[str, Hashable | None]) -> list[tuple[str, str]]:
    """Every pair of participants with the same practice, as cannot-link pairs.

    `practice_of` maps participant id to practice (any hashable value; None or a missing entry means
    unknown, which links nobody). Pairs come in a stable order: practices by first appearance, then
    participants in the mapping's order. Add further pairs (e.g. former colleagues) by concatenating lists.
    """
    by_practice: dict[Hashable, list[str]] = {}
    for participant_id, practice in practice_of.items():
        if practice is not None:
            by_practice.setdefault(practice, []).append(participant_id)
    return [
        (first, second)
        for members in by_practice.values()
        for position, first in enumerate(members)
        for second in members[position + 1:]
    ]
