from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.filters import ParticipantFilter
from recruit.forms import EnrollForm, ParticipantCreateForm, ParticipantForm, TransitionForm
from recruit.models import StatusChange
from recruit.pagination import DeferredJoinPaginator
from recruit.pipeline import Status, allowed_next
from recruit.selectors import (
    attach_visible_enrollments,
    participants_editable_by,
    participants_visible_to,
    studies_editable_by,
    visible_enrollments_prefetch,
)
from recruit.services.audit import audit_record
from recruit.services.participants import participant_create, participant_update
from recruit.views.helpers import add_service_errors

PAGE_SIZE = 25


@login_required
def participant_list(request):
    queryset = participants_visible_to(request.user).select_related("county")
    participant_filter = ParticipantFilter(request.GET or None, queryset=queryset, request=request)
    page = DeferredJoinPaginator(participant_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    participants = list(page.object_list)
    attach_visible_enrollments(participants, request.user)
    filters = {k: v for k, v in request.GET.lists() if k not in ("page", "q")}
    audit_record(
        actor=Actor.from_request(request), action="participant.list",
        detail={"filters": filters, "searched": bool(request.GET.get("q")), "page": page.number,
                "shown": len(participants)},
    )
    context = {
        "filter": participant_filter,
        "page": page,
        "participants": participants,
        "can_add": studies_editable_by(request.user).exists(),
        "ordering": request.GET.get("ordering") or "name",
    }
    return render(request, "participants/list.html", context)


@login_required
def participant_detail(request, pk):
    participant = get_object_or_404(
        participants_visible_to(request.user).select_related("county", "source_study")
        .prefetch_related(visible_enrollments_prefetch(request.user)),
        pk=pk,
    )
    enrollments = participant.visible_enrollments
    editable_studies = studies_editable_by(request.user)
    editable_ids = set(editable_studies.values_list("pk", flat=True))
    history = (
        StatusChange.objects.filter(enrollment__in=[e.pk for e in enrollments])
        .select_related("actor", "enrollment__study")
        .order_by("-at", "-id")
    )
    audit_record(actor=Actor.from_request(request), action="participant.view", obj=participant)
    context = {
        "participant": participant,
        "enrollments": [
            {
                "enrollment": e,
                "can_edit": e.study_id in editable_ids,
                "next": [(s, Status(s).label) for s in allowed_next(e.status)],
            }
            for e in enrollments
        ],
        "history": history,
        "can_edit": participants_editable_by(request.user).filter(pk=participant.pk).exists(),
        "enroll_form": EnrollForm(
            studies=editable_studies.exclude(pk__in=[e.study_id for e in enrollments])
        ),
    }
    return render(request, "participants/detail.html", context)


@login_required
def participant_new(request):
    studies = studies_editable_by(request.user)
    if not studies.exists():
        raise PermissionDenied
    form = ParticipantCreateForm(request.POST or None, studies=studies)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        study = fields.pop("study")
        try:
            participant = participant_create(actor=Actor.from_request(request), study=study, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": participant.full_name})
            return redirect("participant-detail", pk=participant.pk)
    return render(request, "participants/form.html", {"form": form})


@login_required
def participant_edit(request, pk):
    participant = get_object_or_404(participants_visible_to(request.user), pk=pk)
    if not participants_editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    form = ParticipantForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        try:
            participant_update(actor=Actor.from_request(request), participant=participant, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("participant-detail", pk=participant.pk)
    return render(request, "participants/form.html", {"form": form, "participant": participant})
