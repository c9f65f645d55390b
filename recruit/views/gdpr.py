"""The participant's rights: their data (coordinator and personal link), restriction, erasure."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.selectors import participants_visible_to
from recruit.services.gdpr import participant_data_export, participant_erase, participant_restrict
from recruit.views.links import LANDINGS, participant_link_required

LANDINGS["own_data"] = "own-data"


def _file(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def participant_data_download(request, pk, fmt):
    participant = get_object_or_404(participants_visible_to(request.user), pk=pk)
    if fmt not in ("json", "pdf"):
        raise Http404
    return _file(*participant_data_export(actor=Actor.from_request(request), participant=participant, fmt=fmt))


@login_required
@require_POST
def participant_restrict_view(request, pk):
    participant = get_object_or_404(participants_visible_to(request.user), pk=pk)
    restricted = request.POST.get("restricted") == "1"
    participant_restrict(actor=Actor.from_request(request), participant=participant, restricted=restricted)
    messages.success(request, _("Processing restricted: left out of invitations, scheduling and exports.")
                     if restricted else _("Restriction lifted."))
    return redirect("participant-detail", pk=participant.pk)


@login_required
def participant_erase_view(request, pk):
    """GET asks for confirmation (typing the e-mail address); POST erases."""
    participant = get_object_or_404(participants_visible_to(request.user), pk=pk)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip().lower() != participant.email.lower():
            error = _("Type the participant's e-mail address exactly to confirm.")
        else:
            try:
                proofs = participant_erase(
                    actor=Actor.from_request(request), participant=participant, reason=request.POST.get("reason", "")
                )
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
            else:
                messages.success(request, _("The participant was erased. Kept: %(codes)s.") % {
                    "codes": ", ".join(p.code for p in proofs) or "–"})
                return redirect("participant-list")
    return render(request, "export/erase_confirm.html", {"participant": participant, "error": error},
                  status=400 if error else 200)


@participant_link_required("own_data")
def own_data(request):
    return render(request, "export/own_data.html", {"enrollment": request.enrollment})


@participant_link_required("own_data")
def own_data_download(request, fmt):
    if fmt not in ("json", "pdf"):
        raise Http404
    participant = request.enrollment.participant
    return _file(*participant_data_export(actor=Actor.participant(request), participant=participant, fmt=fmt,
                                          via="personal link"))
