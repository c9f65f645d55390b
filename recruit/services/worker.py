"""What a starting task worker picks up from one that stopped (killed, crashed, host restarted).

A worker that dies leaves its running task marked running for ever, the message it was sending
marked "sending", and a campaign whose next sending run that task would have scheduled.
`worker_resume` (run by `manage.py worker` before it starts working) marks the half-sent message
failed as interrupted (never sent twice), gives every sending campaign its task again, queues due
e-mails outside campaigns again, and marks failed the tasks a dead worker of this host was running.
"""
import os
import socket

from django.utils import timezone

from recruit.services.campaigns import campaigns_resume
from recruit.services.messages import messages_mark_interrupted, messages_requeue_due


class WorkerStopped(Exception):
    """The worker running this task stopped before it finished (killed or crashed)."""


def worker_id() -> str:
    """This process's id as a worker: host and process id, so a later worker can tell it is gone."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def tasks_orphaned_fail() -> int:
    """Mark failed the tasks still "running" under a worker of this host whose process is gone."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    host = worker_id().rsplit(":", 1)[0]
    failed = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        last = result.worker_ids[-1] if result.worker_ids else ""
        name, _sep, pid = last.rpartition(":")
        if name == host and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            result.set_failed(WorkerStopped(f"worker {last} stopped before this task finished "
                                            f"(found at {timezone.now():%Y-%m-%d %H:%M:%S %Z})"))
            failed += 1
    return failed


def worker_resume() -> dict[str, int]:
    return {
        "interrupted": messages_mark_interrupted(),
        "orphaned": tasks_orphaned_fail(),
        "campaigns": campaigns_resume(),
        "requeued": messages_requeue_due(),
    }
