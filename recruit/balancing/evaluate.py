"""`evaluate`: the figures and the broken rules of an assignment made or edited by hand."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from .feasibility import slot_words
from .model import build_model
from .problem import Problem, validate
from .report import Solution, build_solution
from .threads import one_blas_thread


@one_blas_thread
def evaluate(problem: Problem, assignment: Mapping[str, str | None]) -> Solution:
    """Recompute SSB, the index and each group's composition for `assignment` (participant id -> group id),
    and list every constraint it breaks, in words, in `Solution.violations`.

    Participants missing from `assignment` (or mapped to None) count as unassigned. Unknown participant or
    group ids are reported as violations and otherwise ignored. Raises ProblemError for a malformed problem.
    """
    started = time.monotonic()
    validate(problem)
    model = build_model(problem)
    violations: list[str] = []
    group_of = np.full(len(model.ids), -1, dtype=np.intp)
    for participant_id, group_id in assignment.items():
        if participant_id not in model.index:
            violations.append(f"The assignment names {participant_id!r}, who is not a participant.")
            continue
        if group_id is None:
            continue
        if group_id not in model.group_index:
            violations.append(f"{participant_id} is in {group_id!r}, which is not a group.")
            continue
        group_of[model.index[participant_id]] = model.group_index[group_id]

    ids, group_ids = model.ids, model.group_ids
    sizes = np.bincount(group_of[group_of >= 0], minlength=model.n_groups)
    for k, group in enumerate(problem.groups):
        if sizes[k] > group.max_size:
            violations.append(f"Group {group.id} has {sizes[k]} participants, above its maximum of {group.max_size}.")
        if sizes[k] < group.min_size:
            violations.append(f"Group {group.id} has {sizes[k]} participants, below its minimum of {group.min_size}.")

    for i, participant in enumerate(problem.participants):
        k = group_of[i]
        if k < 0:
            if participant.pinned is not None:
                violations.append(f"{participant.id} is pinned to group {participant.pinned} but is not in any group.")
            elif not problem.allow_unassigned:
                violations.append(f"{participant.id} is not in any group, and the problem allows no waitlist.")
            continue
        if not model.available[i, k]:
            violations.append(
                f"{participant.id} is in group {group_ids[k]}, which meets at {slot_words(model, [k])}, "
                f"a time they cannot attend."
            )
        if participant.pinned is not None and participant.pinned != group_ids[k]:
            violations.append(f"{participant.id} is pinned to group {participant.pinned} but is in {group_ids[k]}.")

    for a, b in model.cannot_link:
        if group_of[a] >= 0 and group_of[a] == group_of[b]:
            violations.append(f"{ids[a]} and {ids[b]} must be kept apart but are both in group {group_ids[group_of[a]]}.")

    for members in model.units:
        places = {int(group_of[i]) for i in members}
        if len(places) > 1:
            where = ", ".join("no group" if k < 0 else group_ids[k] for k in sorted(places))
            violations.append(
                f"{', '.join(ids[i] for i in members)} must sit together but are split across {where}."
            )

    solution = build_solution(model, group_of, violations=violations)
    return replace(solution, seconds=time.monotonic() - started)
