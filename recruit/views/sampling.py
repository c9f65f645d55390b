"""The sampling frame page: quotas, how full each cell is, and whom to invite next."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.models import Gender, PracticeSetting, Role
from recruit.selectors import EDIT_ROLES, studies_visible_to, study_role
from recruit.services import sampling as service
from recruit.services.audit import audit_record
from recruit.views.helpers import add_service_errors

BLANK = [("", "—")]


class QuotaForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)
    gender = forms.ChoiceField(label=gettext_lazy("Gender"), required=False, choices=BLANK + Gender.choices)
    age_min = forms.IntegerField(label=gettext_lazy("Age from"), required=False, min_value=0)
    age_max = forms.IntegerField(label=gettext_lazy("Age to"), required=False, min_value=0)
    experience_min = forms.IntegerField(label=gettext_lazy("Experience from (years)"), required=False, min_value=0)
    experience_max = forms.IntegerField(label=gettext_lazy("Experience to (years)"), required=False, min_value=0)
    practice_setting = forms.ChoiceField(label=gettext_lazy("Setting"), required=False,
                                         choices=BLANK + PracticeSetting.choices)
    role = forms.ChoiceField(label=gettext_lazy("Role"), required=False, choices=BLANK + Role.choices)
    target = forms.IntegerField(label=gettext_lazy("Target"), min_value=0)
    target_is_percent = forms.BooleanField(label=gettext_lazy("Target is a percentage of those consented"),
                                           required=False)

    CRITERIA = ("gender", "age_min", "age_max", "experience_min", "experience_max", "practice_setting", "role")

    def criteria(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.CRITERIA if self.cleaned_data.get(name) not in ("", None)}


@login_required
def sampling_frame(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    can_edit = study_role(request.user, study) in EDIT_ROLES
    form = QuotaForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                service.quota_save(actor=Actor.from_request(request), study=study, label=form.cleaned_data["label"],
                                   criteria=form.criteria(), target=form.cleaned_data["target"],
                                   target_is_percent=form.cleaned_data["target_is_percent"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Quota added."))
                return redirect("sampling-frame", pk=study.pk)
    cells = service.sampling_frame(study)
    actor = Actor.from_request(request)
    suggested = service.suggestions_for_cells(
        actor=actor, study=study, cells=[cell for cell in cells if cell.short] if can_edit else [])
    rows = [(cell, suggested.get(cell.quota_id, [])) for cell in cells]
    audit_record(actor=actor, action="sampling_frame.view", study=study, detail={"cells": len(cells)})
    return render(request, "recruitment/sampling_frame.html", {
        "study": study, "can_edit": can_edit, "rows": rows, "form": form, "section": "sampling",
    })


@login_required
@require_POST
def quota_delete(request, pk, quota_pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    if study_role(request.user, study) not in EDIT_ROLES:
        raise PermissionDenied
    service.quota_delete(actor=Actor.from_request(request), quota=get_object_or_404(study.sampling_quotas, pk=quota_pk))
    return redirect("sampling-frame", pk=study.pk)
