"""The outbox: every e-mail to a participant is queued here and sent by a background task.

`message_queue` is idempotent on its key (queue the same reminder twice: one row), and
`message_send` claims a row with a conditional UPDATE before sending, so a message is never
sent twice, even with two workers or a worker restarted halfway through a campaign.
Rendering happens at send time through the renderer registered for the message's kind.
"""
import datetime
import functools
import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from recruit.models import Message
from recruit.timezones import zone_for

logger = logging.getLogger(__name__)

# kind -> dotted path of a function(message) -> EmailMessage, called inside the participant's
# language and time zone. A feature registers its kinds here.
RENDERERS: dict[str, str] = {}


class MessageNotDue(Exception):
    pass


def message_queue(
    *, kind: str, key: str, participant, study=None, payload: dict | None = None,
    not_before: datetime.datetime | None = None,
) -> Message:
    """Queue a message (or return the one already queued under this key) and schedule its send."""
    return messages_queue([Message(kind=kind, key=key, participant=participant, study=study, payload=payload or {},
                                   not_before=not_before)])[0]


def messages_queue(messages: list[Message]) -> list[Message]:
    """Queue unsaved messages together (those whose key is already queued stay as they are) and schedule the
    sends of the new ones; returns the stored messages in the order given.

    Three queries however many messages: the keys already there, one INSERT of the rest, their ids.
    """
    for message in messages:
        if message.kind not in RENDERERS:
            raise ValueError(f"no renderer for message kind {message.kind!r}")
    keys = [message.key for message in messages]
    stored = {message.key: message for message in Message.objects.filter(key__in=keys).order_by()}
    new = {message.key: message for message in messages if message.key not in stored}
    if new:
        # ON CONFLICT DO NOTHING: the unique key keeps one row if another request queues the same key meanwhile.
        # Both then schedule a send, and message_send's claim sends it once.
        Message.objects.bulk_create(list(new.values()), ignore_conflicts=True)
        stored.update((message.key, message) for message in Message.objects.filter(key__in=list(new)).order_by())
        for key in new:
            transaction.on_commit(functools.partial(_enqueue, stored[key]))
    return [stored[key] for key in keys]


def message_reschedule(message: Message, not_before: datetime.datetime | None) -> None:
    """Move a queued message (e.g. a reminder when its session moves); sent ones stay as they are."""
    if Message.objects.filter(pk=message.pk, status=Message.Status.QUEUED).update(not_before=not_before):
        message.not_before = not_before
        transaction.on_commit(lambda: _enqueue(message))


def message_cancel(message: Message) -> bool:
    return bool(Message.objects.filter(pk=message.pk, status=Message.Status.QUEUED).update(
        status=Message.Status.CANCELLED
    ))


def _enqueue(message: Message) -> None:
    from recruit.tasks import send_message

    if message.not_before and message.not_before > timezone.now():
        # A backend that cannot defer (the immediate one in tests) leaves it to the sweep,
        # `manage.py send_due_messages`, which a cron job or the worker set-up runs.
        if send_message.get_backend().supports_defer:
            send_message.using(run_after=message.not_before).enqueue(message.pk)
    else:
        send_message.enqueue(message.pk)


def message_send(message_id: int) -> str:
    """Send one queued message if it is due; returns its status afterwards."""
    now = timezone.now()
    due = Message.objects.filter(pk=message_id, status=Message.Status.QUEUED)
    due = due.filter(not_before__isnull=True) | due.filter(not_before__lte=now)
    # The claim: only one worker can move this row from queued to sending.
    if not due.update(status=Message.Status.SENDING, attempts=F("attempts") + 1):
        return Message.objects.filter(pk=message_id).values_list("status", flat=True).first() or "missing"
    message = Message.objects.select_related("participant", "study").get(pk=message_id)
    try:
        with translation.override(message.participant.preferred_language), \
                timezone.override(zone_for(message.participant)):
            email = import_string(RENDERERS[message.kind])(message)
        email.send()
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the row, not lost
        logger.warning("message %s (%s) failed: %s", message.pk, message.kind, type(error).__name__)
        Message.objects.filter(pk=message.pk).update(status=Message.Status.FAILED, error=str(error)[:500])
        return Message.Status.FAILED
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=timezone.now(), subject=email.subject[:300], error=""
    )
    return Message.Status.SENT


# Stored on a message a stopped worker left half-sent (English, like the transport errors beside it).
INTERRUPTED = ("Interrupted: the worker stopped while sending this message. It may or may not have reached the "
               "recipient, so recruit does not send it again.")


def messages_mark_interrupted() -> int:
    """Messages a stopped worker left "sending" become failed, saying why; returns how many.

    Run when a worker starts. Whether such a message went out is unknown (the process died between
    claiming it and recording the result), so it is not sent again: recruit sends at most once and
    shows the coordinator the one message that may be missing. Should another worker in fact still
    be sending one of these, its own final update (sent or failed) replaces this one.
    """
    return Message.objects.filter(status=Message.Status.SENDING).update(
        status=Message.Status.FAILED, error=INTERRUPTED
    )


def messages_requeue_due(limit: int = 10_000) -> int:
    """Enqueue the send task again for due queued messages outside campaigns (a stopped worker may have
    taken their task with it); the claim in message_send makes a second task send nothing twice."""
    now = timezone.now()
    due = Message.objects.filter(status=Message.Status.QUEUED).exclude(key__startswith="campaign:")
    ids = list((due.filter(not_before__isnull=True) | due.filter(not_before__lte=now))
               .order_by("id").values_list("pk", flat=True)[:limit])
    from recruit.tasks import send_message

    for pk in ids:
        send_message.enqueue(pk)
    return len(ids)


def messages_send_due(limit: int = 1000) -> int:
    """Send queued messages that are due (a sweep after downtime); returns how many were sent."""
    now = timezone.now()
    ids = list(
        (Message.objects.filter(status=Message.Status.QUEUED, not_before__isnull=True)
         | Message.objects.filter(status=Message.Status.QUEUED, not_before__lte=now))
        .order_by("id").values_list("pk", flat=True)[:limit]
    )
    return sum(message_send(pk) == Message.Status.SENT for pk in ids)


def email_to(message: Message, *, subject: str, body: str, attachments=()) -> EmailMessage:
    """An e-mail to the message's participant (renderers build theirs with this)."""
    email = EmailMessage(subject=subject.strip(), body=body, to=[message.participant.email])
    for attachment in attachments:
        email.attach(*attachment)
    return email



def messages_send_batch(ids: list[int]) -> int:
    """Send many queued, due messages with message_send's guarantee, in far fewer queries.

    The messages are read in one query and rendered in one transaction (renderers may write,
    e.g. personal links, which are inserted together), then each is claimed with the same
    conditional UPDATE as message_send, sent over one shared mail connection, and marked sent.
    Marking one message sent and claiming the next is one statement, so at every moment at most
    one message is "sending": a worker killed halfway leaves at most that one, and never sends
    one twice. A message another worker claimed first is simply skipped. Returns how many were sent.
    """
    from django.core.mail import get_connection

    from recruit.services.links import links_issued_together

    now = timezone.now()
    due = Message.objects.filter(pk__in=ids, status=Message.Status.QUEUED)
    due = due.filter(not_before__isnull=True) | due.filter(not_before__lte=now)
    rendered, failed = [], []
    with transaction.atomic(), links_issued_together():
        for message in due.select_related("participant", "study").order_by("id"):
            try:
                with translation.override(message.participant.preferred_language), \
                        timezone.override(zone_for(message.participant)):
                    rendered.append((message, import_string(RENDERERS[message.kind])(message)))
            except Exception as error:  # noqa: BLE001 - recorded on the row
                failed.append((message, error))
    sent = 0
    done = None  # (message id, subject) sent but not yet marked so
    connection = get_connection()
    try:
        connection.open()
        for message, email in rendered:
            claimed = _mark_sent_and_claim(done, message.pk)
            done = None
            if not claimed:
                continue  # claimed by another worker (or cancelled) meanwhile
            try:
                email.connection = connection
                email.send()
            except Exception as error:  # noqa: BLE001
                _failed(message, error)
                continue
            done = (message.pk, email.subject[:300])
            sent += 1
    finally:
        if done is not None:
            _mark_sent_and_claim(done, None)
        connection.close()
    for message, error in failed:
        if Message.objects.filter(pk=message.pk, status=Message.Status.QUEUED).update(
            status=Message.Status.SENDING, attempts=F("attempts") + 1
        ):
            _failed(message, error)
    return sent


# One statement marks the message just sent as sent and claims the next (queued -> sending). Raw
# SQL because it runs once per message in the campaign worker's hot loop, where building the
# equivalent queryset costs more than the database does. RETURNING (SQLite >= 3.35, PostgreSQL)
# tells which rows changed: the next message was claimed only if its id comes back.
_MARK_AND_CLAIM = """
UPDATE recruit_message SET
  status = CASE WHEN id = %s THEN 'sending' ELSE 'sent' END,
  attempts = CASE WHEN id = %s THEN attempts + 1 ELSE attempts END,
  sent_at = CASE WHEN id = %s THEN sent_at ELSE %s END,
  subject = CASE WHEN id = %s THEN subject ELSE %s END,
  error = CASE WHEN id = %s THEN error ELSE '' END
WHERE (id = %s AND status = 'queued') OR id = %s
RETURNING id
"""


def _mark_sent_and_claim(done: tuple[int, str] | None, claim: int | None) -> bool:
    """Mark `done` (id, subject) sent and claim message `claim`; True if the claim succeeded."""
    from django.db import connection

    if done is None and claim is None:
        return False
    done_id, subject = done or (None, "")
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_MARK_AND_CLAIM, [claim, claim, claim, sent_at, claim, subject, claim, claim, done_id])
        changed = {row[0] for row in cursor.fetchall()}
    return claim is not None and claim in changed


def _failed(message: Message, error: Exception) -> None:
    logger.warning("message %s (%s) failed: %s", message.pk, message.kind, type(error).__name__)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.FAILED, error=str(error)[:500])
