import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from recruit.actors import Actor
from recruit.models import AuditEvent, Membership, Session
from recruit.services.bookings import booking_create
from recruit.services.sessions import session_create, session_delete, session_update
from tests.conftest import make_study, make_user
from tests.scheduling_helpers import make_bookable, make_session

pytestmark = pytest.mark.django_db

NEXT_WEEK = timezone.now().replace(microsecond=0, second=0) + datetime.timedelta(days=7)


def fields(**overrides):
    return {"kind": "focus_group", "starts_at": NEXT_WEEK, "ends_at": NEXT_WEEK + datetime.timedelta(hours=2),
            "capacity": 6, **overrides}


def error_codes(error: ValidationError) -> dict:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_a_coordinator_creates_a_session(study_a, actor_a, coordinator_a):
    session = session_create(actor=actor_a, study=study_a, moderator=coordinator_a, place="Room 1", **fields())

    assert session.pk and session.booked == 0 and session.moderator == coordinator_a
    assert AuditEvent.objects.filter(action="session.create", object_id=str(session.pk)).exists()


def test_a_session_must_end_after_it_starts(study_a, actor_a):
    with pytest.raises(ValidationError) as caught:
        session_create(actor=actor_a, study=study_a, **fields(ends_at=NEXT_WEEK))
    assert "ends_before_start" in error_codes(caught.value)["ends_at"]
    assert not Session.objects.exists()


def test_a_moderator_cannot_lead_two_sessions_at_once(study_a, actor_a, coordinator_a):
    other_study = make_study("OTHER", owner=coordinator_a)
    session_create(actor=actor_a, study=other_study, co_moderator=coordinator_a, **fields())

    with pytest.raises(ValidationError) as caught:
        session_create(actor=actor_a, study=study_a, moderator=coordinator_a,
                       **fields(starts_at=NEXT_WEEK + datetime.timedelta(hours=1),
                                ends_at=NEXT_WEEK + datetime.timedelta(hours=3)))
    assert error_codes(caught.value) == {"moderator": ["moderator_double_booked"]}
    assert Session.objects.count() == 1


def test_a_moderator_must_be_a_member_of_the_study(study_a, actor_a, coordinator_b):
    with pytest.raises(ValidationError) as caught:
        session_create(actor=actor_a, study=study_a, moderator=coordinator_b, **fields())
    assert error_codes(caught.value) == {"moderator": ["moderator_not_member"]}


def test_capacity_cannot_drop_below_the_number_booked(study_a, actor_a):
    session = make_session(study_a, capacity=3)
    for _ in range(2):
        booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))

    with pytest.raises(ValidationError) as caught:
        session_update(actor=actor_a, session=Session.objects.get(pk=session.pk), capacity=1)
    assert error_codes(caught.value) == {"capacity": ["capacity_below_booked"]}
    assert Session.objects.get(pk=session.pk).capacity == 3

    session_update(actor=actor_a, session=Session.objects.get(pk=session.pk), capacity=2)
    assert Session.objects.get(pk=session.pk).capacity == 2


def test_moving_a_session_onto_its_participants_other_bookings_is_refused(study_a, actor_a):
    session = make_session(study_a)
    later = make_session(study_a, start=session.starts_at + datetime.timedelta(days=1))
    enrollment = make_bookable(study_a)
    booking_create(actor=actor_a, session=session, enrollment=enrollment)
    booking_create(actor=actor_a, session=later, enrollment=enrollment)

    with pytest.raises(ValidationError) as caught:
        session_update(actor=actor_a, session=Session.objects.get(pk=session.pk),
                       starts_at=later.starts_at, ends_at=later.ends_at)
    assert error_codes(caught.value) == {"starts_at": ["participant_overlap"]}
    assert Session.objects.get(pk=session.pk).starts_at == session.starts_at


def test_changing_time_or_place_raises_the_calendar_revision(study_a, actor_a):
    session = make_session(study_a)

    session_update(actor=actor_a, session=session, notes="Bring coffee")
    assert Session.objects.get(pk=session.pk).sequence == 0
    session_update(actor=actor_a, session=session, place="Room 2")
    assert Session.objects.get(pk=session.pk).sequence == 1


def test_viewers_and_other_coordinators_may_not_create_sessions(study_a, viewer_a, coordinator_b):
    for user in (viewer_a, coordinator_b):
        with pytest.raises(PermissionDenied):
            session_create(actor=Actor(user=user), study=study_a, **fields())
    assert not Session.objects.exists()


def test_a_session_with_bookings_cannot_be_deleted(study_a, actor_a):
    session = make_session(study_a)
    booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a))

    with pytest.raises(ValidationError):
        session_delete(actor=actor_a, session=session)
    assert Session.objects.filter(pk=session.pk).exists()


def test_a_member_coordinator_can_moderate(study_a, actor_a):
    colleague = make_user("colleague")
    Membership.objects.create(study=study_a, user=colleague, role=Membership.Role.VIEWER)

    session = session_create(actor=actor_a, study=study_a, moderator=colleague, **fields())
    assert session.moderator == colleague


def test_the_admin_shows_staff_only_their_studies_sessions(coordinator_a, study_a, study_b):
    from django.contrib.auth.models import Permission

    from tests.conftest import client_for

    coordinator_a.is_staff = True
    coordinator_a.save()
    coordinator_a.user_permissions.set(Permission.objects.filter(content_type__app_label="recruit"))
    mine = make_session(study_a, title="Ours")
    theirs = make_session(study_b, title="Theirs")
    client = client_for(coordinator_a)

    listing = client.get("/admin/recruit/session/").content.decode()
    assert "Ours" in listing and "Theirs" not in listing
    assert client.get(f"/admin/recruit/session/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/recruit/session/{theirs.pk}/change/").status_code in (302, 404)
    assert client.get("/admin/recruit/booking/").status_code == 200
