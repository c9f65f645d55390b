import datetime

import pytest
from django.core import mail
from django.utils import timezone

from recruit.models import Booking, Message, SchedulingSettings, Session
from recruit.services.bookings import booking_create
from recruit.services.links import link_issue
from tests.conftest import client_for
from tests.scheduling_helpers import make_bookable, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def self_booking(study_a):
    return SchedulingSettings.objects.create(study=study_a, self_booking=True, participant_deadline_hours=24)


def participant_client(enrollment, client):
    """The participant's browser after opening their booking link (they read English)."""
    type(enrollment.participant).objects.filter(pk=enrollment.participant_id).update(preferred_language="en")
    _link, token = link_issue(enrollment=enrollment, purpose="booking")
    response = client.get(f"/l/{token}/")
    assert response.status_code == 302 and response["Location"] == "/booking/"
    return client


def test_a_participant_sees_open_sessions_with_seats_left_and_no_names(study_a, actor_a, self_booking, client):
    session = make_session(study_a, capacity=3, title="Evening group")
    booking_create(actor=actor_a, session=session,
                   enrollment=make_bookable(study_a, given_name="Secret", family_name="Colleague"))
    enrollment = make_bookable(study_a)

    page = participant_client(enrollment, client).get("/booking/").content.decode()

    assert "Evening group" in page and "2 seats left" in page
    assert "Secret" not in page and "Colleague" not in page


def test_a_participant_books_moves_and_cancels_before_the_deadline(study_a, self_booking, client,
                                                                    django_capture_on_commit_callbacks):
    first = make_session(study_a)
    second = make_session(study_a, start=first.ends_at + datetime.timedelta(days=1))
    enrollment = make_bookable(study_a)
    client = participant_client(enrollment, client)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/booking/book/", {"session": first.pk})
    booking = Booking.objects.get(enrollment=enrollment)
    assert (booking.status, booking.source, booking.session_id) == ("booked", "participant", first.pk)
    assert len(mail.outbox) == 1

    client.post("/booking/book/", {"session": second.pk, "move": "1"})
    booking.refresh_from_db()
    assert booking.session_id == second.pk
    assert (Session.objects.get(pk=first.pk).booked, Session.objects.get(pk=second.pk).booked) == (0, 1)

    client.post("/booking/cancel/", {"booking": booking.pk})
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_after_the_participants_deadline_only_the_coordinator_can_change(study_a, actor_a, self_booking, client):
    soon = make_session(study_a, start=timezone.now() + datetime.timedelta(hours=12))
    enrollment = make_bookable(study_a)
    client = participant_client(enrollment, client)

    page = client.get("/booking/").content.decode()
    assert f'value="{soon.pk}"' not in page
    response = client.post("/booking/book/", {"session": soon.pk}, follow=True)
    assert "can no longer be changed here" in response.content.decode()
    assert not Booking.objects.exists()

    booking = booking_create(actor=actor_a, session=soon, enrollment=enrollment)
    client.post("/booking/cancel/", {"booking": booking.pk})
    assert Booking.objects.get(pk=booking.pk).status == "booked"


def test_the_coordinators_own_deadline_applies_to_them(study_a, actor_a):
    from django.core.exceptions import ValidationError

    SchedulingSettings.objects.create(study=study_a, coordinator_deadline_hours=2)
    soon = make_session(study_a, start=timezone.now() + datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as caught:
        booking_create(actor=actor_a, session=soon, enrollment=make_bookable(study_a))
    assert caught.value.error_dict["session"][0].code == "coordinator_deadline"


def test_a_refusal_is_told_to_the_participant_in_their_own_terms(study_a, self_booking, client):
    session = make_session(study_a, requires_consent=True)
    enrollment = make_bookable(study_a, status="eligible")  # may be booked, but has signed no consent
    client = participant_client(enrollment, client)

    page = client.post("/booking/book/", {"session": session.pk}, follow=True).content.decode()

    assert "This time needs your signed consent first." in page
    assert "the participant" not in page.lower()
    assert not Booking.objects.filter(enrollment=enrollment).exists()


def test_without_self_booking_the_page_offers_nothing_and_refuses(study_a, client):
    session = make_session(study_a)
    enrollment = make_bookable(study_a)
    client = participant_client(enrollment, client)

    assert "books the sessions for this study" in client.get("/booking/").content.decode()
    client.post("/booking/book/", {"session": session.pk})
    assert not Booking.objects.exists()


def test_a_full_session_offers_the_waitlist_and_a_freed_seat_promotes_and_tells(
        study_a, actor_a, self_booking, client, django_capture_on_commit_callbacks):
    from recruit.services.bookings import booking_cancel

    session = make_session(study_a, capacity=1)
    taken = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    enrollment = make_bookable(study_a)
    client = participant_client(enrollment, client)
    assert "Join the waitlist" in client.get("/booking/").content.decode()

    client.post("/booking/book/", {"session": session.pk, "waitlist": "1"})
    assert Booking.objects.get(enrollment=enrollment).status == "waitlisted"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(actor=actor_a, booking=taken)

    assert Booking.objects.get(enrollment=enrollment).status == "booked"
    assert enrollment.participant.email in [m.to[0] for m in mail.outbox]


def test_another_participants_booking_cannot_be_cancelled_through_my_link(study_a, actor_a, self_booking, client):
    theirs = booking_create(actor=actor_a, session=make_session(study_a), enrollment=make_bookable(study_a))
    client = participant_client(make_bookable(study_a), client)

    assert client.post("/booking/cancel/", {"booking": theirs.pk}).status_code == 404
    assert client.get(f"/booking/{theirs.pk}/calendar.ics").status_code == 404
    assert Booking.objects.get(pk=theirs.pk).status == "booked"


def test_a_coordinator_sends_booking_links_whose_token_is_made_at_send_time(
        coordinator_a, study_a, self_booking, django_capture_on_commit_callbacks):
    enrollment = make_bookable(study_a)
    make_bookable(study_a, status="invited")  # not yet eligible: no link

    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator_a).post(f"/studies/{study_a.pk}/sessions/invite/")

    (email,) = mail.outbox
    assert email.to == [enrollment.participant.email] and "/l/" in email.body
    message = Message.objects.get(kind="booking.invitation")
    assert "/l/" not in str(message.payload)  # the token is never stored
