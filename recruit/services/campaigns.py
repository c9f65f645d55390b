"""Invitation campaigns: choose people with the registry filters, invite them through the outbox,
remind those who have not answered, pause and resume.

Sending goes through the outbox (recruit.models.Message, sent by services.messages.message_send,
which claims each row with a conditional UPDATE, so a restarted worker never sends twice). A
campaign's messages are queued in bulk with staggered `not_before` times, which is how the study's
sending rate is kept, by the campaign's own task and by the outbox sweep alike.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.models import (
    Campaign,
    CampaignRecipient,
    Enrollment,
    Message,
    Participant,
    PersonalLink,
    RecruitmentSettings,
    StatusChange,
)
from recruit.pipeline import Status
from recruit.selectors import participants_editable_by
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record, changes_between
from recruit.services.links import link_issue, link_url
from recruit.services.messages import RENDERERS, email_to, messages_send_batch

INVITATION = "campaign.invitation"
REMINDER = "campaign.reminder"
RENDERERS[INVITATION] = "recruit.services.campaigns.render_invitation"
RENDERERS[REMINDER] = "recruit.services.campaigns.render_reminder"

# Queued messages of a paused campaign wait "until" this: the outbox sweep leaves them alone.
PAUSED_UNTIL = datetime.datetime(2999, 1, 1, tzinfo=datetime.timezone.utc)
BATCH = 1000
# Messages claimed, rendered and sent together; a pause takes effect between chunks.
SEND_CHUNK = 200
# The campaign being sent, so rendering its messages does not read it again for each one.
_campaign_cache: dict[int, Campaign] = {}
EDITABLE_FIELDS = ("name", "filters", "subject_nb", "body_nb", "subject_en", "body_en",
                   "reminder_after_days", "max_reminders")
SETTINGS_FIELDS = ("contact_limit", "contact_window_months", "send_rate_per_minute")

MERGE_FIELDS = {
    "given_name": "Kari",
    "family_name": "Nordmann",
    "full_name": "Kari Nordmann",
    "study_title": "",
    "principal_investigator": "",
    "screening_link": "",
    "unsubscribe_link": "",
}
_FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


# Settings ---------------------------------------------------------------------------------------

def recruitment_settings_for(study) -> RecruitmentSettings:
    """The study's settings, or the defaults (unsaved) if it has none yet."""
    return RecruitmentSettings.objects.filter(study=study).first() or RecruitmentSettings(study=study)


def recruitment_settings_update(*, actor: Actor, study, **fields) -> RecruitmentSettings:
    """Save the study's recruitment settings (created with the defaults on first save)."""
    require_study_editor(actor, study)
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not writable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        # Read fresh and locked: a form may have changed a cached copy already (the audit must name
        # what changed), and two first saves must not both insert. A refusal rolls back the defaults row.
        RecruitmentSettings.objects.get_or_create(study=study)
        settings = RecruitmentSettings.objects.select_for_update().get(study=study)
        before = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
        for name, value in fields.items():
            setattr(settings, name, value)
        settings.full_clean()
        settings.save()
        audit_record(actor=actor, action="recruitment_settings.update", obj=settings, study=study,
                     detail={"changes": changes_between(before, fields)})
    return settings


# Templates --------------------------------------------------------------------------------------

def template_fill(text: str, values: dict) -> str:
    """Replace {{ field }} with its value; plain substitution, so a template can run no code."""
    return _FIELD.sub(lambda match: str(values.get(match.group(1), match.group(0))), text)


def template_errors(campaign: Campaign) -> dict:
    errors = {}
    for name in ("subject_nb", "body_nb", "subject_en", "body_en"):
        unknown = sorted({field for field in _FIELD.findall(getattr(campaign, name)) if field not in MERGE_FIELDS})
        if unknown:
            errors[name] = ValidationError(
                _("Unknown merge fields: %(fields)s. You can use: %(allowed)s."), code="unknown_merge_field",
                params={"fields": ", ".join(unknown), "allowed": ", ".join("{{ %s }}" % f for f in MERGE_FIELDS)},
            )
    for name in ("body_nb", "body_en"):
        if name not in errors and "screening_link" not in _FIELD.findall(getattr(campaign, name)):
            errors[name] = ValidationError(
                _("The message must contain {{ screening_link }}, the participant's personal link to answer."),
                code="no_screening_link",
            )
    return errors


def _filters_errors(filters) -> dict:
    from recruit.filters import ParticipantFilter

    if not isinstance(filters, dict):
        return {"filters": ValidationError(_("Filters must be an object."), code="bad_filters")}
    form = ParticipantFilter(_query(filters), queryset=Participant.objects.none()).form
    if not form.is_valid():
        return {"filters": ValidationError(
            "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()), code="bad_filters"
        )}
    return {}


def _query(filters: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in filters.items():
        if name in ("ordering", "q") and not value:
            continue
        query.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return query


# Campaign lifecycle ------------------------------------------------------------------------------

def campaign_create(*, actor: Actor, study, **fields) -> Campaign:
    require_study_editor(actor, study)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not writable: {', '.join(sorted(unknown))}")
    campaign = Campaign(study=study, created_by=actor.user, **fields)
    _validate(campaign)
    with transaction.atomic():
        campaign.save()
        audit_record(actor=actor, action="campaign.create", obj=campaign, study=study)
    return campaign


def campaign_update(*, actor: Actor, campaign: Campaign, **fields) -> Campaign:
    require_study_editor(actor, campaign.study)
    if campaign.status != Campaign.Status.DRAFT:
        raise ValidationError(_("A campaign can be changed only before it is sent."), code="not_draft")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not writable: {', '.join(sorted(unknown))}")
    before = {name: getattr(campaign, name) for name in fields}
    for name, value in fields.items():
        setattr(campaign, name, value)
    _validate(campaign)
    with transaction.atomic():
        campaign.save()
        audit_record(actor=actor, action="campaign.update", obj=campaign, study=campaign.study,
                     detail={"changed": sorted(changes_between(before, fields))})
    return campaign


def _validate(campaign: Campaign) -> None:
    errors = {}
    try:
        campaign.full_clean(exclude=["study", "created_by"])
    except ValidationError as error:
        errors.update(error.error_dict)
    errors.update({k: [v] for k, v in template_errors(campaign).items() if k not in errors})
    errors.update({k: [v] for k, v in _filters_errors(campaign.filters).items()})
    if errors:
        raise ValidationError(errors)


def _has_restricted_flag() -> bool:
    return any(field.name == "restricted" for field in Participant._meta.get_fields())


def campaign_candidates(*, actor: Actor, campaign: Campaign):
    """The people this campaign would invite now: the filter's matches the actor may contact, without
    do-not-contact, restricted, already enrolled, or already contacted up to the study's limit."""
    from recruit.filters import ParticipantFilter

    study = campaign.study
    base = participants_editable_by(actor.user) if not actor.trusted else Participant.objects.all()
    request = type("FilterRequest", (), {"user": actor.user})() if actor.user else None
    matches = ParticipantFilter(_query(campaign.filters), queryset=base, request=request).qs
    settings = recruitment_settings_for(study)
    since = timezone.now() - datetime.timedelta(days=30 * settings.contact_window_months)
    over_limit = (
        CampaignRecipient.objects.filter(created_at__gte=since).values("participant")
        .annotate(n=Count("id")).filter(n__gte=settings.contact_limit).values("participant")
    )
    matches = matches.filter(do_not_contact=False).exclude(
        Exists(Enrollment.objects.filter(study=study, participant=OuterRef("pk")))
    ).exclude(pk__in=over_limit)
    if _has_restricted_flag():
        matches = matches.filter(restricted=False)
    return matches


def campaign_start(*, actor: Actor, campaign: Campaign) -> int:
    """Enrol every candidate as invited and queue their invitations; returns how many."""
    require_study_editor(actor, campaign.study)
    now = timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != Campaign.Status.DRAFT:
            raise ValidationError(_("This campaign has already been sent."), code="not_draft")
        ids = list(campaign_candidates(actor=actor, campaign=locked).order_by("pk").values_list("pk", flat=True))
        if not ids:
            raise ValidationError(_("Nobody matches this campaign's filters; nothing was sent."), code="no_recipients")
        try:
            enrollments = _enrol(actor, locked, ids)
            _queue(locked, INVITATION, [(pid, enrollments[pid]) for pid in ids], now, step=0)
        except IntegrityError as error:
            raise ValidationError(
                _("Someone enrolled some of these people meanwhile; try again."), code="concurrent_change"
            ) from error
        messages = dict(Message.objects.filter(key__startswith=_prefix(locked, INVITATION, 0))
                        .values_list("participant_id", "pk"))
        CampaignRecipient.objects.bulk_create(
            [CampaignRecipient(campaign=locked, participant_id=pid, enrollment_id=enrollments[pid],
                               message_id=messages[pid], last_contacted_at=now) for pid in ids],
            batch_size=BATCH,
        )
        locked.status, locked.started_at = Campaign.Status.SENDING, now
        locked.sending_round += 1
        locked.save(update_fields=["status", "started_at", "sending_round"])
        audit_record(actor=actor, action="campaign.start", obj=locked, study=locked.study,
                     detail={"recipients": len(ids)})
        _schedule(locked)
    campaign.refresh_from_db()
    return len(ids)


def _enrol(actor: Actor, campaign: Campaign, participant_ids: list[int]) -> dict[int, int]:
    """Enrol as invited in bulk, with the same status-history rows enrollment_create writes."""
    Enrollment.objects.bulk_create(
        [Enrollment(study=campaign.study, participant_id=pid, status=Status.INVITED) for pid in participant_ids],
        batch_size=BATCH,
    )
    enrollments = {}
    for start in range(0, len(participant_ids), BATCH):
        enrollments.update(Enrollment.objects.filter(
            study=campaign.study, participant_id__in=participant_ids[start:start + BATCH]
        ).values_list("participant_id", "pk"))
    note = _("Invited by campaign %(name)s") % {"name": campaign.name}
    StatusChange.objects.bulk_create(
        [StatusChange(enrollment_id=eid, from_status="", to_status=Status.INVITED, actor=actor.user,
                      actor_label=actor.label, note=note[:500]) for eid in enrollments.values()],
        batch_size=BATCH,
    )
    return enrollments


def _prefix(campaign: Campaign, kind: str, step: int) -> str:
    return f"campaign:{campaign.pk}:{step}:"


def _queue(campaign: Campaign, kind: str, rows: list[tuple[int, int]], start: datetime.datetime, step: int) -> None:
    """Queue one message per (participant, enrollment), keyed so queueing again adds nothing, and
    staggered so the study's rate holds."""
    interval = 60 / recruitment_settings_for(campaign.study).send_rate_per_minute
    Message.objects.bulk_create(
        [Message(kind=kind, key=f"{_prefix(campaign, kind, step)}{pid}", participant_id=pid, study=campaign.study,
                 payload={"campaign": campaign.pk, "enrollment": eid, "step": step},
                 not_before=start + datetime.timedelta(seconds=i * interval))
         for i, (pid, eid) in enumerate(rows)],
        batch_size=BATCH, ignore_conflicts=True,
    )


def campaign_messages(campaign: Campaign):
    return Message.objects.filter(key__startswith=f"campaign:{campaign.pk}:")


def campaign_pause(*, actor: Actor, campaign: Campaign) -> None:
    require_study_editor(actor, campaign.study)
    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
            status=Campaign.Status.PAUSED
        ):
            raise ValidationError(_("Only a campaign that is sending can be paused."), code="not_sending")
        held = campaign_messages(campaign).filter(status=Message.Status.QUEUED).update(not_before=PAUSED_UNTIL)
        audit_record(actor=actor, action="campaign.pause", obj=campaign, study=campaign.study, detail={"held": held})
    campaign.refresh_from_db()


def campaign_resume(*, actor: Actor, campaign: Campaign) -> None:
    require_study_editor(actor, campaign.study)
    now = timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != Campaign.Status.PAUSED:
            raise ValidationError(_("Only a paused campaign can be resumed."), code="not_paused")
        interval = 60 / recruitment_settings_for(locked.study).send_rate_per_minute
        held = list(campaign_messages(locked).filter(status=Message.Status.QUEUED).order_by("id").only("id"))
        for i, message in enumerate(held):
            message.not_before = now + datetime.timedelta(seconds=i * interval)
        Message.objects.bulk_update(held, ["not_before"], batch_size=BATCH)
        locked.status = Campaign.Status.SENDING
        locked.sending_round += 1
        locked.save(update_fields=["status", "sending_round"])
        audit_record(actor=actor, action="campaign.resume", obj=locked, study=locked.study,
                     detail={"resumed": len(held)})
        _schedule(locked)
    campaign.refresh_from_db()


def _schedule(campaign: Campaign, run_after: datetime.datetime | None = None) -> None:
    from recruit.campaign_tasks import send_campaign

    campaign_id, sending_round = campaign.pk, campaign.sending_round

    def enqueue():
        task = send_campaign
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return  # the periodic `send_campaigns` command picks it up
            task = task.using(run_after=run_after)
        task.enqueue(campaign_id, sending_round)

    transaction.on_commit(enqueue)


def campaign_send_due(campaign_id: int, sending_round: int | None = None, limit: int | None = None) -> int:
    """Send this campaign's due messages (the task's body); returns how many were sent.

    Stops if the campaign was paused (or resumed into a newer round) meanwhile, and schedules
    itself again for the next message that falls due.
    """
    campaign = Campaign.objects.select_related("study").filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Campaign.Status.SENDING:
        return 0
    if sending_round is not None and sending_round != campaign.sending_round:
        return 0
    now = timezone.now()
    queued = campaign_messages(campaign).filter(status=Message.Status.QUEUED)
    due = queued.filter(not_before__lte=now).order_by("not_before", "id").values_list("pk", flat=True)
    ids = list(due[:limit] if limit else due)
    sent = 0
    for start in range(0, len(ids), SEND_CHUNK):
        if start and not Campaign.objects.filter(
            pk=campaign_id, status=Campaign.Status.SENDING, sending_round=campaign.sending_round
        ).exists():
            return sent  # paused halfway through
        _campaign_cache[campaign.pk] = campaign
        try:
            sent += messages_send_batch(ids[start:start + SEND_CHUNK])
        finally:
            _campaign_cache.clear()
    next_due = queued.order_by("not_before").values_list("not_before", flat=True).first()
    if next_due is not None and next_due < PAUSED_UNTIL and sending_round is not None:
        _schedule(campaign, run_after=max(next_due, timezone.now()))
    return sent


def campaigns_resume() -> int:
    """Schedule the sending task of every campaign that is sending; returns how many.

    Run when a worker starts: a worker that was killed took its running campaign task with it, and
    that task was the one to schedule the next. A campaign whose task still waits gets a second
    one, which sends nothing twice (every message is claimed before it is sent)."""
    campaigns = list(Campaign.objects.filter(status=Campaign.Status.SENDING))
    for campaign in campaigns:
        _schedule(campaign)
    return len(campaigns)


def campaigns_send_due() -> int:
    """Send the due messages of every sending campaign (the periodic command's body)."""
    return sum(campaign_send_due(pk) for pk in Campaign.objects.filter(status=Campaign.Status.SENDING)
               .values_list("pk", flat=True))


# Reminders ---------------------------------------------------------------------------------------

def campaign_reminders_queue(now: datetime.datetime | None = None) -> int:
    """Queue reminders to everyone who has not answered within their campaign's waiting time.

    Idempotent: a reminder's key names its number, and a recipient's count moves only from the
    number it had, so running this twice (or in two processes) queues each reminder once.
    """
    now = now or timezone.now()
    queued = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.SENDING, max_reminders__gt=0).select_related("study"):
        due = (
            CampaignRecipient.objects.filter(
                campaign=campaign, reminders_sent__lt=campaign.max_reminders,
                last_contacted_at__lte=now - datetime.timedelta(days=campaign.reminder_after_days),
                enrollment__status=Status.INVITED, participant__do_not_contact=False,
                message__status=Message.Status.SENT,
            ).order_by("id").values_list("id", "participant_id", "enrollment_id", "reminders_sent")
        )
        by_step: dict[int, list] = {}
        for row in due:
            by_step.setdefault(row[3] + 1, []).append(row)
        for step, rows in by_step.items():
            with transaction.atomic():
                _queue(campaign, REMINDER, [(pid, eid) for _id, pid, eid, _n in rows], now, step=step)
                for start in range(0, len(rows), BATCH):
                    queued += CampaignRecipient.objects.filter(
                        pk__in=[r[0] for r in rows[start:start + BATCH]], reminders_sent=step - 1
                    ).update(reminders_sent=step, last_contacted_at=now)
                _schedule(campaign)
    return queued


# Unsubscribing -----------------------------------------------------------------------------------

def participant_unsubscribe(*, actor: Actor, participant: Participant, study=None) -> int:
    """Do not contact this person again: set the flag and cancel their queued invitations and reminders."""
    with transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(do_not_contact=True, updated_at=timezone.now())
        participant.do_not_contact = True
        cancelled = Message.objects.filter(
            participant=participant, status=Message.Status.QUEUED, kind__in=[INVITATION, REMINDER]
        ).update(status=Message.Status.CANCELLED)
        audit_record(actor=actor, action="participant.unsubscribe", obj=participant, study=study,
                     detail={"cancelled": cancelled})
    return cancelled


# Rendering (at send time, in the participant's language) ----------------------------------------

class DoNotContact(Exception):
    pass


def merge_values(campaign: Campaign, participant: Participant, screening_url: str, unsubscribe_url: str) -> dict:
    return {
        "given_name": participant.given_name,
        "family_name": participant.family_name,
        "full_name": participant.full_name,
        "study_title": campaign.study.title,
        "principal_investigator": campaign.study.principal_investigator,
        "screening_link": screening_url,
        "unsubscribe_link": unsubscribe_url,
    }


def campaign_text(campaign: Campaign, language: str, values: dict, *, reminder: int = 0) -> tuple[str, str]:
    """The subject and body in a language, merged, with the unsubscribe footer every message carries."""
    english = (language or "").startswith("en")
    subject = template_fill(campaign.subject_en if english else campaign.subject_nb, values)
    body = template_fill(campaign.body_en if english else campaign.body_nb, values)
    with translation.override("en" if english else "nb"):
        if reminder:
            subject = _("Reminder: %(subject)s") % {"subject": subject}
        body = body.rstrip() + "\n\n-- \n" + _(
            "You receive this because you are in the registry of %(study)s. "
            "To receive no more invitations: %(link)s"
        ) % {"study": campaign.study.title, "link": values["unsubscribe_link"]}
    return subject, body


def _render(message: Message, reminder: int):
    participant = message.participant
    if participant.do_not_contact:
        raise DoNotContact("The participant asked not to be contacted.")
    campaign = _campaign_cache.get(message.payload["campaign"]) or Campaign.objects.select_related("study").get(
        pk=message.payload["campaign"])
    enrollment = Enrollment(pk=message.payload["enrollment"], study=campaign.study, participant=participant)
    _link, screening = link_issue(enrollment=enrollment, purpose=PersonalLink.Purpose.SCREENING)
    _link, unsubscribe = link_issue(enrollment=enrollment, purpose=PersonalLink.Purpose.UNSUBSCRIBE)
    values = merge_values(campaign, participant, link_url(screening), link_url(unsubscribe))
    subject, body = campaign_text(campaign, translation.get_language(), values, reminder=reminder)
    email = email_to(message, subject=subject, body=body)
    email.extra_headers["List-Unsubscribe"] = f"<{values['unsubscribe_link']}>"
    return email


def render_invitation(message: Message):
    return _render(message, reminder=0)


def render_reminder(message: Message):
    return _render(message, reminder=message.payload.get("step", 1))


def campaign_preview(*, actor: Actor, campaign: Campaign, participant: Participant | None = None) -> dict:
    """The message as a recipient will see it, in both languages, with example links (nothing is sent)."""
    require_study_editor(actor, campaign.study)
    if participant is None:
        participant = Participant(given_name=MERGE_FIELDS["given_name"], family_name=MERGE_FIELDS["family_name"])
    example = link_url("EXAMPLE-PERSONAL-LINK")
    values = merge_values(campaign, participant, example, example)
    return {language: dict(zip(("subject", "body"), campaign_text(campaign, language, values)))
            for language in ("nb", "en")}


# Reading -----------------------------------------------------------------------------------------

@dataclass
class CampaignCounts:
    recipients: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    responded: int = 0
    reminders: int = 0


def campaign_counts(campaign: Campaign) -> CampaignCounts:
    """Per-status counts of the invitations, and how many answered, in one query."""
    return campaigns_counts(Campaign.objects.filter(pk=campaign.pk)).get(campaign.pk, CampaignCounts())


def campaigns_counts(campaigns) -> dict[int, CampaignCounts]:
    """{campaign id: counts} for several campaigns, in one query."""
    responded = ~Q(enrollment__status=Status.INVITED)
    sending = Q(message__status=Message.Status.SENDING)
    rows = CampaignRecipient.objects.filter(campaign__in=campaigns.values("pk")).values("campaign").annotate(
        recipients=Count("id"),
        queued=Count("id", filter=Q(message__status=Message.Status.QUEUED) | sending),
        sent=Count("id", filter=Q(message__status=Message.Status.SENT)),
        failed=Count("id", filter=Q(message__status=Message.Status.FAILED)),
        cancelled=Count("id", filter=Q(message__status=Message.Status.CANCELLED)),
        responded=Count("id", filter=responded),
        reminders=Count("id", filter=Q(reminders_sent__gt=0)),
    ).order_by()
    return {row.pop("campaign"): CampaignCounts(**row) for row in rows}


def recipient_status(recipient: CampaignRecipient) -> str:
    """queued, sent, failed, cancelled or responded (an answer outranks how the e-mail went)."""
    if recipient.enrollment.status != Status.INVITED:
        return "responded"
    if recipient.message is None:
        return "cancelled"
    return {"sending": "queued"}.get(recipient.message.status, recipient.message.status)

