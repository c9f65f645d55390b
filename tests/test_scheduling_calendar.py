import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar

from recruit.models import Booking, Message, SchedulingSettings, Session
from recruit.services.bookings import booking_cancel, booking_create, booking_move
from recruit.services.calendar import booking_ics
from recruit.services.messages import messages_send_due
from recruit.services.sessions import session_update
from tests.conftest import client_for
from tests.scheduling_helpers import make_bookable, make_session

pytestmark = pytest.mark.django_db
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
UTC = datetime.timezone.utc


def event_of(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_calendar_file_has_the_right_times_across_a_daylight_saving_change(study_a):
    # Norway moves its clocks forward on 28 March 2027: 10:00 is 09:00 UTC before and 08:00 UTC after.
    before = make_session(study_a, start=datetime.datetime(2027, 3, 27, 10, 0, tzinfo=OSLO))
    after = make_session(study_a, start=datetime.datetime(2027, 3, 29, 10, 0, tzinfo=OSLO))
    enrollment = make_bookable(study_a)

    for session, utc_hour in ((before, 9), (after, 8)):
        booking = Booking.objects.create(session=session, enrollment=enrollment)
        calendar, event = event_of(booking_ics(Booking.objects.select_related("session__study").get(pk=booking.pk)))
        start = event.decoded("dtstart")
        assert start.astimezone(UTC) == datetime.datetime(2027, 3, 27 if utc_hour == 9 else 29, utc_hour, 0, tzinfo=UTC)
        assert start.astimezone(OSLO).hour == 10
        assert event.decoded("dtend") - start == datetime.timedelta(hours=2)
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Oslo"
        assert str(calendar["METHOD"]) == "REQUEST"


def test_a_moved_booking_keeps_its_uid_with_a_higher_sequence_and_a_cancellation_cancels(study_a, actor_a):
    session = make_session(study_a)
    later = make_session(study_a, start=session.ends_at + datetime.timedelta(days=1))
    booking = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    _, first = event_of(booking_ics(booking))

    booking = booking_move(actor=actor_a, booking=booking, session=later)
    _, moved = event_of(booking_ics(Booking.objects.select_related("session__study").get(pk=booking.pk)))
    booking = booking_cancel(actor=actor_a, booking=booking)
    calendar, cancelled = event_of(booking_ics(Booking.objects.select_related("session__study").get(pk=booking.pk),
                                               cancel=True))

    assert first["UID"] == moved["UID"] == cancelled["UID"]
    assert first["SEQUENCE"] < moved["SEQUENCE"] < cancelled["SEQUENCE"]
    assert moved.decoded("dtstart").astimezone(UTC) == later.starts_at
    assert str(calendar["METHOD"]) == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"


def test_booking_sends_a_confirmation_with_the_calendar_file_in_the_participants_language(
        study_a, actor_a, django_capture_on_commit_callbacks):
    session = make_session(study_a, place="Kalfarveien 31")
    enrollment = make_bookable(study_a, preferred_language="nb")

    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(actor=actor_a, session=session, enrollment=enrollment)

    (email,) = mail.outbox
    assert email.to == [enrollment.participant.email]
    assert "Kalfarveien 31" in email.body and "Du er booket" in email.body
    name, content, mimetype = email.attachments[0]
    assert mimetype.startswith("text/calendar") and "method=REQUEST" in mimetype
    _, event = event_of(content.encode() if isinstance(content, str) else content)
    assert event["UID"] == f"booking-{booking.pk}@127.0.0.1"


def test_a_changed_session_sends_its_current_details(study_a, actor_a, django_capture_on_commit_callbacks):
    session = make_session(study_a, place="Room 1")
    booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        session_update(actor=actor_a, session=Session.objects.get(pk=session.pk), place="Room 9")

    (email,) = mail.outbox
    assert "Room 9" in email.body and "Room 1" not in email.body
    _, event = event_of(email.attachments[0][1].encode())
    assert str(event["LOCATION"]) == "Room 9" and event["SEQUENCE"] == 1


def test_reminders_are_queued_per_study_settings_and_sent_exactly_once_across_a_restart(
        study_a, actor_a, django_capture_on_commit_callbacks, monkeypatch):
    SchedulingSettings.objects.create(study=study_a, reminder_hours=[72, 24])
    start = timezone.now() + datetime.timedelta(days=5)
    session = make_session(study_a, start=start)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    reminders = Message.objects.filter(kind="booking.reminder").order_by("not_before")
    assert [m.not_before for m in reminders] == [start - datetime.timedelta(hours=72),
                                                  start - datetime.timedelta(hours=24)]
    mail.outbox.clear()

    # Time passes beyond both reminders. A worker claims the first, then dies before sending:
    # the claimed row is not sent again by the next sweeps; the rest go exactly once.
    later = start - datetime.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    Message.objects.filter(pk=reminders[0].pk).update(status=Message.Status.SENDING)
    messages_send_due()
    messages_send_due()  # the restarted worker sweeps again
    call_command("send_due_messages")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith(("Reminder:", "Påminnelse:"))
    assert Message.objects.get(pk=reminders[1].pk).status == Message.Status.SENT
    # Queuing the same reminders again (e.g. a replayed task) adds nothing.
    from recruit.services.booking_messages import reminders_queue

    monkeypatch.setattr(timezone, "now", lambda: start - datetime.timedelta(days=4))
    reminders_queue(Booking.objects.select_related("session__study", "enrollment__participant").get(pk=booking.pk))
    assert Message.objects.filter(kind="booking.reminder").count() == 2


def test_moving_a_booking_replaces_its_reminders(study_a, actor_a, django_capture_on_commit_callbacks):
    session = make_session(study_a)
    later = make_session(study_a, start=session.starts_at + datetime.timedelta(days=2))
    booking = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))

    booking_move(actor=actor_a, booking=booking, session=later)

    queued = Message.objects.filter(kind="booking.reminder", status=Message.Status.QUEUED)
    assert {m.payload["starts_at"] for m in queued} == {later.starts_at.isoformat()}
    assert Message.objects.filter(kind="booking.reminder", status=Message.Status.CANCELLED).count() == 2


def test_a_coordinator_downloads_a_bookings_calendar_file_and_others_get_404(
        coordinator_a, coordinator_b, study_a, actor_a):
    session = make_session(study_a)
    booking = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    url = f"/studies/{study_a.pk}/sessions/{session.pk}/bookings/{booking.pk}/calendar.ics"

    response = client_for(coordinator_a).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    _, event = event_of(response.content)
    assert event.decoded("dtstart").astimezone(UTC) == session.starts_at
    assert client_for(coordinator_b).get(url).status_code == 404


def test_a_coordinators_private_feed_lists_their_sessions_without_names_and_can_be_revoked(
        coordinator_a, study_a, study_b, actor_a, client):
    mine = make_session(study_a, title="Ours")
    make_session(study_b, title="Theirs")
    booking_create(actor=actor_a, session=mine, enrollment=make_bookable(study_a, family_name="Privatsen"))
    coordinator = client_for(coordinator_a)

    page = coordinator.post("/calendar/feed/", {"action": "issue"}, follow=True).content.decode()
    url = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    path = url.split("testserver", 1)[1]
    feed = client.get(path)
    assert feed.status_code == 200
    calendar = Calendar.from_ical(feed.content)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert summaries == ["STUDYA: Ours (1/6)"]
    assert b"Privatsen" not in feed.content

    coordinator.post("/calendar/feed/", {"action": "revoke"})
    assert client.get(path).status_code == 404


def test_guessing_calendar_feed_addresses_is_throttled(coordinator_a, client):
    from recruit.services.calendar import feed_issue
    from recruit.services.links import FAILURE_LIMIT

    token = feed_issue(user=coordinator_a)
    for n in range(FAILURE_LIMIT):
        assert client.get(f"/calendar/guess-{n}.ics").status_code == 404
    assert client.get("/calendar/one-more-guess.ics").status_code == 429
    # While the guesses count, the guessing address is refused even the right token; others are not.
    assert client.get(f"/calendar/{token}.ics").status_code == 429
    assert client.get(f"/calendar/{token}.ics", REMOTE_ADDR="10.0.0.7").status_code == 200
