"""Per-study isolation: another study's objects do not exist for you (404), and viewers read only."""
import pytest
from django.urls import reverse

from recruit.models import Enrollment, Participant, Study

from .conftest import api_for, client_for, make_participant, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["participant-detail", "participant-edit"])
def test_a_coordinator_gets_404_for_another_studys_participant_pages(name, coordinator_a, participant_b):
    response = client_for(coordinator_a).get(reverse(name, args=[participant_b.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["study-detail", "study-edit"])
def test_a_coordinator_gets_404_for_another_studys_pages(name, coordinator_a, study_b):
    assert client_for(coordinator_a).get(reverse(name, args=[study_b.pk])).status_code == 404


def test_a_coordinator_cannot_change_another_studys_enrollment_through_the_page(coordinator_a, enrollment_b):
    response = client_for(coordinator_a).post(
        reverse("enrollment-transition", args=[enrollment_b.pk]), {"status": "withdrawn"}
    )
    assert response.status_code == 404
    assert Enrollment.objects.get(pk=enrollment_b.pk).status == "invited"


def test_the_participant_list_page_shows_only_my_studies_people(coordinator_a, participant_a, participant_b):
    response = client_for(coordinator_a).get(reverse("participant-list"))
    assert participant_a.family_name in response.content.decode()
    assert participant_b.family_name not in response.content.decode()


@pytest.mark.parametrize("url", [
    "/api/v1/participants/{participant}/",
    "/api/v1/enrollments/{enrollment}/",
    "/api/v1/enrollments/{enrollment}/history/",
    "/api/v1/studies/{study}/",
])
def test_the_api_answers_404_for_another_studys_objects(url, coordinator_a, participant_b, enrollment_b, study_b):
    url = url.format(participant=participant_b.pk, enrollment=enrollment_b.pk, study=study_b.pk)
    assert api_for(coordinator_a).get(url).status_code == 404


def test_the_api_refuses_writes_to_another_studys_objects(coordinator_a, participant_b, enrollment_b, study_b):
    api = api_for(coordinator_a)
    assert api.patch(f"/api/v1/participants/{participant_b.pk}/", {"notes": "x"}).status_code == 404
    assert api.post(f"/api/v1/enrollments/{enrollment_b.pk}/transition/", {"status": "responded"}).status_code == 404
    assert api.patch(f"/api/v1/studies/{study_b.pk}/", {"title": "Mine now"}).status_code == 404
    # Naming B's study in a new row is refused as if it did not exist.
    response = api.post("/api/v1/enrollments/", {"study": study_b.pk, "participant": participant_b.pk})
    assert response.status_code == 400
    assert set(response.json()) == {"study", "participant"}
    assert Participant.objects.get(pk=participant_b.pk).notes == ""
    assert Enrollment.objects.get(pk=enrollment_b.pk).status == "invited"
    assert Study.objects.get(pk=study_b.pk).title == "Study STUDYB"


def test_api_lists_never_include_another_studys_rows(coordinator_a, participant_a, participant_b, enrollment_b):
    api = api_for(coordinator_a)
    participants = api.get("/api/v1/participants/").json()["results"]
    assert [p["id"] for p in participants] == [participant_a.pk]
    enrollments = api.get("/api/v1/enrollments/").json()["results"]
    assert enrollment_b.pk not in [e["id"] for e in enrollments]
    studies = api.get("/api/v1/studies/").json()["results"]
    assert [s["code"] for s in studies] == ["STUDYA"]
    memberships = api.get("/api/v1/memberships/").json()["results"]
    assert {m["study"] for m in memberships} == {participant_a.source_study_id}


def test_a_participant_in_both_studies_shows_only_my_studys_enrollment(coordinator_a, study_a, study_b):
    shared = make_participant(study_a)
    Enrollment.objects.create(study=study_b, participant=shared, status="eligible")
    data = api_for(coordinator_a).get(f"/api/v1/participants/{shared.pk}/").json()
    assert [e["study_code"] for e in data["enrollments"]] == ["STUDYA"]


def test_a_viewer_can_read_but_not_change(viewer_a, participant_a, enrollment_a, study_a):
    api = api_for(viewer_a)
    assert api.get(f"/api/v1/participants/{participant_a.pk}/").status_code == 200
    assert api.patch(f"/api/v1/participants/{participant_a.pk}/", {"notes": "x"}).status_code == 403
    assert api.post(f"/api/v1/enrollments/{enrollment_a.pk}/transition/", {"status": "responded"}).status_code == 403
    assert api.patch(f"/api/v1/studies/{study_a.pk}/", {"title": "x"}).status_code == 403
    page = client_for(viewer_a)
    assert page.get(reverse("participant-edit", args=[participant_a.pk])).status_code == 403
    assert page.post(reverse("enrollment-transition", args=[enrollment_a.pk]), {"status": "responded"}).status_code == 403
    participant_a.refresh_from_db()
    enrollment_a.refresh_from_db()
    study_a.refresh_from_db()
    assert (participant_a.notes, enrollment_a.status, study_a.title) == ("", "invited", "Study STUDYA")


def test_a_viewer_sees_no_edit_buttons(viewer_a, participant_a):
    html = client_for(viewer_a).get(reverse("participant-detail", args=[participant_a.pk])).content.decode()
    assert reverse("participant-edit", args=[participant_a.pk]) not in html
    assert "Change status" not in html


def test_anonymous_users_are_sent_to_log_in_and_the_api_answers_401_or_403(participant_a):
    from django.test import Client
    from rest_framework.test import APIClient

    response = Client().get(reverse("participant-detail", args=[participant_a.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert APIClient().get("/api/v1/participants/").status_code in (401, 403)


def test_a_superuser_sees_every_study(participant_a, participant_b):
    admin = make_user("root", is_superuser=True, is_staff=True)
    ids = {p["id"] for p in api_for(admin).get("/api/v1/participants/").json()["results"]}
    assert ids == {participant_a.pk, participant_b.pk}


def test_the_admin_shows_staff_only_their_studies_rows(coordinator_a, participant_a, participant_b, study_b):
    from django.contrib.auth.models import Permission

    coordinator_a.is_staff = True
    coordinator_a.save()
    coordinator_a.user_permissions.set(Permission.objects.filter(content_type__app_label="recruit"))
    client = client_for(coordinator_a)
    listing = client.get("/admin/recruit/participant/").content.decode()
    assert participant_a.email in listing
    assert participant_b.email not in listing
    assert client.get(f"/admin/recruit/participant/{participant_b.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/recruit/study/{study_b.pk}/change/").status_code in (302, 404)
    response = client.post(f"/admin/recruit/participant/{participant_b.pk}/change/", {"notes": "hacked"})
    assert response.status_code in (302, 403, 404)
    assert Participant.objects.get(pk=participant_b.pk).notes == ""
