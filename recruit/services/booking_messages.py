"""E-mails about bookings, through the outbox: confirmation, change, cancellation, reminders.

Queued with keys that name the booking and its revision (or, for reminders, the session's
start), so a message is queued once and sent once, even if the worker restarts; rendered at
send time, in the participant's language, with the session's current details and a .ics.
"""
import datetime

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from recruit.models import Booking, Message, SchedulingSettings
from recruit.services.calendar import booking_ics, booking_sequence
from recruit.services.messages import RENDERERS, email_to, message_cancel, message_queue, messages_queue

KINDS = ("booking.confirmation", "booking.change", "booking.cancellation", "booking.reminder", "booking.waitlist")
for _kind in KINDS:
    RENDERERS[_kind] = "recruit.services.booking_messages.render"


def booking_notify(booking: Booking, kind: str, *, just_created: bool = False) -> Message:
    """Queue a confirmation, change or cancellation of this revision of the booking, with the reminders it implies.

    just_created: the caller has just inserted the booking, with session.study and enrollment.participant loaded
    and the session read after its seat was taken; nothing to reload, and no reminders for an old start yet.
    """
    if not just_created:
        booking = _load(booking.pk)
    message = Message(
        kind=f"booking.{kind}", key=f"booking:{booking.pk}:{kind}:{booking_sequence(booking)}",
        participant=booking.enrollment.participant, study=booking.session.study,
        payload={"booking": booking.pk, "cancel": kind == "cancellation"},
    )
    if kind == "cancellation":
        message = messages_queue([message])[0]
        reminders_cancel(booking)
        return message
    if not just_created:
        reminders_cancel(booking, keep_start=booking.session.starts_at)
    return messages_queue([message, *_reminders(booking)])[0]


def waitlist_notify(booking: Booking) -> Message:
    """Tell a participant who joined a session's waitlist their place in it (no calendar entry: no seat yet)."""
    booking = _load(booking.pk)
    return message_queue(
        kind="booking.waitlist", key=f"booking:{booking.pk}:waitlist:{booking_sequence(booking)}",
        participant=booking.enrollment.participant, study=booking.session.study, payload={"booking": booking.pk},
    )


def waitlist_position(booking: Booking) -> int:
    """1 for the first waiting, in the order promotion follows (joined, then id)."""
    ahead = Booking.objects.filter(session_id=booking.session_id, status=Booking.Status.WAITLISTED).filter(
        Q(waitlisted_at__lt=booking.waitlisted_at) | Q(waitlisted_at=booking.waitlisted_at, pk__lt=booking.pk)
    )
    return ahead.count() + 1


def reminders_queue(booking: Booking) -> list[Message]:
    """Queue the study's reminders for the session's current start; drop reminders for an old start."""
    reminders_cancel(booking, keep_start=booking.session.starts_at)
    return messages_queue(_reminders(booking))


def _reminders(booking: Booking) -> list[Message]:
    """The study's reminders for the session's current start, unsaved; none already due."""
    settings = SchedulingSettings.for_study(booking.session.study)
    start = booking.session.starts_at
    reminders = []
    for hours in sorted(set(settings.reminder_hours or []), reverse=True):
        when = start - datetime.timedelta(hours=hours)
        if when <= timezone.now():
            continue  # booked later than this reminder: the confirmation does its job
        reminders.append(Message(
            kind="booking.reminder", key=f"booking:{booking.pk}:reminder:{hours}h:{int(start.timestamp())}",
            participant=booking.enrollment.participant, study=booking.session.study,
            payload={"booking": booking.pk, "hours": hours, "starts_at": start.isoformat()}, not_before=when,
        ))
    return reminders


def reminders_cancel(booking: Booking, keep_start: datetime.datetime | None = None) -> int:
    pending = Message.objects.filter(kind="booking.reminder", status=Message.Status.QUEUED,
                                     key__startswith=f"booking:{booking.pk}:reminder:")
    if keep_start is not None:
        pending = pending.exclude(key__endswith=f":{int(keep_start.timestamp())}")
    return sum(message_cancel(message) for message in pending)


def _load(pk: int) -> Booking:
    return Booking.objects.select_related("session__study", "enrollment__participant").get(pk=pk)


class ObsoleteMessage(Exception):
    """A reminder for a booking that no longer holds at that time; the outbox marks it failed, unsent."""


def render(message: Message):
    booking = _load(message.payload["booking"])
    session = booking.session
    kind = message.kind.split(".", 1)[1]
    if kind == "reminder" and (booking.status != Booking.Status.BOOKED
                               or message.payload.get("starts_at") != session.starts_at.isoformat()):
        raise ObsoleteMessage("the booking was cancelled or moved")
    if kind == "waitlist":
        return _render_waitlist(message, booking)
    subjects = {
        "confirmation": _("Booked: %(session)s"),
        "change": _("Changed: %(session)s"),
        "cancellation": _("Cancelled: %(session)s"),
        "reminder": _("Reminder: %(session)s"),
    }
    subject = subjects[kind] % {"session": f"{session.display_title}, {timezone.localtime(session.starts_at):%d.%m.%Y %H:%M}"}
    body = render_to_string(f"scheduling/email/{kind}.txt", {
        "booking": booking, "session": session, "study": session.study,
        "participant": booking.enrollment.participant, "zone": timezone.get_current_timezone_name(),
    })
    cancel = kind == "cancellation"
    attachment = ("invite.ics", booking_ics(booking, cancel=cancel),
                  f"text/calendar; charset=utf-8; method={'CANCEL' if cancel else 'REQUEST'}")
    return email_to(message, subject=subject, body=body, attachments=[attachment])


def _render_waitlist(message: Message, booking: Booking):
    if booking.status != Booking.Status.WAITLISTED:
        # Promoted (the confirmation says so) or cancelled before this was sent: nothing true left to say.
        raise ObsoleteMessage("no longer on the waitlist")
    session = booking.session
    subject = _("Waitlist: %(session)s") % {
        "session": f"{session.display_title}, {timezone.localtime(session.starts_at):%d.%m.%Y %H:%M}"}
    body = render_to_string("scheduling/email/waitlist.txt", {
        "booking": booking, "session": session, "study": session.study, "position": waitlist_position(booking),
        "participant": booking.enrollment.participant, "zone": timezone.get_current_timezone_name(),
    })
    return email_to(message, subject=subject, body=body)


RENDERERS["booking.invitation"] = "recruit.services.booking_messages.render_invitation"


def booking_invitations_queue(*, enrollments, study) -> int:
    """Queue a personal booking link for each enrollment (once a day at most); returns how many were queued."""
    today = timezone.localdate().isoformat()
    queued = 0
    for enrollment in enrollments:
        message = message_queue(
            kind="booking.invitation", key=f"booking:invite:{enrollment.pk}:{today}",
            participant=enrollment.participant, study=study, payload={"enrollment": enrollment.pk},
        )
        queued += 1
    return queued


def render_invitation(message: Message):
    """The link is issued now, at send time, so its token exists only in this e-mail (never stored)."""
    from recruit.models import Enrollment
    from recruit.services.links import link_issue, link_url, links_revoke

    enrollment = Enrollment.objects.select_related("study", "participant").get(pk=message.payload["enrollment"])
    links_revoke(enrollment=enrollment, purpose="booking")
    _link, token = link_issue(enrollment=enrollment, purpose="booking")
    body = render_to_string("scheduling/email/invitation.txt", {
        "study": enrollment.study, "participant": enrollment.participant, "url": link_url(token),
    })
    return email_to(message, subject=_("Choose a time: %(study)s") % {"study": enrollment.study.title}, body=body)
