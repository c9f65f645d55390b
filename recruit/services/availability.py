"""Availability polls (hidden: no participant sees another's name or answers) and what they tell
the group builder: who can come to which session.
"""
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.models import Enrollment, Poll, PollAnswer, PollOption
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record
from recruit.services.messages import RENDERERS, email_to, message_queue

# Enrollments asked to answer: screened in and not finished.
POLL_STATUSES = ("eligible", "consented", "scheduled", "no_show")
# An answer that counts as "can come" for the group builder.
AVAILABLE = (PollAnswer.Answer.YES, PollAnswer.Answer.IF_NEED_BE)


def poll_create(*, actor: Actor, study, title: str, times: list[tuple[datetime.datetime, datetime.datetime]],
                message: str = "") -> Poll:
    require_study_editor(actor, study)
    if not times:
        raise ValidationError({"times": ValidationError(_("Propose at least one time."), code="no_times")})
    for starts_at, ends_at in times:
        if ends_at <= starts_at:
            raise ValidationError({"times": ValidationError(_("Each time must end after it starts."),
                                                            code="ends_before_start")})
    poll = Poll(study=study, title=title, message=message)
    poll.full_clean()
    with transaction.atomic():
        poll.save()
        PollOption.objects.bulk_create([PollOption(poll=poll, starts_at=s, ends_at=e) for s, e in sorted(times)])
        audit_record(actor=actor, action="poll.create", obj=poll, study=study, detail={"times": len(times)})
    return poll


def poll_answer(*, actor: Actor, poll: Poll, enrollment: Enrollment, answers: dict[int, str]) -> None:
    """Record the enrollment's answers ({option id: yes|if_need_be|no}), replacing earlier ones."""
    require_study_editor(actor, poll.study)
    if enrollment.study_id != poll.study_id:
        raise ValidationError(_("This poll belongs to another study."), code="wrong_study")
    if not poll.is_open:
        raise ValidationError(_("This poll is closed."), code="poll_closed")
    options = set(poll.options.values_list("pk", flat=True))
    unknown = set(answers) - options
    if unknown or any(a not in PollAnswer.Answer.values for a in answers.values()):
        raise ValidationError({"answers": ValidationError(_("Answer yes, if need be or no for each time."),
                                                          code="bad_answer")})
    with transaction.atomic():
        for option_id, answer in answers.items():
            PollAnswer.objects.update_or_create(option_id=option_id, enrollment=enrollment,
                                                defaults={"answer": answer})
        audit_record(actor=actor, action="poll.answer", obj=poll, study=poll.study,
                     detail={"enrollment": enrollment.pk, "answers": len(answers)})


def poll_recipients(poll: Poll):
    return (Enrollment.objects.filter(study_id=poll.study_id, status__in=POLL_STATUSES,
                                      participant__do_not_contact=False, participant__restricted=False)
            .select_related("participant").order_by("participant__family_name", "participant__given_name"))


def poll_matrix(poll: Poll) -> dict:
    """Rows of (enrollment, [answer per option]) for the coordinator, non-responders, and the best times."""
    options = list(poll.options.annotate(
        yes=Count("answers", filter=Q(answers__answer="yes")),
        maybe=Count("answers", filter=Q(answers__answer="if_need_be")),
    ).select_related("session"))
    answers = {(a.enrollment_id, a.option_id): a.answer
               for a in PollAnswer.objects.filter(option__poll=poll).only("enrollment_id", "option_id", "answer")}
    rows, waiting = [], []
    for enrollment in poll_recipients(poll):
        mine = [answers.get((enrollment.pk, option.pk), "") for option in options]
        rows.append((enrollment, mine))
        if not any(mine):
            waiting.append(enrollment)
    # Best: most "yes", then most "if need be".
    best = sorted(options, key=lambda o: (-o.yes, -o.maybe, o.starts_at))[:3]
    return {"options": options, "rows": rows, "waiting": waiting, "best": [o for o in best if o.yes or o.maybe]}


def poll_option_to_session(*, actor: Actor, option: PollOption, **session_fields):
    """Make a chosen time into a session; the answers stay as each participant's availability for it."""
    from recruit.services.sessions import session_create

    poll = option.poll
    require_study_editor(actor, poll.study)
    if option.session_id:
        raise ValidationError(_("This time is already a session."), code="already_session")
    with transaction.atomic():
        session = session_create(actor=actor, study=poll.study, starts_at=option.starts_at, ends_at=option.ends_at,
                                 **session_fields)
        option.session = session
        option.save(update_fields=["session"])
    return session


def availability_for(study) -> dict[int, set[int]]:
    """{enrollment id: {session ids}} the participant said yes or if-need-be to (the group builder's input)."""
    availability: dict[int, set[int]] = {}
    rows = PollAnswer.objects.filter(
        option__poll__study=study, option__session__isnull=False, answer__in=AVAILABLE,
    ).values_list("enrollment_id", "option__session_id")
    for enrollment_id, session_id in rows:
        availability.setdefault(enrollment_id, set()).add(session_id)
    return availability


# --- the e-mail with the personal poll link ------------------------------------------------------------

RENDERERS["poll.invitation"] = "recruit.services.availability.render_poll_invitation"


def poll_invite(*, actor: Actor, poll: Poll, enrollments=None, reminder: bool = False) -> int:
    """E-mail the poll's personal link to the enrollments (default: all who should answer), once a day each."""
    require_study_editor(actor, poll.study)
    enrollments = list(enrollments if enrollments is not None else poll_recipients(poll))
    today = timezone.localdate().isoformat()
    with transaction.atomic():
        for enrollment in enrollments:
            message_queue(kind="poll.invitation", key=f"poll:{poll.pk}:{enrollment.pk}:{today}",
                          participant=enrollment.participant, study=poll.study,
                          payload={"poll": poll.pk, "enrollment": enrollment.pk, "reminder": reminder})
        audit_record(actor=actor, action="poll.remind" if reminder else "poll.invite", obj=poll, study=poll.study,
                     detail={"count": len(enrollments)})
    return len(enrollments)


def render_poll_invitation(message):
    from django.template.loader import render_to_string

    from recruit.services.links import link_issue, link_url, links_revoke

    enrollment = Enrollment.objects.select_related("study", "participant").get(pk=message.payload["enrollment"])
    links_revoke(enrollment=enrollment, purpose="poll")
    _link, token = link_issue(enrollment=enrollment, purpose="poll")
    body = render_to_string("scheduling/email/poll.txt", {
        "study": enrollment.study, "participant": enrollment.participant, "url": link_url(token),
        "reminder": message.payload.get("reminder"),
    })
    subject = (_("Reminder: when can you come? %(study)s") if message.payload.get("reminder")
               else _("When can you come? %(study)s")) % {"study": enrollment.study.title}
    return email_to(message, subject=subject, body=body)
