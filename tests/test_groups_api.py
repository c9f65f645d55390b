import pytest

from recruit.models import Booking, Enrollment
from tests.conftest import api_for
from tests.groups_cast import make_pool, make_session

pytestmark = pytest.mark.django_db


def url(study):
    return f"/api/v1/studies/{study.pk}/balance/"


def test_a_dry_run_returns_a_proposal_and_books_nobody(study_a, coordinator_a):
    sessions = [make_session(study_a), make_session(study_a, days=8)]
    pool = make_pool(study_a, 8)

    response = api_for(coordinator_a).post(url(study_a), {"time_limit": 3}, format="json")

    assert response.status_code == 200, response.content
    data = response.json()
    assert [g["session"] for g in data["groups"]] == [s.pk for s in sessions]
    assert sorted(m["enrollment"] for g in data["groups"] for m in g["members"]) == sorted(e.pk for e in pool)
    assert data["saved"] is None and 0 <= data["index"] < 1
    assert "gender" in data["groups"][0]["composition"]["categorical"]
    assert Booking.objects.count() == 0


def test_save_books_the_proposal_and_the_sessions_show_it(study_a, coordinator_a):
    make_session(study_a)
    make_session(study_a, days=8)
    make_pool(study_a, 6)

    response = api_for(coordinator_a).post(url(study_a), {"save": True, "time_limit": 3}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["saved"]["booked"] == 6
    for group in response.json()["groups"]:
        booked = Booking.objects.filter(session_id=group["session"], status="booked")
        assert sorted(booked.values_list("enrollment_id", flat=True)) == sorted(m["enrollment"] for m in group["members"])
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"scheduled"}


def test_a_hand_edited_assignment_can_be_saved(study_a, coordinator_a):
    first, second = make_session(study_a), make_session(study_a, days=8)
    pool = make_pool(study_a, 4)
    assignment = {str(pool[0].pk): first.pk, str(pool[1].pk): first.pk, str(pool[2].pk): second.pk,
                  str(pool[3].pk): None}

    response = api_for(coordinator_a).post(url(study_a), {"assignment": assignment, "save": True, "min_size": 1}, format="json")

    assert response.status_code == 200, response.content
    assert Booking.objects.get(enrollment=pool[2]).session == second
    assert not Booking.objects.filter(enrollment=pool[3]).exists()


def test_bad_input_answers_400_with_field_errors(study_a, coordinator_a):
    make_session(study_a)
    response = api_for(coordinator_a).post(
        url(study_a), {"statuses": ["dancing"], "attributes": {"shoe_size": 1}, "min_size": -1}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"statuses", "attributes", "min_size"}


def test_a_session_of_another_study_is_a_field_error(study_a, study_b, coordinator_a):
    other = make_session(study_b)
    make_pool(study_a, 2)
    response = api_for(coordinator_a).post(url(study_a), {"sessions": [other.pk]}, format="json")
    assert response.status_code == 400
    assert "sessions" in response.json()


def test_impossible_groups_answer_400_with_the_engines_reasons(study_a, coordinator_a):
    make_session(study_a, capacity=2)
    pool = make_pool(study_a, 3)

    response = api_for(coordinator_a).post(url(study_a), {"allow_unassigned": False, "save": True}, format="json")

    assert response.status_code == 400
    data = response.json()
    assert "seat at most 2" in data["non_field_errors"][0]
    assert set(data["reasons"][0]["enrollments"]) <= {e.pk for e in pool}
    assert Booking.objects.count() == 0


def test_another_studys_balance_is_404(study_a, study_b, coordinator_b):
    make_session(study_a)
    make_pool(study_a, 2)
    response = api_for(coordinator_b).post(url(study_a), {}, format="json")
    assert response.status_code == 404


def test_a_viewer_may_run_a_dry_run_but_not_save(study_a, viewer_a):
    make_session(study_a)
    make_pool(study_a, 3)
    client = api_for(viewer_a)
    assert client.post(url(study_a), {"time_limit": 2}, format="json").status_code == 200
    assert client.post(url(study_a), {"save": True}, format="json").status_code == 403
    assert Booking.objects.count() == 0


def test_evaluate_returns_the_broken_rules_of_an_assignment(study_a, coordinator_a):
    first = make_session(study_a, capacity=2)
    make_session(study_a, days=8)
    pool = make_pool(study_a, 3)

    response = api_for(coordinator_a).post(
        url(study_a) + "evaluate/", {"assignment": {str(e.pk): first.pk for e in pool}}, format="json")

    assert response.status_code == 200, response.content
    assert any("above its maximum of 2" in v for v in response.json()["violations"])
