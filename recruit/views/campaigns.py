"""Invitation campaigns: write, preview, send, follow, pause and resume."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.campaign_forms import FILTER_FIELDS, CampaignForm, RecruitmentSettingsForm, filters_from
from recruit.filters import ParticipantFilter
from recruit.funnel_selectors import study_funnel
from recruit.models import Campaign, Participant
from recruit.selectors import EDIT_ROLES, studies_visible_to, study_role
from recruit.services import campaigns as service
from recruit.services.audit import audit_record
from recruit.views.helpers import add_service_errors

PAGE_SIZE = 50


def _study(request, pk, *, edit=False):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    can_edit = study_role(request.user, study) in EDIT_ROLES
    if edit and not can_edit:
        raise PermissionDenied
    return study, can_edit


def _filter_form(request, data):
    form = ParticipantFilter(data, queryset=Participant.objects.none(), request=request).form
    for name in list(form.fields):
        if name not in FILTER_FIELDS:
            del form.fields[name]
    return form


@login_required
def campaign_list(request, pk):
    study, can_edit = _study(request, pk)
    settings = service.recruitment_settings_for(study)
    settings_form = RecruitmentSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if settings_form.is_valid():
            try:
                service.recruitment_settings_update(
                    actor=Actor.from_request(request), study=study,
                    **{name: settings_form.cleaned_data[name] for name in settings_form.Meta.fields},
                )
            except ValidationError as error:
                add_service_errors(settings_form, error)
            else:
                messages.success(request, _("Recruitment settings saved."))
                return redirect("campaign-list", pk=study.pk)
    campaigns = study.campaigns.all()
    counts = service.campaigns_counts(campaigns)
    rows = [(campaign, counts.get(campaign.pk, service.CampaignCounts())) for campaign in campaigns]
    return render(request, "recruitment/campaign_list.html", {
        "study": study, "can_edit": can_edit, "rows": rows, "settings_form": settings_form, "section": "campaigns",
    })


@login_required
def campaign_edit(request, pk, campaign_pk=None):
    study, _can_edit = _study(request, pk, edit=True)
    campaign = get_object_or_404(study.campaigns, pk=campaign_pk) if campaign_pk else None
    if campaign is not None and campaign.status != Campaign.Status.DRAFT:
        return redirect("campaign-detail", pk=study.pk, campaign_pk=campaign.pk)
    initial_filters = QueryDict(mutable=True)
    for name, value in (campaign.filters if campaign else {}).items():
        initial_filters.setlist(name, value if isinstance(value, list) else [value])
    form = CampaignForm(request.POST or None, instance=campaign)
    filter_form = _filter_form(request, request.POST if request.method == "POST" else (initial_filters or None))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        fields["filters"] = filters_from(request.POST)
        actor = Actor.from_request(request)
        try:
            if campaign is None:
                campaign = service.campaign_create(actor=actor, study=study, **fields)
            else:
                service.campaign_update(actor=actor, campaign=campaign, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("campaign-detail", pk=study.pk, campaign_pk=campaign.pk)
    return render(request, "recruitment/campaign_form.html", {
        "study": study, "campaign": campaign, "form": form, "filter_form": filter_form, "section": "campaigns",
    })


@login_required
def campaign_detail(request, pk, campaign_pk):
    study, can_edit = _study(request, pk)
    campaign = get_object_or_404(study.campaigns, pk=campaign_pk)
    context = {"study": study, "campaign": campaign, "can_edit": can_edit, "section": "campaigns",
               "counts": service.campaign_counts(campaign)}
    if campaign.status == Campaign.Status.DRAFT:
        actor = Actor.from_request(request)
        if can_edit:
            context["candidates"] = service.campaign_candidates(actor=actor, campaign=campaign).count()
            context["preview"] = service.campaign_preview(actor=actor, campaign=campaign)
    else:
        recipients = (campaign.recipients.select_related("participant", "enrollment", "message")
                      .only("id", "reminders_sent", "last_contacted_at", "participant__id", "participant__given_name",
                            "participant__family_name", "enrollment__status", "message__status", "message__error",
                            "message__sent_at"))
        page = Paginator(recipients, PAGE_SIZE).get_page(request.GET.get("page"))
        context["funnel"] = study_funnel(study)["campaigns"].get(campaign.pk, [])
        context["page"] = page
        context["recipients"] = [(r, service.recipient_status(r)) for r in page.object_list]
        audit_record(actor=Actor.from_request(request), action="campaign.recipients.view", obj=campaign,
                     study=study, detail={"page": page.number})
    return render(request, "recruitment/campaign_detail.html", context)


@login_required
@require_POST
def campaign_action(request, pk, campaign_pk, action):
    study, _can_edit = _study(request, pk, edit=True)
    campaign = get_object_or_404(study.campaigns, pk=campaign_pk)
    actor = Actor.from_request(request)
    try:
        if action == "start":
            n = service.campaign_start(actor=actor, campaign=campaign)
            messages.success(request, _("%(n)s invitations queued.") % {"n": n})
        elif action == "pause":
            service.campaign_pause(actor=actor, campaign=campaign)
            messages.success(request, _("Campaign paused."))
        elif action == "resume":
            service.campaign_resume(actor=actor, campaign=campaign)
            messages.success(request, _("Campaign resumed."))
        else:
            raise PermissionDenied
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("campaign-detail", pk=study.pk, campaign_pk=campaign.pk)
