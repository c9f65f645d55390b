"""A study's recruitment settings through the API: members read, owners and coordinators change, others get 404."""
import pytest

from recruit.models import AuditEvent, Membership, RecruitmentSettings
from tests.conftest import api_for, make_user

pytestmark = pytest.mark.django_db

DEFAULTS = {"contact_limit": 3, "contact_window_months": 12, "send_rate_per_minute": 300}


def url(study):
    return f"/api/v1/studies/{study.pk}/recruitment-settings/"


def test_a_viewer_reads_the_defaults_before_anything_is_saved(study_a, viewer_a):
    response = api_for(viewer_a).get(url(study_a))
    assert response.status_code == 200
    assert response.json() == {"study": study_a.pk, **DEFAULTS}
    assert not RecruitmentSettings.objects.exists()  # reading creates nothing


def test_the_owner_sets_the_contact_limit_and_the_rate(study_a, coordinator_a):
    body = {"contact_limit": 2, "contact_window_months": 6, "send_rate_per_minute": 60}
    response = api_for(coordinator_a).put(url(study_a), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"study": study_a.pk, **body}
    assert api_for(coordinator_a).get(url(study_a)).json() == {"study": study_a.pk, **body}
    settings = RecruitmentSettings.objects.get(study=study_a)
    assert (settings.contact_limit, settings.contact_window_months, settings.send_rate_per_minute) == (2, 6, 60)
    event = AuditEvent.objects.get(action="recruitment_settings.update")
    assert event.study == study_a and event.detail["changes"]["contact_limit"] == [3, 2]


def test_a_coordinator_patches_one_setting_and_keeps_the_rest(study_a, coordinator_a):
    colleague = make_user("colleague")
    Membership.objects.create(study=study_a, user=colleague, role=Membership.Role.COORDINATOR)
    RecruitmentSettings.objects.create(study=study_a, contact_limit=5, send_rate_per_minute=30)

    response = api_for(colleague).patch(url(study_a), {"contact_window_months": 24}, format="json")

    assert response.status_code == 200
    assert response.json() == {"study": study_a.pk, "contact_limit": 5, "contact_window_months": 24,
                               "send_rate_per_minute": 30}


@pytest.mark.parametrize("body, field", [
    ({"contact_limit": 0}, "contact_limit"),
    ({"contact_limit": "often"}, "contact_limit"),
    ({"contact_window_months": 121}, "contact_window_months"),
    ({"contact_window_months": -1}, "contact_window_months"),
    ({"send_rate_per_minute": 0}, "send_rate_per_minute"),
    ({"send_rate_per_minute": 100_001}, "send_rate_per_minute"),
])
def test_bad_values_answer_400_with_the_field_and_change_nothing(study_a, coordinator_a, body, field):
    response = api_for(coordinator_a).patch(url(study_a), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not RecruitmentSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="recruitment_settings.update").exists()


def test_a_viewer_may_not_change_them(study_a, viewer_a):
    response = api_for(viewer_a).patch(url(study_a), {"contact_limit": 1}, format="json")
    assert response.status_code == 403
    assert not RecruitmentSettings.objects.exists()


def test_another_studys_settings_are_not_found(study_a, coordinator_b, study_b):
    api = api_for(coordinator_b)
    assert api.get(url(study_a)).status_code == 404
    assert api.put(url(study_a), {**DEFAULTS, "contact_limit": 1}, format="json").status_code == 404
    assert api.patch(url(study_a), {"contact_limit": 1}, format="json").status_code == 404
    assert not RecruitmentSettings.objects.filter(study=study_a).exists()


def test_the_schema_describes_the_endpoint(study_a, coordinator_a):
    schema = api_for(coordinator_a).get("/api/schema/?format=json").json()
    operations = schema["paths"]["/api/v1/studies/{id}/recruitment-settings/"]
    assert {"get", "put", "patch"} <= set(operations)
    fields = schema["components"]["schemas"]["RecruitmentSettings"]["properties"]
    assert {"contact_limit", "contact_window_months", "send_rate_per_minute"} <= set(fields)
    assert fields["contact_limit"]["minimum"] == 1
