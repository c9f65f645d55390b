import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from recruit.models import Message
from recruit.services import messages as outbox

pytestmark = pytest.mark.django_db


def render_note(message):
    """A renderer for these tests: uses the language active at send time."""
    from django.utils.translation import get_language

    return outbox.email_to(message, subject=f"Note {message.payload['n']}", body=f"language={get_language()}")


@pytest.fixture(autouse=True)
def note_kind(monkeypatch):
    monkeypatch.setitem(outbox.RENDERERS, "test.note", "tests.test_outbox.render_note")


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Queue as a service would, running the on-commit send as a real commit would."""

    def queue(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return outbox.message_queue(**kwargs)

    return queue


def test_a_queued_message_is_sent_once_in_the_participants_language(participant_a, study_a, capture):
    participant_a.preferred_language = "nb"
    participant_a.save()
    message = capture(kind="test.note", key="note-1", participant=participant_a, study=study_a, payload={"n": 1})
    message.refresh_from_db()
    assert message.status == "sent" and message.subject == "Note 1"
    assert len(mail.outbox) == 1 and mail.outbox[0].body == "language=nb"
    assert mail.outbox[0].to == [participant_a.email]
    assert outbox.message_send(message.pk) == "sent"  # a second send attempt sends nothing
    assert len(mail.outbox) == 1


def test_queueing_the_same_key_twice_keeps_one_message(participant_a, capture):
    first = capture(kind="test.note", key="k", participant=participant_a, payload={"n": 1})
    second = capture(kind="test.note", key="k", participant=participant_a, payload={"n": 2})
    assert first.pk == second.pk and Message.objects.count() == 1 and len(mail.outbox) == 1


def test_a_message_for_later_waits_and_the_sweep_sends_it_once_when_due(participant_a, monkeypatch):
    later = timezone.now() + datetime.timedelta(hours=72)
    message = outbox.message_queue(kind="test.note", key="later", participant=participant_a, payload={"n": 3},
                                   not_before=later)
    assert outbox.message_send(message.pk) == "queued" and len(mail.outbox) == 0
    monkeypatch.setattr(timezone, "now", lambda: later + datetime.timedelta(minutes=1))
    call_command("send_due_messages")
    call_command("send_due_messages")
    assert len(mail.outbox) == 1
    assert Message.objects.get(pk=message.pk).status == "sent"


def test_a_failed_send_is_recorded_with_its_error(participant_a, monkeypatch, capture):
    monkeypatch.setitem(outbox.RENDERERS, "test.broken", "tests.test_outbox.raise_down")
    message = capture(kind="test.broken", key="b", participant=participant_a)
    message.refresh_from_db()
    assert (message.status, message.error) == ("failed", "smtp down")


def raise_down(message):
    raise ConnectionRefusedError("smtp down")


def test_an_unknown_kind_is_refused(participant_a):
    with pytest.raises(ValueError, match="no renderer"):
        outbox.message_queue(kind="nope", key="x", participant=participant_a)
    assert not Message.objects.exists()
