from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.forms import EnrollForm, TransitionForm
from recruit.selectors import enrollments_visible_to, participants_visible_to, studies_editable_by
from recruit.services.enrollments import enrollment_create, enrollment_transition


def _report(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _report_form(request, form) -> None:
    messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))


@login_required
@require_POST
def enrollment_new(request, participant_pk):
    participant = get_object_or_404(participants_visible_to(request.user), pk=participant_pk)
    form = EnrollForm(request.POST, studies=studies_editable_by(request.user))
    if not form.is_valid():
        _report_form(request, form)
    else:
        try:
            enrollment_create(
                actor=Actor.from_request(request), participant=participant,
                study=form.cleaned_data["study"], status=form.cleaned_data["status"],
            )
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(request, _("Enrolled in %(code)s.") % {"code": form.cleaned_data["study"].code})
    return redirect("participant-detail", pk=participant.pk)


@login_required
@require_POST
def enrollment_transition_view(request, pk):
    enrollment = get_object_or_404(enrollments_visible_to(request.user).select_related("study"), pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        _report_form(request, form)
    else:
        try:
            enrollment_transition(
                actor=Actor.from_request(request), enrollment=enrollment,
                to_status=form.cleaned_data["status"], note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(
                request, _("Status is now %(status)s.") % {"status": enrollment.get_status_display()}
            )
    return redirect("participant-detail", pk=enrollment.participant_id)
