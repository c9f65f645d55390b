import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from recruit import pipeline
from recruit.actors import Actor
from recruit.models import AuditEvent, Enrollment, StatusChange
from recruit.services.enrollments import enrollment_create, enrollment_transition

from .conftest import make_participant

pytestmark = pytest.mark.django_db


def test_an_allowed_transition_moves_the_enrollment_and_records_who_and_when(enrollment_a, actor_a):
    enrollment_transition(actor=actor_a, enrollment=enrollment_a, to_status="responded", note="Replied by e-mail")
    enrollment_a.refresh_from_db()
    assert enrollment_a.status == "responded"
    change = StatusChange.objects.get(enrollment=enrollment_a, to_status="responded")
    assert (change.from_status, change.actor, change.note) == ("invited", actor_a.user, "Replied by e-mail")
    assert change.at is not None


def test_an_impossible_transition_is_refused_with_a_clear_error_and_nothing_changes(enrollment_a, actor_a):
    with pytest.raises(ValidationError) as error:
        enrollment_transition(actor=actor_a, enrollment=enrollment_a, to_status="attended")
    assert error.value.error_dict["status"][0].code == "transition_not_allowed"
    message = error.value.message_dict["status"][0]
    assert "cannot move from Invited to Attended" in message
    assert "Responded" in message  # says where it can go
    enrollment_a.refresh_from_db()
    assert enrollment_a.status == "invited"
    assert not StatusChange.objects.filter(enrollment=enrollment_a).exists()


def test_withdrawn_is_final(enrollment_a, actor_a):
    enrollment_transition(actor=actor_a, enrollment=enrollment_a, to_status="withdrawn")
    with pytest.raises(ValidationError) as error:
        enrollment_transition(actor=actor_a, enrollment=enrollment_a, to_status="eligible")
    assert "final status" in error.value.message_dict["status"][0]


@pytest.mark.parametrize("from_status, to_status", [
    (s, t) for s in pipeline.Status.values for t in pipeline.Status.values if s != t
])
def test_every_pair_of_statuses_is_either_allowed_or_refused_as_the_table_says(
    study_a, actor_a, from_status, to_status
):
    enrollment = Enrollment.objects.create(study=study_a, participant=make_participant(study_a, enroll=False),
                                           status=from_status)
    # Eligible -> consented also needs a signature (tests/test_consent_gate.py); without one it is refused.
    if pipeline.can_transition(from_status, to_status) and (from_status, to_status) != ("eligible", "consented"):
        enrollment_transition(actor=actor_a, enrollment=enrollment, to_status=to_status)
        assert Enrollment.objects.get(pk=enrollment.pk).status == to_status
    else:
        with pytest.raises(ValidationError):
            enrollment_transition(actor=actor_a, enrollment=enrollment, to_status=to_status)
        assert Enrollment.objects.get(pk=enrollment.pk).status == from_status


def test_a_stale_copy_cannot_overwrite_a_newer_status(enrollment_a, actor_a):
    stale = Enrollment.objects.get(pk=enrollment_a.pk)
    enrollment_transition(actor=actor_a, enrollment=enrollment_a, to_status="responded")
    with pytest.raises(ValidationError) as error:
        enrollment_transition(actor=actor_a, enrollment=stale, to_status="ineligible")
    assert error.value.error_dict["status"][0].code == "concurrent_change"
    assert Enrollment.objects.get(pk=enrollment_a.pk).status == "responded"


def test_a_viewer_cannot_move_an_enrollment(enrollment_a, viewer_a):
    with pytest.raises(PermissionDenied):
        enrollment_transition(actor=Actor(user=viewer_a), enrollment=enrollment_a, to_status="responded")
    assert Enrollment.objects.get(pk=enrollment_a.pk).status == "invited"


def test_a_coordinator_of_another_study_cannot_enrol_into_it(study_a, coordinator_b):
    participant = make_participant(study_a, enroll=False)
    with pytest.raises(PermissionDenied):
        enrollment_create(actor=Actor(user=coordinator_b), study=study_a, participant=participant)
    assert not Enrollment.objects.filter(participant=participant).exists()


def test_enrolling_records_the_first_status_and_an_audit_event(study_a, actor_a):
    participant = make_participant(study_a, enroll=False)
    enrollment = enrollment_create(actor=actor_a, study=study_a, participant=participant)
    assert list(enrollment.status_changes.values_list("from_status", "to_status")) == [("", "invited")]
    assert AuditEvent.objects.filter(action="enrollment.create", object_id=str(enrollment.pk), study=study_a).exists()


def test_a_participant_can_be_enrolled_in_several_studies(study_a, study_b, coordinator_a, coordinator_b):
    participant = make_participant(study_a)
    # An import run on the server (a trusted actor) puts a known person into a second study.
    enrollment_create(actor=Actor.system("test"), study=study_b, participant=participant)
    assert set(participant.enrollments.values_list("study__code", flat=True)) == {"STUDYA", "STUDYB"}


def test_a_participant_cannot_be_enrolled_twice_in_one_study(enrollment_a, actor_a, participant_a, study_a):
    with pytest.raises(ValidationError) as error:
        enrollment_create(actor=actor_a, study=study_a, participant=participant_a)
    assert "already enrolled" in " ".join(error.value.messages)
    assert Enrollment.objects.filter(participant=participant_a).count() == 1
