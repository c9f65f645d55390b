"""Times shown in the reader's zone, labelled: the browser's (cookie), a participant's stored zone, else Oslo.

The sessions below start at 10:00 in Oslo on 2 June 2027 (CEST, UTC+2): 04:00 in New York
(EDT, UTC-4), 17:00 in Tokyo.
"""
import datetime
import zoneinfo

import pytest
from django.core import mail
from icalendar import Calendar

from recruit.models import Participant, SchedulingSettings
from recruit.services.bookings import booking_create
from recruit.services.links import link_issue
from recruit.timezones import COOKIE
from tests.conftest import api_for, client_for
from tests.scheduling_helpers import make_bookable, make_session

pytestmark = pytest.mark.django_db
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
START = datetime.datetime(2027, 6, 2, 10, 0, tzinfo=OSLO)


@pytest.fixture(autouse=True)
def _before_the_session(monkeypatch):
    """The sessions lie ahead (bookable) whenever the suite runs: the clock is a month before them."""
    from django.utils import timezone

    now = START - datetime.timedelta(days=30)
    monkeypatch.setattr(timezone, "now", lambda: now)


@pytest.fixture
def session(study_a):
    return make_session(study_a, start=START, title="Morning group", capacity=4)


def test_a_coordinator_sees_the_sessions_in_the_zone_their_browser_reports(coordinator_a, study_a, session):
    client = client_for(coordinator_a)
    client.cookies[COOKIE] = "America/New_York"
    page = client.get(f"/studies/{study_a.pk}/sessions/{session.pk}/").content.decode()
    assert "Wednesday 2 June 2027, 04:00</time>–06:00" in page and "(America/New_York)" in page
    listing = client.get(f"/studies/{study_a.pk}/sessions/").content.decode()
    assert "Times in America/New_York." in listing and "2 Jun 2027, 04:00" in listing
    assert 'data-time-zone="America/New_York" data-time-zone-source="browser"' in listing


def test_without_or_with_a_bogus_zone_the_times_are_oslos(coordinator_a, study_a, session):
    client = client_for(coordinator_a)
    for cookie in (None, "Mars/Olympus_Mons", "../etc/passwd"):
        if cookie:
            client.cookies[COOKIE] = cookie
        page = client.get(f"/studies/{study_a.pk}/sessions/").content.decode()
        assert "Times in Europe/Oslo." in page and "2 Jun 2027, 10:00" in page, cookie
        assert 'data-time-zone-source="default"' in page


def test_a_session_entered_by_a_coordinator_abroad_is_read_in_their_zone(coordinator_a, study_a):
    client = client_for(coordinator_a)
    client.cookies[COOKIE] = "America/New_York"
    response = client.post(f"/studies/{study_a.pk}/sessions/new/", {
        "kind": "focus_group", "title": "Entered abroad", "starts_at": "2027-06-02 04:00",
        "ends_at": "2027-06-02 06:00", "capacity": "4", "requires_consent": "on",
    })
    assert response.status_code == 302
    assert study_a.sessions.get(title="Entered abroad").starts_at == START  # 04:00 in New York is 10:00 in Oslo


def booking_page(client, enrollment):
    _link, token = link_issue(enrollment=enrollment, purpose="booking")
    assert client.get(f"/l/{token}/").status_code == 302
    return client.get("/booking/").content.decode()


def test_a_participant_sees_the_times_in_their_browsers_zone_labelled(study_a, session, client):
    SchedulingSettings.objects.create(study=study_a, self_booking=True)
    enrollment = make_bookable(study_a, preferred_language="en")
    client.cookies[COOKIE] = "Asia/Tokyo"
    page = booking_page(client, enrollment)
    assert "Wednesday 2 June 2027, 17:00</time>–19:00 <span class=\"time-zone\">(Asia/Tokyo)</span>" in page


def test_a_participants_stored_zone_wins_over_the_browsers(study_a, session, client):
    SchedulingSettings.objects.create(study=study_a, self_booking=True)
    enrollment = make_bookable(study_a, preferred_language="en", time_zone="America/New_York")
    client.cookies[COOKIE] = "Asia/Tokyo"
    page = booking_page(client, enrollment)
    assert "Wednesday 2 June 2027, 04:00</time>–06:00 <span class=\"time-zone\">(America/New York)</span>" in page


def test_e_mails_use_the_participants_zone_and_the_calendar_file_keeps_the_sessions(
    study_a, actor_a, session, django_capture_on_commit_callbacks,
):
    enrollment = make_bookable(study_a, preferred_language="en", time_zone="America/New_York")
    with django_capture_on_commit_callbacks(execute=True):
        booking_create(actor=actor_a, session=session, enrollment=enrollment)

    (email,) = mail.outbox
    assert email.subject == "Booked: Morning group, 02.06.2027 04:00"
    assert "When: Wednesday 2 June 2027, 04:00–06:00 (America/New_York)" in email.body
    content = email.attachments[0][1]
    raw = content if isinstance(content, bytes) else content.encode()
    assert b"DTSTART;TZID=Europe/Oslo:20270602T100000" in raw
    assert b"DTSTAMP:" in raw and raw.split(b"DTSTAMP:")[1].split(b"\r\n")[0].endswith(b"Z")  # stamped in UTC
    calendar = Calendar.from_ical(raw)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == START  # the same moment, whichever zone the reader's calendar uses
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]


def test_a_participant_without_a_zone_gets_oslo_times_labelled(study_a, actor_a, session,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a, preferred_language="en"))
    (email,) = mail.outbox
    assert "When: Wednesday 2 June 2027, 10:00–12:00 (Europe/Oslo)" in email.body


def test_a_coordinator_sets_a_participants_zone_and_an_unknown_one_is_refused(participant_a, coordinator_a):
    api = api_for(coordinator_a)
    response = api.patch(f"/api/v1/participants/{participant_a.pk}/", {"time_zone": "Europe/Olso"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["time_zone"]
    assert Participant.objects.get(pk=participant_a.pk).time_zone == ""
    response = api.patch(f"/api/v1/participants/{participant_a.pk}/", {"time_zone": "America/New_York"},
                         format="json")
    assert response.status_code == 200 and response.json()["time_zone"] == "America/New_York"
    page = client_for(coordinator_a).get(f"/participants/{participant_a.pk}/edit/").content.decode()
    assert '<option value="America/New_York" selected>America/New York</option>' in page
