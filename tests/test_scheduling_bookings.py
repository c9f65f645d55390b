import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from recruit.actors import Actor
from recruit.models import AuditEvent, Booking, Enrollment, Session, StatusChange
from recruit.services import consent_gate
from recruit.services.bookings import booking_cancel, booking_create, booking_move, bookings_cancel_for_enrollment
from tests.scheduling_helpers import make_bookable, make_session

pytestmark = pytest.mark.django_db


def code_of(error: ValidationError) -> str:
    return next(e.code for errors in error.error_dict.values() for e in errors) if hasattr(error, "error_dict") \
        else error.code


def assert_refused(code, call, session=None):
    before = Booking.objects.count(), (Session.objects.get(pk=session.pk).booked if session else None)
    with pytest.raises(ValidationError) as caught:
        call()
    assert code_of(caught.value) == code
    after = Booking.objects.count(), (Session.objects.get(pk=session.pk).booked if session else None)
    assert after == before


def test_booking_takes_a_seat_and_schedules_the_enrollment(study_a, actor_a):
    session = make_session(study_a, capacity=2)
    enrollment = make_bookable(study_a)

    booking = booking_create(actor=actor_a, session=session, enrollment=enrollment)

    assert booking.status == Booking.Status.BOOKED
    assert Session.objects.get(pk=session.pk).booked == 1
    enrollment.refresh_from_db()
    assert enrollment.status == "scheduled"
    assert StatusChange.objects.filter(enrollment=enrollment, to_status="scheduled").exists()
    assert AuditEvent.objects.filter(action="booking.create", object_id=str(booking.pk), study=study_a).exists()


def test_a_full_session_refuses_and_writes_nothing(study_a, actor_a):
    session = make_session(study_a, capacity=1)
    booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    late = make_bookable(study_a)

    assert_refused("session_full", lambda: booking_create(actor=actor_a, session=session, enrollment=late), session)
    late.refresh_from_db()
    assert late.status == "consented"


def test_a_full_session_puts_on_the_waitlist_when_asked(study_a, actor_a):
    session = make_session(study_a, capacity=1)
    booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))

    waiting = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a), waitlist=True)

    assert waiting.status == Booking.Status.WAITLISTED
    assert waiting.waitlisted_at is not None
    assert Session.objects.get(pk=session.pk).booked == 1
    assert waiting.enrollment.status == "consented"


def test_a_participant_cannot_be_booked_into_overlapping_sessions(study_a, actor_a):
    first = make_session(study_a)
    second = make_session(study_a, start=first.starts_at + datetime.timedelta(hours=1))
    enrollment = make_bookable(study_a)
    booking_create(actor=actor_a, session=first, enrollment=enrollment)

    assert_refused("participant_overlap",
                   lambda: booking_create(actor=actor_a, session=second, enrollment=enrollment), second)


def test_back_to_back_sessions_do_not_overlap(study_a, actor_a):
    first = make_session(study_a)
    second = make_session(study_a, start=first.ends_at)
    enrollment = make_bookable(study_a)
    booking_create(actor=actor_a, session=first, enrollment=enrollment)

    assert booking_create(actor=actor_a, session=second, enrollment=enrollment).status == "booked"


def test_a_participant_has_one_place_per_session(study_a, actor_a):
    session = make_session(study_a)
    enrollment = make_bookable(study_a)
    booking_create(actor=actor_a, session=session, enrollment=enrollment)

    assert_refused("already_booked", lambda: booking_create(actor=actor_a, session=session, enrollment=enrollment),
                   session)


@pytest.mark.parametrize("status", ["invited", "responded", "ineligible", "withdrawn"])
def test_only_screened_in_enrollments_can_be_booked(study_a, actor_a, status):
    session = make_session(study_a)
    enrollment = make_bookable(study_a, status=status)

    assert_refused("not_bookable", lambda: booking_create(actor=actor_a, session=session, enrollment=enrollment),
                   session)


def test_a_session_that_needs_consent_asks_the_consent_gate(study_a, actor_a, monkeypatch):
    monkeypatch.setattr(consent_gate, "has_valid_consent", lambda enrollment: False)
    needs = make_session(study_a)
    does_not_need = make_session(study_a, start=needs.ends_at + datetime.timedelta(days=1), requires_consent=False)
    enrollment = make_bookable(study_a, status="eligible")

    assert_refused("no_consent", lambda: booking_create(actor=actor_a, session=needs, enrollment=enrollment), needs)
    booking = booking_create(actor=actor_a, session=does_not_need, enrollment=enrollment)
    assert booking.status == "booked"
    enrollment.refresh_from_db()
    assert enrollment.status == "eligible"  # the pipeline has no eligible -> scheduled move


def test_a_started_session_cannot_be_booked(study_a, actor_a):
    session = make_session(study_a, start=timezone.now() - datetime.timedelta(minutes=5))

    assert_refused("session_started",
                   lambda: booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a)), session)


def test_another_studys_enrollment_cannot_be_booked(study_a, study_b, actor_a):
    session = make_session(study_a)

    assert_refused("wrong_study",
                   lambda: booking_create(actor=Actor.system(), session=session, enrollment=make_bookable(study_b)),
                   session)


def test_a_coordinator_of_another_study_may_not_book(study_a, coordinator_b, viewer_a):
    session = make_session(study_a)
    enrollment = make_bookable(study_a)
    for user in (coordinator_b, viewer_a):
        with pytest.raises(PermissionDenied):
            booking_create(actor=Actor(user=user), session=session, enrollment=enrollment)
    assert not Booking.objects.exists()


def test_cancelling_frees_the_seat_and_promotes_the_first_waiting(study_a, actor_a):
    session = make_session(study_a, capacity=1)
    booked = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    first = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a), waitlist=True)
    second = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a), waitlist=True)

    booking_cancel(actor=actor_a, booking=booked, reason="ill")

    booked.refresh_from_db(), first.refresh_from_db(), second.refresh_from_db()
    assert (booked.status, booked.cancel_reason) == ("cancelled", "ill")
    assert booked.enrollment.status == "consented"
    assert first.status == "booked"
    assert Enrollment.objects.get(pk=first.enrollment_id).status == "scheduled"
    assert second.status == "waitlisted"
    assert Session.objects.get(pk=session.pk).booked == 1
    assert AuditEvent.objects.filter(action="booking.promote", object_id=str(first.pk)).exists()


def test_cancelling_twice_is_refused(study_a, actor_a):
    booking = booking_create(actor=actor_a, session=make_session(study_a), enrollment=make_bookable(study_a))
    booking_cancel(actor=actor_a, booking=booking)

    with pytest.raises(ValidationError) as caught:
        booking_cancel(actor=actor_a, booking=booking)
    assert caught.value.code == "already_cancelled"
    assert Session.objects.get(pk=booking.session_id).booked == 0


def test_a_waitlisted_participant_booked_elsewhere_at_that_time_is_passed_over(study_a, actor_a):
    session = make_session(study_a, capacity=1)
    booked = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    busy = make_bookable(study_a)
    passed_over = booking_create(actor=actor_a, session=session, enrollment=busy, waitlist=True)
    booking_create(actor=actor_a, session=make_session(study_a, start=session.starts_at), enrollment=busy)
    next_in_line = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a), waitlist=True)

    booking_cancel(actor=actor_a, booking=booked)

    passed_over.refresh_from_db(), next_in_line.refresh_from_db()
    assert (passed_over.status, next_in_line.status) == ("waitlisted", "booked")


def test_moving_keeps_the_booking_and_moves_the_seat(study_a, actor_a):
    old = make_session(study_a, capacity=1)
    new = make_session(study_a, start=old.ends_at + datetime.timedelta(days=1))
    booking = booking_create(actor=actor_a, session=old, enrollment=make_bookable(study_a))
    waiting = booking_create(actor=actor_a, session=old, enrollment=make_bookable(study_a), waitlist=True)

    moved = booking_move(actor=actor_a, booking=booking, session=new)

    assert moved.pk == booking.pk and moved.session_id == new.pk and moved.sequence == 1
    assert Session.objects.get(pk=new.pk).booked == 1
    assert Session.objects.get(pk=old.pk).booked == 1  # the waiting participant took the freed seat
    waiting.refresh_from_db()
    assert waiting.status == "booked"


def test_moving_into_a_full_session_changes_nothing(study_a, actor_a):
    old = make_session(study_a)
    full = make_session(study_a, start=old.ends_at + datetime.timedelta(days=1), capacity=1)
    booking_create(actor=actor_a, session=full, enrollment=make_bookable(study_a))
    booking = booking_create(actor=actor_a, session=old, enrollment=make_bookable(study_a))

    assert_refused("session_full", lambda: booking_move(actor=actor_a, booking=booking, session=full), full)
    booking.refresh_from_db()
    assert booking.session_id == old.pk
    assert Session.objects.get(pk=old.pk).booked == 1


def test_moving_to_another_study_is_refused(study_a, study_b, actor_a):
    booking = booking_create(actor=actor_a, session=make_session(study_a), enrollment=make_bookable(study_a))

    assert_refused("wrong_study",
                   lambda: booking_move(actor=Actor.system(), booking=booking, session=make_session(study_b)))


def test_cancelling_for_an_enrollment_cancels_what_is_to_come_and_keeps_the_past(study_a, actor_a):
    enrollment = make_bookable(study_a)
    coming = booking_create(actor=actor_a, session=make_session(study_a), enrollment=enrollment)
    past_session = make_session(study_a, start=timezone.now() - datetime.timedelta(days=3))
    past = Booking.objects.create(session=past_session, enrollment=enrollment, attendance="attended")
    Session.objects.filter(pk=past_session.pk).update(booked=1)

    assert bookings_cancel_for_enrollment(actor=actor_a, enrollment=enrollment, reason="withdrew") == 1

    coming.refresh_from_db(), past.refresh_from_db()
    assert coming.status == "cancelled" and past.status == "booked"
    assert Session.objects.get(pk=coming.session_id).booked == 0


def test_the_database_refuses_an_overbooked_session(study_a):
    session = make_session(study_a, capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(booked=3)


def test_the_database_refuses_a_second_active_booking_of_one_participant(study_a):
    session = make_session(study_a)
    enrollment = make_bookable(study_a)
    Booking.objects.create(session=session, enrollment=enrollment, status="waitlisted")
    Booking.objects.create(session=session, enrollment=enrollment, status="cancelled")
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(session=session, enrollment=enrollment, status="booked")
