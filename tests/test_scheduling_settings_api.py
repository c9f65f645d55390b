"""A study's scheduling settings through the API: members read, owners and coordinators change, others get 404."""
import pytest

from recruit.models import AuditEvent, Membership, SchedulingSettings
from tests.conftest import api_for, client_for, make_user

pytestmark = pytest.mark.django_db

DEFAULTS = {"reminder_hours": [72, 24], "self_booking": False, "participant_deadline_hours": 24,
            "coordinator_deadline_hours": 0}


def url(study):
    return f"/api/v1/studies/{study.pk}/scheduling-settings/"


def test_a_viewer_reads_the_defaults_before_anything_is_saved(study_a, viewer_a):
    response = api_for(viewer_a).get(url(study_a))
    assert response.status_code == 200
    assert response.json() == {"study": study_a.pk, **DEFAULTS}
    assert not SchedulingSettings.objects.exists()  # reading creates nothing


def test_the_owner_turns_self_booking_on_and_sets_deadlines_and_reminders(study_a, coordinator_a):
    body = {"self_booking": True, "participant_deadline_hours": 48, "coordinator_deadline_hours": 2,
            "reminder_hours": [24, 96, 24]}
    response = api_for(coordinator_a).put(url(study_a), body, format="json")
    assert response.status_code == 200, response.json()
    expected = {"study": study_a.pk, "self_booking": True, "participant_deadline_hours": 48,
                "coordinator_deadline_hours": 2, "reminder_hours": [96, 24]}
    assert response.json() == expected
    assert api_for(coordinator_a).get(url(study_a)).json() == expected
    settings = SchedulingSettings.objects.get(study=study_a)
    assert settings.self_booking and settings.reminder_hours == [96, 24]
    event = AuditEvent.objects.get(action="scheduling_settings.update")
    assert event.study == study_a and event.detail["changes"]["self_booking"] == [False, True]


def test_a_coordinator_patches_one_setting_and_keeps_the_rest(study_a, coordinator_a):
    colleague = make_user("colleague")
    Membership.objects.create(study=study_a, user=colleague, role=Membership.Role.COORDINATOR)
    SchedulingSettings.objects.create(study=study_a, self_booking=True, participant_deadline_hours=36)

    response = api_for(colleague).patch(url(study_a), {"reminder_hours": []}, format="json")

    assert response.status_code == 200
    assert response.json() == {"study": study_a.pk, "self_booking": True, "participant_deadline_hours": 36,
                               "coordinator_deadline_hours": 0, "reminder_hours": []}


@pytest.mark.parametrize("body, field", [
    ({"participant_deadline_hours": -1}, "participant_deadline_hours"),
    ({"participant_deadline_hours": "soon"}, "participant_deadline_hours"),
    ({"participant_deadline_hours": 10_000}, "participant_deadline_hours"),
    ({"reminder_hours": [0]}, "reminder_hours"),
    ({"reminder_hours": "72"}, "reminder_hours"),
    ({"reminder_hours": [2000]}, "reminder_hours"),
    ({"self_booking": "perhaps"}, "self_booking"),
    # Coordinators' deadline must not come before the participants' (24 hours by default).
    ({"coordinator_deadline_hours": 48}, "coordinator_deadline_hours"),
])
def test_bad_values_answer_400_with_the_field_and_change_nothing(study_a, coordinator_a, body, field):
    response = api_for(coordinator_a).patch(url(study_a), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not SchedulingSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="scheduling_settings.update").exists()


def test_a_viewer_may_not_change_them(study_a, viewer_a):
    response = api_for(viewer_a).patch(url(study_a), {"self_booking": "perhaps"}, format="json")
    assert response.status_code == 403  # refused before the body is even read
    assert not SchedulingSettings.objects.exists()


def test_another_studys_settings_are_not_found(study_a, coordinator_b, study_b):
    api = api_for(coordinator_b)
    assert api.get(url(study_a)).status_code == 404
    assert api.put(url(study_a), {**DEFAULTS, "self_booking": True}, format="json").status_code == 404
    assert not SchedulingSettings.objects.filter(study=study_a).exists()


def test_the_settings_page_shows_the_same_deadline_rule_as_a_form_error(study_a, coordinator_a):
    response = client_for(coordinator_a).post(f"/studies/{study_a.pk}/sessions/settings/", {
        "reminder_hours": "72, 24", "participant_deadline_hours": "24", "coordinator_deadline_hours": "48",
    })
    assert response.status_code == 200
    assert "cannot come before the participants" in response.text
    assert not SchedulingSettings.objects.exists()
