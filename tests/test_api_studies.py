import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recruit.models import AuditEvent, Enrollment, Membership, StatusChange, Study

from .conftest import api_for, make_participant, make_user

pytestmark = pytest.mark.django_db


def test_creating_a_study_makes_me_its_owner(coordinator_a):
    response = api_for(coordinator_a).post("/api/v1/studies/", {"title": "Burnout", "code": "BURN-1"})
    assert response.status_code == 201, response.content
    assert response.json()["my_role"] == "owner"
    study = Study.objects.get(code="BURN-1")
    assert Membership.objects.get(study=study).user == coordinator_a


def test_a_bad_study_is_a_400_with_field_errors_and_nothing_written(coordinator_a, study_a):
    api = api_for(coordinator_a)
    response = api.post("/api/v1/studies/", {"title": "x", "code": "bad code!"})
    assert response.status_code == 400
    assert "capital letters" in response.json()["code"][0]
    response = api.post(
        "/api/v1/studies/", {"title": "x", "code": "OK", "start_date": "2026-05-01", "end_date": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "must not be before the start date" in response.json()["end_date"][0]
    assert Study.objects.count() == 1


def test_the_transition_action_applies_the_pipeline_rules(coordinator_a, enrollment_a):
    api = api_for(coordinator_a)
    response = api.post(f"/api/v1/enrollments/{enrollment_a.pk}/transition/", {"status": "scheduled"})
    assert response.status_code == 400
    assert "cannot move from Invited to Scheduled" in response.json()["status"][0]
    response = api.post(f"/api/v1/enrollments/{enrollment_a.pk}/transition/", {"status": "responded", "note": "ok"})
    assert response.status_code == 200
    assert response.json()["status"] == "responded"
    history = api.get(f"/api/v1/enrollments/{enrollment_a.pk}/history/").json()
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in history] == [
        ("invited", "responded", "coordinator_a")
    ]


def test_an_unknown_status_is_a_400(coordinator_a, enrollment_a):
    response = api_for(coordinator_a).post(f"/api/v1/enrollments/{enrollment_a.pk}/transition/", {"status": "done"})
    assert response.status_code == 400 and "status" in response.json()
    assert not StatusChange.objects.filter(enrollment=enrollment_a).exists()


def test_enrolling_through_the_api_starts_the_pipeline(coordinator_a, study_a):
    participant = make_participant(study_a, enroll=False)
    response = api_for(coordinator_a).post(
        "/api/v1/enrollments/", {"study": study_a.pk, "participant": participant.pk, "status": "eligible"}
    )
    assert response.status_code == 201, response.content
    enrollment = Enrollment.objects.get(participant=participant)
    assert enrollment.status == "eligible"


def test_a_new_enrollment_cannot_start_as_consented(coordinator_a, study_a):
    participant = make_participant(study_a, enroll=False)
    response = api_for(coordinator_a).post(
        "/api/v1/enrollments/", {"study": study_a.pk, "participant": participant.pk, "status": "consented"}
    )
    assert response.status_code == 400 and "status" in response.json()
    assert not Enrollment.objects.filter(participant=participant).exists()


def test_enrollment_filters(coordinator_a, study_a):
    make_participant(study_a)
    eligible = Enrollment.objects.create(study=study_a, participant=make_participant(study_a, enroll=False),
                                         status="eligible")
    rows = api_for(coordinator_a).get(f"/api/v1/enrollments/?study={study_a.pk}&status=eligible").json()["results"]
    assert [row["id"] for row in rows] == [eligible.pk]


def test_the_enrollment_list_uses_a_fixed_number_of_queries(coordinator_a, study_a):
    for _ in range(20):
        make_participant(study_a)
    api = api_for(coordinator_a)

    def count(size):
        with CaptureQueriesContext(connection) as queries:
            api.get(f"/api/v1/enrollments/?page_size={size}")
        return len(queries)

    # 1 count, 2 the page with its study joined, 3 the audit event.
    assert count(3) == count(20) == 3


def test_owners_manage_members_and_coordinators_cannot(coordinator_a, study_a):
    colleague = make_user("colleague")
    api = api_for(coordinator_a)
    response = api.post("/api/v1/memberships/", {"study": study_a.pk, "user": "colleague", "role": "coordinator"})
    assert response.status_code == 201, response.content
    membership = Membership.objects.get(user=colleague)
    other = make_user("other")
    response = api_for(colleague).post("/api/v1/memberships/", {"study": study_a.pk, "user": "other", "role": "owner"})
    assert response.status_code == 400  # a coordinator cannot name the study as an owner would
    assert not Membership.objects.filter(user=other).exists()
    assert api.patch(f"/api/v1/memberships/{membership.pk}/", {"role": "viewer"}).status_code == 200
    assert Membership.objects.get(pk=membership.pk).role == "viewer"
    assert AuditEvent.objects.filter(action="membership.update", study=study_a).exists()


def test_the_last_owner_cannot_leave(coordinator_a, study_a):
    membership = Membership.objects.get(user=coordinator_a, study=study_a)
    response = api_for(coordinator_a).delete(f"/api/v1/memberships/{membership.pk}/")
    assert response.status_code == 400
    assert "at least one owner" in str(response.json())
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_study_list_queries_do_not_grow_with_studies(coordinator_a):
    for n in range(5):
        api_for(coordinator_a).post("/api/v1/studies/", {"title": f"S{n}", "code": f"S-{n}"})
    with CaptureQueriesContext(connection) as queries:
        response = api_for(coordinator_a).get("/api/v1/studies/")
    assert response.json()["count"] == 5
    # 1 count, 2 the page with my role as a subquery.
    assert len(queries) == 2
