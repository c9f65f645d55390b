import pytest
from django.urls import reverse

from recruit.models import AuditEvent

from .conftest import api_for, client_for

pytestmark = pytest.mark.django_db


def test_viewing_the_participant_list_page_is_audited_without_the_search_words(coordinator_a, participant_a):
    client_for(coordinator_a).get(reverse("participant-list") + "?q=Ålvik&gender=female", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action="participant.list")
    assert event.actor == coordinator_a
    assert event.ip_address == "10.1.2.3"
    assert event.detail["filters"] == {"gender": ["female"]}
    assert event.detail["searched"] is True
    assert "Ålvik" not in str(event.detail)


def test_viewing_a_participant_page_is_audited(coordinator_a, participant_a):
    client_for(coordinator_a).get(reverse("participant-detail", args=[participant_a.pk]))
    assert AuditEvent.objects.filter(
        action="participant.view", object_type="recruit.participant", object_id=str(participant_a.pk),
        actor=coordinator_a,
    ).exists()


def test_api_reads_of_participants_are_audited(coordinator_a, participant_a):
    api = api_for(coordinator_a)
    api.get("/api/v1/participants/")
    api.get(f"/api/v1/participants/{participant_a.pk}/")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["participant.list", "participant.view"]


def test_a_refused_view_writes_no_audit_event(coordinator_a, participant_b):
    client_for(coordinator_a).get(reverse("participant-detail", args=[participant_b.pk]))
    assert not AuditEvent.objects.filter(object_id=str(participant_b.pk)).exists()


def test_status_changes_are_audited_with_study_and_values(coordinator_a, enrollment_a, study_a):
    client_for(coordinator_a).post(reverse("enrollment-transition", args=[enrollment_a.pk]), {"status": "responded"})
    event = AuditEvent.objects.get(action="enrollment.transition")
    assert (event.study, event.detail) == (study_a, {"from": "invited", "to": "responded"})
