"""Bookings: seats in sessions that are never overbooked, under any concurrency.

The database keeps the promises; the Python checks only give friendly reasons.
- A seat is taken with `UPDATE session SET booked = booked + 1 WHERE id = … AND booked < capacity`:
  it takes a seat or changes nothing. PostgreSQL re-checks the WHERE after waiting for a
  concurrent writer of the row (READ COMMITTED), so two requests for the last seat cannot both win.
- The check constraint `booked <= capacity` backs that up, and a partial unique index allows
  one active (booked or waitlisted) booking per participant and session.
- Every write for one participant first locks the participant's row, so two requests cannot
  book the same person into overlapping sessions at once.

Locks are always taken in one order — participant, then sessions by id, then bookings — so
booking, moving, cancelling and waitlist promotion never deadlock one another.
"""
import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from recruit import pipeline
from recruit.actors import Actor
from recruit.models import Booking, Enrollment, Participant, Session
from recruit.services import consent_gate
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record
from recruit.services.booking_messages import booking_notify, waitlist_notify
from recruit.services.enrollments import enrollment_transition

S = pipeline.Status
# Enrollments that may hold a seat: screened in, and not finished or withdrawn.
BOOKABLE_STATUSES = frozenset({S.ELIGIBLE, S.CONSENTED, S.SCHEDULED, S.ATTENDED, S.NO_SHOW})


def _now() -> datetime.datetime:
    return timezone.now()


def booking_create(
    *, actor: Actor, session: Session, enrollment: Enrollment, source: str = Booking.Source.COORDINATOR,
    waitlist: bool = False,
) -> Booking:
    """Book the enrollment into the session, or (with waitlist=True) queue it when the session is full.

    Refuses with a ValidationError (code in brackets): another study's enrollment
    (wrong_study), a status that cannot be booked (not_bookable), a restricted participant
    (restricted), no valid consent when the session needs one (no_consent), a session that
    has started (session_started), a second place in the same session (already_booked), an
    overlapping booking (participant_overlap), a full session (session_full).
    """
    require_study_editor(actor, session.study)
    with transaction.atomic():
        enrollment = _lock_participant(enrollment)
        _refuse_unbookable(session, enrollment)
        _refuse_after_deadline(actor, session)
        if _take_seat(session):
            status, waitlisted_at = Booking.Status.BOOKED, None
        elif waitlist:
            status, waitlisted_at = Booking.Status.WAITLISTED, _now()
        else:
            raise _full_error()
        booking = Booking.objects.create(
            session=session, enrollment=enrollment, status=status, source=source, waitlisted_at=waitlisted_at,
        )
        if status == Booking.Status.BOOKED:
            _mark_scheduled(actor, enrollment)
            booking_notify(booking, "confirmation", just_created=True)
        else:
            waitlist_notify(booking)
        audit_record(actor=actor, action=f"booking.{'create' if status == Booking.Status.BOOKED else 'waitlist'}",
                     obj=booking, study=session.study,
                     detail={"session": session.pk, "enrollment": enrollment.pk, "source": source})
    return booking


def booking_cancel(*, actor: Actor, booking: Booking, reason: str = "", enforce_deadline: bool = True) -> Booking:
    """Cancel a booking (or waitlist place); a freed seat goes to the first on the waitlist.

    enforce_deadline=False is for withdrawal and erasure, which must cancel whenever they happen.
    """
    require_study_editor(actor, booking.session.study)
    with transaction.atomic():
        enrollment = _lock_participant(booking.enrollment)
        session_id = Booking.objects.values_list("session_id", flat=True).get(pk=booking.pk)
        session = Session.objects.select_for_update(of=("self",)).select_related("study").get(pk=session_id)
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status == Booking.Status.CANCELLED:
            raise ValidationError(_("This booking is already cancelled."), code="already_cancelled")
        if enforce_deadline:
            _refuse_after_deadline(actor, session)
        was_booked = locked.status == Booking.Status.BOOKED
        now = _now()
        Booking.objects.filter(pk=locked.pk).update(
            status=Booking.Status.CANCELLED, cancelled_at=now, cancel_reason=reason[:300], sequence=F("sequence") + 1,
        )
        if was_booked:
            _free_seat(session)
            _release_enrollment(actor, enrollment, session.study_id)
            _promote_waitlist(session)
            if session.starts_at > now:
                booking_notify(locked, "cancellation")
        audit_record(actor=actor, action="booking.cancel", obj=locked, study=session.study,
                     detail={"session": session.pk, "was": locked.status})
    booking.refresh_from_db()
    return booking


def booking_move(*, actor: Actor, booking: Booking, session: Session, source: str | None = None) -> Booking:
    """Move a booking to another session of the same study, keeping the booking (and its calendar UID).

    Nothing changes unless the new session has a seat; the old seat goes to its waitlist.
    """
    require_study_editor(actor, booking.session.study)
    if session.study_id != booking.session.study_id:
        raise ValidationError({"session": ValidationError(
            _("A booking can only move to another session of the same study."), code="wrong_study")})
    with transaction.atomic():
        enrollment = _lock_participant(booking.enrollment)
        old_session_id = Booking.objects.values_list("session_id", flat=True).get(pk=booking.pk)
        if old_session_id == session.pk:
            raise ValidationError({"session": ValidationError(
                _("The booking is already in this session."), code="same_session")})
        sessions = {
            s.pk: s for s in Session.objects.select_for_update(of=("self",)).select_related("study")
            .filter(pk__in=[old_session_id, session.pk]).order_by("pk")
        }
        old_session, new_session = sessions[old_session_id], sessions[session.pk]
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status == Booking.Status.CANCELLED:
            raise ValidationError(_("A cancelled booking cannot be moved; book again instead."), code="cancelled")
        _refuse_unbookable(new_session, enrollment, moving=locked)
        _refuse_after_deadline(actor, old_session)
        _refuse_after_deadline(actor, new_session)
        if not _take_seat(new_session):
            raise _full_error()
        was_booked = locked.status == Booking.Status.BOOKED
        fields = {"session": new_session, "status": Booking.Status.BOOKED, "waitlisted_at": None,
                  "attendance": "", "sequence": F("sequence") + 1}
        if source:
            fields["source"] = source
        Booking.objects.filter(pk=locked.pk).update(**fields)
        if was_booked:
            _free_seat(old_session)
            _promote_waitlist(old_session)
        else:
            _mark_scheduled(actor, enrollment)
        booking_notify(locked, "change" if was_booked else "confirmation")
        audit_record(actor=actor, action="booking.move", obj=locked, study=new_session.study,
                     detail={"from": old_session.pk, "to": new_session.pk})
    booking.refresh_from_db()
    session.booked = new_session.booked
    return booking


def bookings_cancel_for_enrollment(*, actor: Actor, enrollment: Enrollment, reason: str = "") -> int:
    """Cancel the enrollment's places in sessions still to come (withdrawal and erasure call this).

    Past bookings stay: they record what happened. Returns the number cancelled.
    """
    require_study_editor(actor, enrollment.study)
    with transaction.atomic():
        upcoming = list(
            Booking.objects.filter(enrollment=enrollment, status__in=Booking.ACTIVE, session__starts_at__gt=_now())
            .select_related("session__study", "enrollment__study")
            .order_by("session__starts_at", "pk")
        )
        for booking in upcoming:
            booking_cancel(actor=actor, booking=booking, reason=reason, enforce_deadline=False)
    return len(upcoming)


# Unexcused no-shows at which a participant is flagged to the coordinators.
NO_SHOW_FLAG_AT = 2
ATTENDANCE_STATUS = {
    Booking.Attendance.ATTENDED: S.ATTENDED,
    Booking.Attendance.NO_SHOW: S.NO_SHOW,
    Booking.Attendance.NO_SHOW_EXCUSED: S.NO_SHOW,
}


def booking_mark_attendance(*, actor: Actor, booking: Booking, attendance: str) -> Booking:
    """Record whether the participant came; the enrollment follows (attended or no-show)."""
    require_study_editor(actor, booking.session.study)
    if attendance not in ATTENDANCE_STATUS:
        raise ValidationError({"attendance": ValidationError(
            _("Choose attended, no-show (excused) or no-show."), code="bad_attendance")})
    with transaction.atomic():
        enrollment = _lock_participant(booking.enrollment)
        locked = Booking.objects.select_for_update(of=("self",)).select_related("session").get(pk=booking.pk)
        if locked.status != Booking.Status.BOOKED:
            raise ValidationError({"attendance": ValidationError(
                _("Attendance can only be marked for a booked place."), code="not_booked")})
        if locked.session.starts_at > _now():
            raise ValidationError({"attendance": ValidationError(
                _("Attendance can be marked once the session has started."), code="not_started")})
        if locked.attendance == attendance:
            return locked
        Booking.objects.filter(pk=locked.pk).update(attendance=attendance)
        to_status = ATTENDANCE_STATUS[attendance]
        if enrollment.status != to_status and pipeline.can_transition(enrollment.status, to_status):
            enrollment_transition(actor=actor, enrollment=enrollment, to_status=to_status,
                                  note=f"attendance: {attendance}")
        audit_record(actor=actor, action="booking.attendance", obj=locked, study=locked.session.study,
                     detail={"from": locked.attendance, "to": attendance})
    booking.refresh_from_db()
    return booking


def unexcused_no_shows(participant_ids) -> dict[int, int]:
    """{participant id: unexcused no-shows, over all studies} for those with any."""
    from django.db.models import Count

    rows = (
        Booking.objects.filter(enrollment__participant_id__in=participant_ids, attendance=Booking.Attendance.NO_SHOW)
        .values("enrollment__participant_id").annotate(n=Count("id")).order_by()
    )
    return {row["enrollment__participant_id"]: row["n"] for row in rows}


def active_booking_exists(*, session: Session, enrollment: Enrollment) -> bool:
    return Booking.objects.filter(session=session, enrollment=enrollment, status__in=Booking.ACTIVE).exists()


# --- the pieces -------------------------------------------------------------------------------

def _lock_participant(enrollment: Enrollment) -> Enrollment:
    """Lock the participant's row (serialising all their bookings) and return a fresh enrollment."""
    list(Participant.objects.select_for_update().filter(pk=enrollment.participant_id).order_by().values_list("pk"))
    return Enrollment.objects.select_related("participant", "study").get(pk=enrollment.pk)


def _take_seat(session: Session) -> bool:
    taken = Session.objects.filter(pk=session.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if taken:
        # Read under the row lock the UPDATE took: the seat count, and the start and revision that the
        # messages queued next name (an edit of the session may have committed since the caller read it).
        session.refresh_from_db(fields=["booked", "starts_at", "ends_at", "sequence"])
    return bool(taken)


def _free_seat(session: Session) -> None:
    Session.objects.filter(pk=session.pk, booked__gt=0).update(booked=F("booked") - 1)
    session.booked = Session.objects.values_list("booked", flat=True).get(pk=session.pk)


def _is_participant(actor: Actor) -> bool:
    return actor.user is None and actor.label == "participant"


def _refuse_after_deadline(actor: Actor, session: Session) -> None:
    """Participants change bookings until the study's deadline, coordinators until theirs; the system any time."""
    from recruit.models import SchedulingSettings

    settings = SchedulingSettings.for_study(session.study)
    if _is_participant(actor):
        if not settings.self_booking:
            raise ValidationError(_("This study does not let participants book themselves."), code="self_booking_off")
        hours, code = settings.participant_deadline_hours, "participant_deadline"
        message = _("Bookings for this session can no longer be changed here; please contact the study team.")
    elif actor.user is not None:
        hours, code = settings.coordinator_deadline_hours, "coordinator_deadline"
        message = _("The deadline for changing bookings for this session has passed.")
    else:
        return
    if hours and session.starts_at - datetime.timedelta(hours=hours) <= _now():
        raise ValidationError({"session": ValidationError(message, code=code)})


def _full_error() -> ValidationError:
    return ValidationError({"session": ValidationError(_("This session is full."), code="session_full")})


def _refuse_unbookable(session: Session, enrollment: Enrollment, moving: Booking | None = None) -> None:
    def refuse(message, code, field="enrollment", **params):
        raise ValidationError({field: ValidationError(message, code=code, params=params or None)})

    if enrollment.study_id != session.study_id:
        refuse(_("The participant is not enrolled in this session's study."), "wrong_study")
    if getattr(enrollment.participant, "restricted", False):
        refuse(_("This participant's data is restricted; they cannot be booked."), "restricted")
    if enrollment.status not in BOOKABLE_STATUSES:
        refuse(_("A participant who is %(status)s cannot be booked."), "not_bookable",
               status=str(S(enrollment.status).label).lower())
    if session.starts_at <= _now():
        refuse(_("This session has already started."), "session_started", field="session")
    if session.requires_consent and not consent_gate.has_valid_consent(enrollment):
        refuse(_("This session requires a valid consent, and the participant has not given one."), "no_consent")
    # One query for both refusals: the participant's places in this session and their overlapping bookings
    # (a handful of rows at most), in the bookings' own order so the first clash named is the earliest.
    others = Booking.objects.exclude(pk=moving.pk) if moving else Booking.objects.all()
    same_session = Q(session=session, enrollment=enrollment, status__in=Booking.ACTIVE)
    overlapping = Q(status=Booking.Status.BOOKED, session__starts_at__lt=session.ends_at,
                    session__ends_at__gt=session.starts_at) & ~Q(session=session)
    found = list(
        others.filter(enrollment__participant_id=enrollment.participant_id)
        .filter(same_session | overlapping)
        .select_related("session")
    )
    if any(booking.session_id == session.pk for booking in found):
        refuse(_("The participant already has a place in this session."), "already_booked")
    clash = found[0] if found else None
    if clash is not None:
        refuse(_("The participant is already booked into %(session)s, which overlaps this session."),
               "participant_overlap", session=str(clash.session.display_title))


def _mark_scheduled(actor: Actor, enrollment: Enrollment) -> None:
    if pipeline.can_transition(enrollment.status, S.SCHEDULED):
        # Every caller has checked that the actor edits this study (the enrollment's, as _refuse_unbookable
        # made sure): trusted spares asking the database again. The history still names the same user.
        enrollment_transition(actor=dataclasses.replace(actor, trusted=True), enrollment=enrollment,
                              to_status=S.SCHEDULED, note="booked")


def _release_enrollment(actor: Actor, enrollment: Enrollment, study_id: int) -> None:
    """Back to consented when the last booking still to be held in the study is cancelled."""
    if enrollment.status != S.SCHEDULED:
        return
    still_booked = Booking.objects.filter(
        enrollment=enrollment, status=Booking.Status.BOOKED, attendance="", session__study_id=study_id
    ).exists()
    if not still_booked:
        enrollment_transition(actor=actor, enrollment=enrollment, to_status=S.CONSENTED, note="booking cancelled")


def _promote_waitlist(session: Session) -> Booking | None:
    """Give a freed seat to the first waiting participant who can still take it.

    The caller holds the session's row lock. The waiting participants' rows are not locked
    (that would break the lock order); their overlap check is therefore best effort.
    """
    if session.starts_at <= _now():
        return None
    waiting = (
        Booking.objects.select_for_update(of=("self",))
        .filter(session=session, status=Booking.Status.WAITLISTED)
        .select_related("enrollment__participant", "enrollment__study")
        .order_by("waitlisted_at", "pk")
    )
    for candidate in waiting:
        try:
            _refuse_unbookable(session, candidate.enrollment, moving=candidate)
        except ValidationError:
            continue
        if not _take_seat(session):
            return None
        Booking.objects.filter(pk=candidate.pk).update(
            status=Booking.Status.BOOKED, waitlisted_at=None, sequence=F("sequence") + 1
        )
        system = Actor.system("waitlist")
        _mark_scheduled(system, candidate.enrollment)
        audit_record(actor=system, action="booking.promote", obj=candidate, study=session.study,
                     detail={"session": session.pk})
        booking_notify(candidate, "confirmation")
        candidate.refresh_from_db()
        return candidate
    return None
