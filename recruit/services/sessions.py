"""Writes for sessions: create, change and delete, refusing the conflicts a coordinator must not make."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.models import Booking, Membership, Session
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record
from recruit.services.booking_messages import booking_notify
from recruit.services.fields import apply_changes, checked_fields

EDITABLE_FIELDS = (
    "kind", "title", "starts_at", "ends_at", "place", "video_link", "phone", "capacity",
    "moderator", "co_moderator", "notes", "requires_consent",
)
# A change to one of these makes the calendar entries participants hold out of date.
CALENDAR_FIELDS = ("kind", "title", "starts_at", "ends_at", "place", "video_link", "phone")


def session_create(*, actor: Actor, study, **fields) -> Session:
    require_study_editor(actor, study)
    session = Session(study=study, **checked_fields(fields, EDITABLE_FIELDS))
    session.full_clean()
    with transaction.atomic():
        _refuse_conflicts(session)
        session.save()
        audit_record(actor=actor, action="session.create", obj=session, study=study)
    return session


def session_update(*, actor: Actor, session: Session, **fields) -> Session:
    require_study_editor(actor, session.study)
    with transaction.atomic():
        # Lock the row: the seat count read below must not change until the new capacity is saved.
        locked = Session.objects.select_for_update().get(pk=session.pk)
        session.booked = locked.booked
        changes = apply_changes(session, fields, EDITABLE_FIELDS)
        if not changes:
            return session
        _refuse_conflicts(session)
        if set(changes) & set(CALENDAR_FIELDS):
            session.sequence = locked.sequence + 1
        session.save(update_fields=[*changes, "sequence"])
        audit_record(actor=actor, action="session.update", obj=session, study=session.study,
                     detail={"changes": changes})
        if set(changes) & set(CALENDAR_FIELDS) and session.starts_at > timezone.now():
            # Everyone booked gets the new details and an updated calendar entry; reminders follow the new time.
            for booking in session.bookings.filter(status=Booking.Status.BOOKED):
                booking_notify(booking, "change")
    return session


def session_delete(*, actor: Actor, session: Session) -> None:
    """Delete a session nobody holds a place in (cancel the bookings first, so people are told)."""
    require_study_editor(actor, session.study)
    with transaction.atomic():
        if session.bookings.filter(status__in=Booking.ACTIVE).exists():
            raise ValidationError(
                _("Cancel this session's bookings before deleting it, so the participants are told."),
                code="session_has_bookings",
            )
        audit_record(actor=actor, action="session.delete", obj=session, study=session.study,
                     detail={"starts_at": session.starts_at.isoformat()})
        session.delete()


def overlapping(queryset, starts_at, ends_at):
    """Sessions in the queryset that share any moment with [starts_at, ends_at)."""
    return queryset.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


def session_check_conflicts(session: Session) -> None:
    """The conflicts session_create/session_update refuse, checked without writing (the admin's
    form calls it so a refusal is a form error); the services check again under their lock."""
    _refuse_conflicts(session)


def _refuse_conflicts(session: Session) -> None:
    errors = {}
    members = set(Membership.objects.filter(study_id=session.study_id).values_list("user_id", flat=True))
    for field in ("moderator", "co_moderator"):
        user = getattr(session, field)
        if user is None:
            continue
        if user.pk not in members and not user.is_superuser:
            errors[field] = ValidationError(
                _("%(name)s is not a member of this study."), code="moderator_not_member",
                params={"name": user.get_username()},
            )
            continue
        clash = (
            overlapping(Session.objects.exclude(pk=session.pk), session.starts_at, session.ends_at)
            .filter(Q(moderator=user) | Q(co_moderator=user))
            .select_related("study")
            .first()
        )
        if clash is not None:
            errors[field] = ValidationError(
                _("%(name)s already moderates %(session)s (%(study)s) at that time."),
                code="moderator_double_booked",
                params={"name": user.get_username(), "session": clash.display_title, "study": clash.study.code},
            )
    if session.moderator_id and session.moderator_id == session.co_moderator_id:
        errors["co_moderator"] = ValidationError(
            _("The co-moderator must be someone other than the moderator."), code="same_moderator"
        )
    if session.pk:
        clashes = (
            Booking.objects.filter(status=Booking.Status.BOOKED)
            .filter(enrollment__participant__in=session.bookings.filter(status=Booking.Status.BOOKED)
                    .values("enrollment__participant"))
            .exclude(session=session)
            .filter(session__starts_at__lt=session.ends_at, session__ends_at__gt=session.starts_at)
            .count()
        )
        if clashes:
            errors["starts_at"] = ValidationError(
                _("At the new time, %(count)s booked participants would be in another session too."),
                code="participant_overlap", params={"count": clashes},
            )
    if errors:
        raise ValidationError(errors)


SCHEDULING_SETTINGS_FIELDS = (
    "reminder_hours", "self_booking", "participant_deadline_hours", "coordinator_deadline_hours",
)


def scheduling_settings_update(*, actor: Actor, study, **fields):
    """Save the study's scheduling settings (created with the defaults on first save)."""
    from recruit.models import SchedulingSettings

    require_study_editor(actor, study)
    with transaction.atomic():
        # Read fresh and locked, not study.scheduling_settings: a form may have changed that cached
        # copy already (the audit must name what changed), and two first saves must not both insert.
        SchedulingSettings.objects.get_or_create(study=study)
        settings = SchedulingSettings.objects.select_for_update().get(study=study)
        # A refusal raises here and rolls back a defaults row just inserted, too.
        changes = apply_changes(settings, fields, SCHEDULING_SETTINGS_FIELDS)
        settings.save()
        audit_record(actor=actor, action="scheduling_settings.update", obj=settings, study=study,
                     detail={"changes": changes})
    return settings


def booking_invitations_send(*, actor: Actor, study) -> int:
    """E-mail a personal booking link to each bookable participant of the study without a place yet."""
    from recruit.models import Enrollment
    from recruit.services.booking_messages import booking_invitations_queue
    from recruit.services.bookings import BOOKABLE_STATUSES

    require_study_editor(actor, study)
    enrollments = (
        Enrollment.objects.filter(study=study, status__in=BOOKABLE_STATUSES, participant__do_not_contact=False, participant__restricted=False)
        .exclude(bookings__status__in=Booking.ACTIVE)
        .select_related("participant").distinct()
    )
    with transaction.atomic():
        count = booking_invitations_queue(enrollments=list(enrollments), study=study)
        audit_record(actor=actor, action="booking.invitations", study=study, detail={"count": count})
    return count
