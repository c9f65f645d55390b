import pytest
from django.core.exceptions import ValidationError

from recruit.models import Enrollment, StatusChange
from recruit.services.consent import consent_version_create, consent_version_publish, consent_version_update
from recruit.services.consent_gate import has_valid_consent
from recruit.services.enrollments import enrollment_transition
from recruit.services.withdrawal import withdraw

from .conftest import api_for, client_for
from .consent_support import SYSTEM, published_consent, sign

pytestmark = pytest.mark.django_db


def test_no_consent_without_a_signature(eligible_a, study_a):
    assert has_valid_consent(eligible_a) is False
    published_consent(study_a)
    assert has_valid_consent(eligible_a) is False


def test_a_signature_of_the_current_version_is_valid_and_moves_to_consented(eligible_a, study_a):
    version = published_consent(study_a)
    signature = sign(eligible_a, version)
    eligible_a.refresh_from_db()
    assert has_valid_consent(eligible_a) is True
    assert eligible_a.status == "consented"
    change = StatusChange.objects.filter(enrollment=eligible_a).last()
    assert (change.from_status, change.to_status) == ("eligible", "consented")
    assert change.note == f"signature {signature.pk}"


def test_a_signature_in_another_language_of_the_current_version_counts(eligible_a, study_a):
    published_consent(study_a, language="nb")
    english = published_consent(study_a, language="en")
    assert english.number == 1
    sign(eligible_a, english)
    assert has_valid_consent(eligible_a) is True


def test_a_new_version_makes_the_old_signature_insufficient(eligible_a, study_a):
    first = published_consent(study_a)
    signature = sign(eligible_a, first)
    second = consent_version_create(actor=SYSTEM, document=first.document)
    consent_version_update(actor=SYSTEM, version=second, purpose="Nytt formål")
    consent_version_publish(actor=SYSTEM, version=second)
    assert has_valid_consent(eligible_a) is False
    signature.refresh_from_db()
    assert signature.reconsent_required_at is not None


def test_a_withdrawn_signature_is_not_valid(eligible_a, study_a):
    sign(eligible_a, published_consent(study_a))
    withdraw(actor=SYSTEM, enrollment=eligible_a, channel="phone")
    assert has_valid_consent(eligible_a) is False


def test_the_pipeline_refuses_consented_without_a_signature(eligible_a, study_a, actor_a):
    published_consent(study_a)
    with pytest.raises(ValidationError) as error:
        enrollment_transition(actor=actor_a, enrollment=eligible_a, to_status="consented")
    assert error.value.error_dict["status"][0].code == "consent_required"
    assert Enrollment.objects.get(pk=eligible_a.pk).status == "eligible"


def test_the_api_answers_400_when_asked_to_mark_consented(eligible_a, coordinator_a):
    response = api_for(coordinator_a).post(f"/api/v1/enrollments/{eligible_a.pk}/transition/",
                                           {"status": "consented"}, format="json")
    assert response.status_code == 400
    assert "signs the study's current consent version" in response.json()["status"][0]
    assert Enrollment.objects.get(pk=eligible_a.pk).status == "eligible"


def test_the_page_shows_why_consented_cannot_be_set_by_hand(eligible_a, coordinator_a):
    client = client_for(coordinator_a)
    response = client.post(f"/enrollments/{eligible_a.pk}/status/", {"status": "consented", "note": ""}, follow=True)
    assert "signs the study&#x27;s current consent version" in response.content.decode()
    assert Enrollment.objects.get(pk=eligible_a.pk).status == "eligible"
