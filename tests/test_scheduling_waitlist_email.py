"""Joining a waitlist sends an e-mail with the participant's place, in their language."""
import pytest
from django.core import mail

from recruit.models import Booking, Message
from recruit.services.bookings import booking_cancel, booking_create
from tests.scheduling_helpers import make_bookable, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_session(study_a, actor_a):
    session = make_session(study_a, capacity=1, title="Fokusgruppe 1", place="Kalfarveien 31")
    booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    mail.outbox.clear()
    return session


def join(actor, session, study, **participant):
    return booking_create(actor=actor, session=session, enrollment=make_bookable(study, **participant), waitlist=True)


def test_joining_the_waitlist_tells_the_participant_their_place(full_session, study_a, actor_a,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        join(actor_a, full_session, study_a, preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        second = join(actor_a, full_session, study_a, preferred_language="en", email="second@example.org")

    first_mail, second_mail = mail.outbox
    assert "as number 1:" in first_mail.body and "as number 2:" in second_mail.body
    assert second_mail.to == ["second@example.org"]
    assert second_mail.subject.startswith("Waitlist: Fokusgruppe 1")
    assert "Kalfarveien 31" in second_mail.body
    assert "If a seat becomes free, it goes to the first on the waitlist" in second_mail.body
    assert not second_mail.attachments  # no seat yet, so no calendar entry
    assert second.status == Booking.Status.WAITLISTED


def test_the_waitlist_email_is_in_bokmal_for_a_bokmal_reader(full_session, study_a, actor_a,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        join(actor_a, full_session, study_a, preferred_language="nb")

    (email,) = mail.outbox
    assert email.subject.startswith("Venteliste: Fokusgruppe 1")
    assert "som nummer 1" in email.body and "Hvis en plass blir ledig" in email.body


def test_a_booked_seat_sends_no_waitlist_email(study_a, actor_a, django_capture_on_commit_callbacks):
    session = make_session(study_a, capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a), waitlist=True)
    assert not Message.objects.filter(kind="booking.waitlist").exists()
    assert Message.objects.filter(kind="booking.confirmation").count() == 1


def test_a_waitlist_email_not_yet_sent_is_dropped_once_promoted(full_session, study_a, actor_a,
                                                                 django_capture_on_commit_callbacks):
    waiting = join(actor_a, full_session, study_a)  # queued; on_commit not run, so not sent yet
    booking_cancel(actor=actor_a, booking=Booking.objects.get(session=full_session, status="booked"))
    from recruit.services.messages import messages_send_due

    messages_send_due()
    waitlist = Message.objects.get(kind="booking.waitlist")
    assert waitlist.status == Message.Status.FAILED  # promoted meanwhile: no stale "you are waiting"
    assert Booking.objects.get(pk=waiting.pk).status == Booking.Status.BOOKED
    assert any(m.kind == "booking.confirmation" and m.status == Message.Status.SENT
               for m in Message.objects.filter(participant=waiting.enrollment.participant))
