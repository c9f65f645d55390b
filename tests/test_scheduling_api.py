import datetime

import pytest
from django.utils import timezone

from recruit.models import AuditEvent, Booking, Message, SchedulingSettings, Session
from recruit.services.bookings import booking_create
from tests.conftest import api_for
from tests.scheduling_helpers import make_bookable, make_session

pytestmark = pytest.mark.django_db


def test_sessions_list_only_the_users_studies(coordinator_a, study_a, study_b):
    mine = make_session(study_a)
    make_session(study_b)

    rows = api_for(coordinator_a).get("/api/v1/sessions/").json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert rows[0]["seats_left"] == 6


def test_a_session_is_created_through_the_api_by_the_same_rules(coordinator_a, study_a):
    start = timezone.now() + datetime.timedelta(days=3)
    client = api_for(coordinator_a)
    body = {"study": study_a.pk, "kind": "telephone_interview", "starts_at": start.isoformat(),
            "ends_at": (start - datetime.timedelta(hours=1)).isoformat(), "capacity": 1}

    refused = client.post("/api/v1/sessions/", body, format="json")
    assert refused.status_code == 400 and "ends_at" in refused.json()
    body["ends_at"] = (start + datetime.timedelta(hours=1)).isoformat()
    created = client.post("/api/v1/sessions/", body, format="json")
    assert created.status_code == 201, created.json()
    assert Session.objects.get().kind == "telephone_interview"


def test_another_studys_session_and_booking_answer_404(coordinator_b, study_a, actor_a):
    session = make_session(study_a)
    booking = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    client = api_for(coordinator_b)

    assert client.get(f"/api/v1/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/api/v1/bookings/{booking.pk}/").status_code == 404
    assert client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json").status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == "booked"


def test_booking_through_the_api_and_a_full_session_answers_400(coordinator_a, study_a):
    session = make_session(study_a, capacity=1)
    client = api_for(coordinator_a)

    first = client.post("/api/v1/bookings/", {"session": session.pk, "enrollment": make_bookable(study_a).pk},
                        format="json")
    assert first.status_code == 201 and first.json()["status"] == "booked"
    full = client.post("/api/v1/bookings/", {"session": session.pk, "enrollment": make_bookable(study_a).pk},
                       format="json")
    assert full.status_code == 400 and full.json() == {"session": ["This session is full."]}
    assert Booking.objects.count() == 1


def test_a_coordinator_cannot_book_into_another_studys_session(coordinator_b, study_a, study_b):
    session = make_session(study_a)
    response = api_for(coordinator_b).post(
        "/api/v1/bookings/", {"session": session.pk, "enrollment": make_bookable(study_b).pk}, format="json")
    assert response.status_code == 400 and "session" in response.json()
    assert not Booking.objects.exists()


def test_move_cancel_and_attendance_through_the_api(coordinator_a, study_a, actor_a):
    session = make_session(study_a)
    later = make_session(study_a, start=session.ends_at + datetime.timedelta(days=1))
    booking = booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))
    client = api_for(coordinator_a)

    moved = client.post(f"/api/v1/bookings/{booking.pk}/move/", {"session": later.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["session"] == later.pk
    early = client.post(f"/api/v1/bookings/{booking.pk}/attendance/", {"attendance": "attended"}, format="json")
    assert early.status_code == 400
    cancelled = client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "sick"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    assert Session.objects.get(pk=later.pk).booked == 0


def test_reading_bookings_is_audited(coordinator_a, study_a, actor_a):
    booking_create(actor=actor_a, session=make_session(study_a), enrollment=make_bookable(study_a))
    api_for(coordinator_a).get("/api/v1/bookings/")
    assert AuditEvent.objects.filter(action="booking.list").exists()


def test_booking_costs_the_same_few_queries_however_many_reminders_it_queues(
    coordinator_a, study_a, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    SchedulingSettings.objects.create(study=study_a, reminder_hours=[120, 72, 48, 24])
    session = make_session(study_a)
    client = api_for(coordinator_a)
    client.post("/api/v1/bookings/", {"session": session.pk, "enrollment": make_bookable(study_a).pk}, format="json")
    enrollment = make_bookable(study_a)
    # session with its study and settings, enrollment, role, savepoint, participant lock, enrollment, consent,
    # places and overlaps, seat update, seat read-back, booking; enrollment scheduled (savepoint, update,
    # history, audit, release); messages (keys queued, one insert, ids); audit event, release.
    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(21):
        response = client.post("/api/v1/bookings/", {"session": session.pk, "enrollment": enrollment.pk},
                               format="json")
    assert response.status_code == 201 and response.json()["status"] == "booked"
    booking = Booking.objects.get(pk=response.json()["id"])
    keys = sorted(Message.objects.filter(payload__booking=booking.pk).values_list("key", flat=True))
    assert keys == sorted([f"booking:{booking.pk}:confirmation:0"] + [
        f"booking:{booking.pk}:reminder:{hours}h:{int(session.starts_at.timestamp())}" for hours in (120, 72, 48, 24)])
    assert len(callbacks) == 5  # one send task per message, enqueued on commit
