import datetime

import pytest
from django.utils import timezone

from recruit.models import AuditEvent, Booking, Session
from recruit.services import consent_gate
from recruit.services.bookings import booking_create
from tests.conftest import client_for
from tests.scheduling_helpers import make_bookable, make_session

pytestmark = pytest.mark.django_db


def test_the_study_has_a_sessions_tab_listing_coming_sessions(coordinator_a, study_a):
    make_session(study_a, title="Focus group Bergen")
    make_session(study_a, title="Long gone", start=timezone.now() - datetime.timedelta(days=30))
    client = client_for(coordinator_a)

    overview = client.get(f"/studies/{study_a.pk}/").content.decode()
    assert f'href="/studies/{study_a.pk}/sessions/"' in overview
    page = client.get(f"/studies/{study_a.pk}/sessions/").content.decode()
    assert "Focus group Bergen" in page and "Long gone" not in page
    assert "Long gone" in client.get(f"/studies/{study_a.pk}/sessions/?when=past").content.decode()


@pytest.mark.parametrize("view", ["week", "month"])
def test_the_calendar_shows_a_session_on_its_day(coordinator_a, study_a, view):
    session = make_session(study_a, title="Tromsø group")
    day = timezone.localtime(session.starts_at).date()

    page = client_for(coordinator_a).get(
        f"/studies/{study_a.pk}/sessions/?view={view}&date={day:%Y-%m-%d}").content.decode()
    assert "Tromsø group" in page
    assert f"/studies/{study_a.pk}/sessions/{session.pk}/" in page


def test_another_studys_sessions_answer_404(coordinator_b, study_a, study_b):
    session = make_session(study_a)
    client = client_for(coordinator_b)
    assert client.get(f"/studies/{study_a.pk}/sessions/").status_code == 404
    assert client.get(f"/studies/{study_a.pk}/sessions/{session.pk}/").status_code == 404
    # The session through the other study's address is not found either.
    assert client.get(f"/studies/{study_b.pk}/sessions/{session.pk}/").status_code == 404


def test_a_session_shows_who_is_booked_with_consent_status_and_is_audited(coordinator_a, study_a, actor_a,
                                                                           monkeypatch):
    session = make_session(study_a, requires_consent=False)
    with_consent = make_bookable(study_a, given_name="Kari", family_name="Nordmann")
    without = make_bookable(study_a, given_name="Ola", family_name="Hansen")
    booking_create(actor=actor_a, session=session, enrollment=with_consent)
    booking_create(actor=actor_a, session=session, enrollment=without)
    monkeypatch.setattr(consent_gate, "has_valid_consent", lambda e: e.pk == with_consent.pk)

    page = client_for(coordinator_a).get(f"/studies/{study_a.pk}/sessions/{session.pk}/").content.decode()

    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    kari = next(row for row in rows if "Kari Nordmann" in row)
    ola = next(row for row in rows if "Ola Hansen" in row)
    assert "Valid consent" in kari and "No valid consent" not in kari
    assert "No valid consent" in ola
    assert AuditEvent.objects.filter(action="session.view", object_id=str(session.pk)).exists()


def test_a_coordinator_creates_a_session_through_the_form(coordinator_a, study_a):
    start = timezone.localtime() + datetime.timedelta(days=3)
    response = client_for(coordinator_a).post(f"/studies/{study_a.pk}/sessions/new/", {
        "kind": "focus_group", "title": "Oslo", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "capacity": "5",
        "requires_consent": "on",
    })
    session = Session.objects.get(study=study_a)
    assert response.status_code == 302 and session.title == "Oslo" and session.capacity == 5


def test_the_form_shows_a_conflict_and_saves_nothing(coordinator_a, study_a, actor_a):
    session = make_session(study_a, capacity=3)
    for _ in range(2):
        booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    start = timezone.localtime(session.starts_at)

    response = client_for(coordinator_a).post(f"/studies/{study_a.pk}/sessions/{session.pk}/edit/", {
        "kind": "focus_group", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(session.ends_at).strftime("%Y-%m-%dT%H:%M"), "capacity": "1",
    })
    assert response.status_code == 200
    assert "2 participants are booked" in response.content.decode()
    assert Session.objects.get(pk=session.pk).capacity == 3


def test_a_coordinator_books_moves_and_cancels_from_the_session_page(coordinator_a, study_a):
    session = make_session(study_a)
    other = make_session(study_a, start=session.ends_at + datetime.timedelta(days=1))
    enrollment = make_bookable(study_a)
    client = client_for(coordinator_a)
    base = f"/studies/{study_a.pk}/sessions/{session.pk}"

    client.post(f"{base}/book/", {"enrollment": enrollment.pk})
    booking = Booking.objects.get(enrollment=enrollment)
    assert booking.status == "booked"
    client.post(f"{base}/bookings/{booking.pk}/move/", {"session": other.pk})
    booking.refresh_from_db()
    assert booking.session_id == other.pk
    client.post(f"/studies/{study_a.pk}/sessions/{other.pk}/bookings/{booking.pk}/cancel/")
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert Session.objects.get(pk=other.pk).booked == 0


def test_a_viewer_sees_sessions_but_cannot_book(viewer_a, study_a):
    session = make_session(study_a)
    client = client_for(viewer_a)
    assert client.get(f"/studies/{study_a.pk}/sessions/{session.pk}/").status_code == 200
    response = client.post(f"/studies/{study_a.pk}/sessions/{session.pk}/book/",
                           {"enrollment": make_bookable(study_a).pk})
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_attendance_marked_after_the_session_moves_the_pipeline(coordinator_a, study_a, actor_a):
    session = make_session(study_a)
    enrollment = make_bookable(study_a)
    booking = booking_create(actor=actor_a, session=session, enrollment=enrollment)
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3), ends_at=timezone.now() - datetime.timedelta(hours=1))

    client_for(coordinator_a).post(
        f"/studies/{study_a.pk}/sessions/{session.pk}/bookings/{booking.pk}/attendance/", {"attendance": "no_show"})

    booking.refresh_from_db(), enrollment.refresh_from_db()
    assert booking.attendance == "no_show" and enrollment.status == "no_show"
