"""The session admin refuses conflicts as form errors in the page (never a server error), and saves nothing."""
import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from recruit.models import AuditEvent, Session
from recruit.services.bookings import booking_create
from tests.conftest import client_for, make_study
from tests.scheduling_helpers import make_bookable, make_session

pytestmark = pytest.mark.django_db

START = timezone.localtime(timezone.now().replace(microsecond=0, second=0) + datetime.timedelta(days=7))


@pytest.fixture
def staff(coordinator_a):
    coordinator_a.is_staff = True
    coordinator_a.save()
    coordinator_a.user_permissions.set(Permission.objects.filter(content_type__app_label="recruit"))
    return client_for(coordinator_a)


def form(session_start, *, hours=2, capacity=6, moderator=None, study=None, **extra):
    end = session_start + datetime.timedelta(hours=hours)
    data = {
        "kind": "focus_group", "title": "Admin group", "starts_at_0": session_start.strftime("%Y-%m-%d"),
        "starts_at_1": session_start.strftime("%H:%M:%S"), "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"), "place": "Room 1", "video_link": "", "phone": "",
        "capacity": str(capacity), "moderator": str(moderator.pk) if moderator else "", "co_moderator": "",
        "notes": "", "requires_consent": "on",
        # The read-only bookings inline still posts its management form.
        "bookings-TOTAL_FORMS": "0", "bookings-INITIAL_FORMS": "0", "bookings-MIN_NUM_FORMS": "0",
        "bookings-MAX_NUM_FORMS": "1000",
        **extra,
    }
    if study is not None:
        data["study"] = str(study.pk)
    return data


def test_a_double_booked_moderator_is_a_form_error_on_add(staff, study_a, coordinator_a):
    other = make_study("OTHER", owner=coordinator_a)
    make_session(other, start=START, moderator=coordinator_a, title="Elsewhere")

    response = staff.post("/admin/recruit/session/add/",
                          form(START + datetime.timedelta(hours=1), moderator=coordinator_a, study=study_a))

    assert response.status_code == 200
    assert "already moderates Elsewhere (OTHER) at that time" in response.text
    assert "errorlist" in response.text
    assert not Session.objects.filter(study=study_a).exists()
    assert not AuditEvent.objects.filter(action="session.create").exists()


def test_a_double_booked_moderator_is_a_form_error_on_change(staff, study_a, coordinator_a):
    make_session(study_a, start=START, moderator=coordinator_a, title="First")
    later = make_session(study_a, start=START + datetime.timedelta(days=1), title="Second")

    response = staff.post(f"/admin/recruit/session/{later.pk}/change/", form(START, moderator=coordinator_a))

    assert response.status_code == 200
    assert "already moderates First (STUDYA) at that time" in response.text
    later.refresh_from_db()
    assert later.moderator is None and later.starts_at == START + datetime.timedelta(days=1)


def test_capacity_below_the_number_booked_is_a_form_error(staff, study_a, actor_a):
    session = make_session(study_a, start=START, capacity=4, title="Full")
    for _ in range(3):
        booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))

    response = staff.post(f"/admin/recruit/session/{session.pk}/change/", form(START, capacity=2))

    assert response.status_code == 200
    assert "3 participants are booked; the session cannot have fewer seats than that." in response.text
    session.refresh_from_db()
    assert session.capacity == 4 and session.booked == 3


def test_moving_booked_people_into_an_overlap_is_a_form_error(staff, study_a, actor_a):
    first = make_session(study_a, start=START, title="Morning")
    second = make_session(study_a, start=START + datetime.timedelta(hours=4), title="Afternoon")
    enrollment = make_bookable(study_a)
    booking_create(actor=actor_a, session=first, enrollment=enrollment)
    booking_create(actor=actor_a, session=second, enrollment=enrollment)

    response = staff.post(f"/admin/recruit/session/{second.pk}/change/", form(START + datetime.timedelta(hours=1)))

    assert response.status_code == 200
    assert "1 booked participants would be in another session too" in response.text
    second.refresh_from_db()
    assert second.starts_at == START + datetime.timedelta(hours=4)


def test_a_session_without_conflicts_is_saved_through_the_service(staff, study_a, coordinator_a):
    response = staff.post("/admin/recruit/session/add/", form(START, moderator=coordinator_a, study=study_a))

    assert response.status_code == 302
    session = Session.objects.get(study=study_a)
    assert session.moderator == coordinator_a and session.starts_at == START
    assert AuditEvent.objects.filter(action="session.create", object_id=str(session.pk)).exists()


def test_a_study_with_its_read_only_members_inline_saves_in_the_admin(staff, study_a):
    data = {"title": "Renamed in the admin", "code": "STUDYA", "description": "", "principal_investigator": "",
            "ethics_reference": "", "start_date": "", "end_date": "", "status": "recruiting",
            "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1", "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(study_a.memberships.get().pk), "memberships-0-study": str(study_a.pk)}

    response = staff.post(f"/admin/recruit/study/{study_a.pk}/change/", data)

    assert response.status_code == 302
    study_a.refresh_from_db()
    assert study_a.title == "Renamed in the admin"
    assert AuditEvent.objects.filter(action="study.update", study=study_a).exists()


def test_a_participant_changed_in_the_admin_is_saved_and_audited(staff, participant_a):
    from recruit.services.participants import EDITABLE_FIELDS

    page = staff.get(f"/admin/recruit/participant/{participant_a.pk}/change/")
    data = {name: value for name, value in page.context["adminform"].form.initial.items()
            if name in EDITABLE_FIELDS and value is not None}
    data.update({"notes": "Prefers afternoons", "is_specialist": "", "do_not_contact": "",
                 "enrollments-TOTAL_FORMS": "1", "enrollments-INITIAL_FORMS": "1",
                 "enrollments-MIN_NUM_FORMS": "0", "enrollments-MAX_NUM_FORMS": "1000",
                 "enrollments-0-id": str(participant_a.enrollments.get().pk),
                 "enrollments-0-participant": str(participant_a.pk)})
    data = {key: value for key, value in data.items() if value not in (False, "")}

    response = staff.post(f"/admin/recruit/participant/{participant_a.pk}/change/", data)

    assert response.status_code == 302, response.content[:2000]
    participant_a.refresh_from_db()
    assert participant_a.notes == "Prefers afternoons"
    assert AuditEvent.objects.filter(action="participant.update", object_id=str(participant_a.pk)).exists()
