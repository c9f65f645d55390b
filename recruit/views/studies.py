from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.forms import MembershipForm, StudyForm
from recruit.models import Membership
from recruit.pipeline import Status
from recruit.selectors import EDIT_ROLES, status_counts, studies_visible_to, study_role
from recruit.services.studies import membership_add, membership_remove, study_create, study_update
from recruit.views.helpers import add_service_errors
from django.utils.safestring import mark_safe
from recruit.services.table1 import composition_svgs


@login_required
def study_detail(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    role = study_role(request.user, study)
    counts = status_counts(studies_visible_to(request.user).filter(pk=study.pk)).get(study.pk, {})
    context = {
        "study": study,
        "role": role,
        # The stored value ("owner") is no name to show: its label is translated.
        "role_label": Membership.Role(role).label if role else "",
        "can_edit": role in EDIT_ROLES,
        "is_owner": role == Membership.Role.OWNER,
        "memberships": study.memberships.select_related("user").order_by("role", "user__username"),
        "counts": [(status, counts.get(status.value, 0)) for status in Status],
        "total": sum(counts.values()),
        "membership_form": MembershipForm(),
    }
    # Composition charts (anonymised export): each status group against the whole cohort.
    context["composition"] = [
        mark_safe(svg)  # noqa: S308 - composition_svgs renders through to_svg, which escapes every text
        for svg in composition_svgs(actor=Actor.from_request(request), study=study)
    ]
    return render(request, "studies/detail.html", context)


@login_required
def study_new(request):
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = study_create(actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Study %(code)s created.") % {"code": study.code})
            return redirect("study-detail", pk=study.pk)
    return render(request, "studies/form.html", {"form": form})


@login_required
def study_edit(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    if study_role(request.user, study) not in EDIT_ROLES:
        raise PermissionDenied
    form = StudyForm(request.POST or None, instance=study)
    if request.method == "POST" and form.is_valid():
        try:
            study_update(actor=Actor.from_request(request), study=study, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Study saved."))
            return redirect("study-detail", pk=study.pk)
    return render(request, "studies/form.html", {"form": form, "study": study})


@login_required
@require_POST
def membership_new(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            membership_add(
                actor=Actor.from_request(request), study=study,
                user=form.cleaned_data["user"], role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Member added."))
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect("study-detail", pk=study.pk)


@login_required
@require_POST
def membership_delete(request, pk, membership_pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    membership = get_object_or_404(study.memberships.select_related("user"), pk=membership_pk)
    try:
        membership_remove(actor=Actor.from_request(request), membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Member removed."))
    return redirect("study-detail", pk=study.pk)
