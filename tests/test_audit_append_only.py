"""The audit log cannot be rewritten: the database refuses UPDATE and DELETE on its table,
except redaction for erasure and SET NULL when a user or study is deleted."""
import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from recruit.actors import Actor
from recruit.models import AuditEvent
from recruit.services.audit import audit_record

from .conftest import make_study, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(coordinator_a, study_a):
    return audit_record(
        actor=Actor(user=coordinator_a, ip="10.0.0.1"), action="participant.update", study=study_a,
        detail={"changes": {"email": ["old@example.org", "new@example.org"]}},
    )


def refused(action) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        action()
    return str(error.value)


def stored(event) -> dict:
    return AuditEvent.objects.filter(pk=event.pk).values().get()


def test_changing_what_an_event_says_is_refused(event):
    before = stored(event)
    message = refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="participant.view"))
    assert "append-only" in message
    assert stored(event) == before


def test_rewriting_the_detail_with_anything_but_the_redaction_mark_is_refused(event):
    before = stored(event)
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(detail={"changes": {}}))
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(detail={"redacted": True, "why": "x"}))
    assert stored(event) == before


def test_redaction_together_with_another_change_is_refused(event):
    before = stored(event)
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(detail={"redacted": True}, ip_address=None))
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(detail={"redacted": True}, at=timezone.now()))
    assert stored(event) == before


def test_saving_a_changed_event_through_the_orm_is_refused(event):
    event.actor_label = "someone else"
    refused(event.save)
    assert stored(event)["actor_label"] == "coordinator_a"


def test_deleting_an_event_is_refused(event):
    message = refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    assert "append-only" in message
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_through_raw_sql_is_refused(event):
    def delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM recruit_auditevent")

    refused(delete)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_redaction_for_erasure_replaces_only_the_detail(event):
    before = stored(event)
    AuditEvent.objects.filter(pk=event.pk).update(detail={"redacted": True})
    after = stored(event)
    assert after["detail"] == {"redacted": True}
    assert {k: v for k, v in after.items() if k != "detail"} == {k: v for k, v in before.items() if k != "detail"}


def test_deleting_the_acting_user_keeps_the_event_without_the_link(db):
    user = make_user("leaver")
    study = make_study("LEAVE", owner=user)
    event = audit_record(actor=Actor(user=user), action="study.view", study=study)
    user.delete()
    after = stored(event)
    assert after["actor_id"] is None and after["actor_label"] == "leaver" and after["study_id"] == study.pk


def test_deleting_a_study_keeps_its_events_without_the_link(db):
    study = make_study("GONE")
    event = audit_record(actor=Actor.system(), action="study.create", obj=study, study=study)
    study_id = study.pk
    study.delete()
    after = stored(event)
    assert after["study_id"] is None and after["object_id"] == str(study_id) and after["action"] == "study.create"


def test_new_events_are_still_written(event):
    audit_record(actor=Actor.system(), action="study.view")
    assert AuditEvent.objects.count() == 2
