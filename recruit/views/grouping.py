"""The Build groups page: choose a pool and sessions, run the balancing engine, adjust by hand, save.

One form holds the options and, once there is a proposal, a group choice and a pin per participant. Its buttons
build, repair, check or accept; static/js/groups.js posts the same form to `grouping_evaluate_view` on every
change and swaps in the re-rendered result, so the page also works (one round trip per change) without it.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.grouping_form import GroupingForm
from recruit.selectors import EDIT_ROLES, studies_visible_to, study_role
from recruit.services.grouping import (
    GroupingInfeasible, grouping_accept, grouping_evaluate, grouping_propose, grouping_repair,
)
from recruit.views.helpers import add_service_errors

BAR_WIDTH = 200  # SVG user units; the bars scale with the column
LEVEL_COLOURS = 8  # level-0 … level-7 in groups.css


def _posted_assignment(post) -> dict[int, int | None] | None:
    """{enrollment id: session id or None} from the per-participant selects, or None when there are none."""
    assignment = {}
    for key, value in post.items():
        if key.startswith("assign-"):
            try:
                assignment[int(key[7:])] = int(value) if value else None
            except ValueError:
                raise ValidationError(_("The group choices were damaged; build the groups again."),
                                      code="bad_assignment") from None
    return assignment or None


def _posted_pins(post, assignment) -> dict[int, int]:
    pins = {}
    for key in post:
        if key.startswith("pin-"):
            try:
                enrollment_id = int(key[4:])
            except ValueError:
                continue
            if assignment and assignment.get(enrollment_id) is not None:
                pins[enrollment_id] = assignment[enrollment_id]
    return pins


def _categorical_bar(counts, pool_levels, size):
    """Stacked segments (x, width, colour class, label) for one group and for the pool, in the pool's level order."""
    order = [level for level, _share in pool_levels]
    colour = {level: f"level-{i % LEVEL_COLOURS}" for i, level in enumerate(order)}
    group_segments, pool_segments, legend = [], [], []
    x_group = x_pool = 0.0
    by_level = {c.level: c for c in counts}
    for level, share in pool_levels:
        count = by_level[level].count if level in by_level else 0
        width = BAR_WIDTH * count / size if size else 0
        name = _("(missing)") if level is None else str(level)
        if width:
            group_segments.append({"x": round(x_group, 2), "width": round(width, 2), "cls": colour[level]})
        pool_segments.append({"x": round(x_pool, 2), "width": round(BAR_WIDTH * share, 2), "cls": colour[level]})
        x_group += width
        x_pool += BAR_WIDTH * share
        expected = by_level[level].expected if level in by_level else 0
        legend.append({"name": name, "count": count, "expected": expected, "cls": colour[level],
                       "off": abs(count - expected) >= 1})
    return group_segments, pool_segments, legend


def _numeric_bar(summary, pool):
    low, high = pool["min"], pool["max"]
    if low is None or summary.mean is None:
        return None
    span = (high - low) or 1.0

    def x(value):
        return round(BAR_WIDTH * (value - low) / span, 2)

    return {
        "group_x": x(summary.min), "group_width": max(x(summary.max) - x(summary.min), 2),
        "mean_x": x(summary.mean), "pool_mean_x": x(pool["mean"]),
        "mean": summary.mean, "min": summary.min, "max": summary.max, "pool_mean": pool["mean"],
        "pool_min": low, "pool_max": high,
    }


def _deviation_text(deviation, label: str, size: int) -> str:
    """One of a group's largest differences from the pool, in the reader's language. The engine's own
    text (Deviation.text) is English with the attributes' internal names, for the API and the command."""
    values = {"attribute": label, "observed": number_format(deviation.observed, 1),
              "expected": number_format(deviation.expected, 1)}
    if deviation.kind == "level":
        level = _("(missing)") if deviation.level is None else deviation.level
        return _("%(attribute)s %(level)s: %(observed)s of %(size)s (expected %(expected)s)") % {
            **values, "level": level, "observed": int(deviation.observed), "size": size}
    if deviation.kind == "mean":
        return _("%(attribute)s: mean %(observed)s (pool %(expected)s)") % values
    return _("%(attribute)s: spread %(observed)s around the pool's mean (pool %(expected)s)") % values


def _columns(proposal):
    """What the template draws: per group its members and a bar per attribute."""
    labels = {name: label for name, label, _kind, _weight in proposal.attributes}
    columns = []
    for group in proposal.groups:
        bars = []
        for name, label, kind, _weight in proposal.attributes:
            if kind == "categorical":
                group_segments, pool_segments, legend = _categorical_bar(
                    group.report.categorical[name], proposal.pool_summary[name]["levels"], len(group.members),
                )
                bars.append({"name": name, "label": label, "kind": kind, "group": group_segments,
                             "pool": pool_segments, "legend": legend})
            else:
                bars.append({"name": name, "label": label, "kind": kind,
                             "numeric": _numeric_bar(group.report.numeric[name], proposal.pool_summary[name])})
        columns.append({
            "group": group, "session": group.session, "members": group.members, "bars": bars,
            "deviations": [_deviation_text(d, labels.get(d.attribute, d.attribute), len(group.members))
                           for d in group.report.deviations],
            "too_small": len(group.members) < group.min_size, "too_big": len(group.members) > group.max_size,
        })
    return columns


def _result_context(proposal, pins):
    return {
        "proposal": proposal,
        "columns": _columns(proposal),
        "sessions": [g.session for g in proposal.groups],
        "pins": set(pins),
        "moved": {e.pk for e in proposal.moved},
        "bar_width": BAR_WIDTH,
    }


def _study_for(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    return study, study_role(request.user, study) in EDIT_ROLES


@login_required
def grouping_page(request, pk):
    study, can_edit = _study_for(request, pk)
    form = GroupingForm(request.POST or None, study=study)
    context = {"study": study, "form": form, "can_edit": can_edit, "section": "groups"}
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "build")
        actor = Actor.from_request(request)
        try:
            assignment = _posted_assignment(request.POST)
            pins = _posted_pins(request.POST, assignment)
            options = form.options(pinned=pins)
            if action == "accept" and assignment is not None:
                if not can_edit:
                    raise PermissionDenied
                result = grouping_accept(actor=actor, study=study, options=options, assignment=assignment)
                messages.success(request, _(
                    "Groups saved: %(booked)s booked, %(moved)s moved, %(cancelled)s cancelled, %(kept)s unchanged."
                ) % vars(result))
                return redirect("study-groups", pk=study.pk)
            if action == "check" and assignment is not None:
                proposal = grouping_evaluate(actor=actor, study=study, options=options, assignment=assignment)
            elif action == "repair":
                proposal = grouping_repair(actor=actor, study=study, options=options)
            else:
                proposal = grouping_propose(actor=actor, study=study, options=options)
        except GroupingInfeasible as error:
            context["infeasible"] = error.reasons
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            context.update(_result_context(proposal, pins))
    return render(request, "grouping/page.html", context)


@login_required
@require_POST
def grouping_evaluate_view(request, pk):
    """The page's live check: the figures and broken rules of the posted assignment, as re-rendered HTML."""
    study, can_edit = _study_for(request, pk)
    form = GroupingForm(request.POST, study=study)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    try:
        assignment = _posted_assignment(request.POST)
        if assignment is None:
            return JsonResponse({"errors": {"assignment": [_("Build the groups first.")]}}, status=400)
        pins = _posted_pins(request.POST, assignment)
        proposal = grouping_evaluate(
            actor=Actor.from_request(request), study=study, options=form.options(pinned=pins), assignment=assignment,
        )
    except ValidationError as error:
        return JsonResponse({"errors": {"assignment": error.messages}}, status=400)
    context = {"study": study, "can_edit": can_edit, **_result_context(proposal, pins)}
    return JsonResponse({
        "index": proposal.index,
        "violations": proposal.violations,
        "html": render_to_string("grouping/_result.html", context, request=request),
    })
