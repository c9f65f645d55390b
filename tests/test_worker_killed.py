"""A task worker killed (SIGKILL) in the middle of a campaign: restarted, it resumes, and nobody gets
the invitation twice.

The worker runs as an operator runs it, `manage.py worker` in its own process against the test's
PostgreSQL database, sending e-mail through the file backend so every message that left the
process can be counted. The one message the worker may have been sending at the instant it died
cannot be known to have gone out or not; recruit never sends it again (at most once) and marks
it failed as interrupted, so the coordinator sees exactly who may be missing an invitation.
"""
import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from recruit.models import Campaign, CampaignRecipient, Message, Region, RecruitmentSettings
from recruit.regions import load_regions
from recruit.services.campaigns import campaign_create, campaign_start
from recruit.services.messages import INTERRUPTED
from recruit.services.worker import worker_resume

from .conftest import make_participant


RECIPIENTS = 300
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # between messages in the file mail backend's files


@pytest.fixture
def campaign(settings, study_a, actor_a):
    load_regions(Region)  # a transactional test may start from a flushed database
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as in production
    RecruitmentSettings.objects.create(study=study_a, send_rate_per_minute=100_000)
    for _ in range(RECIPIENTS):
        make_participant(study_a, enroll=False)
    campaign = campaign_create(
        actor=actor_a, study=study_a, name="Wave 1", subject_nb="Invitasjon", body_nb="Svar: {{ screening_link }}",
        subject_en="Invitation", body_en="Answer: {{ screening_link }}",
    )
    campaign_start(actor=actor_a, campaign=campaign)  # queues the messages and the sending task
    return campaign


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(tmp_path, n) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "EMAIL_URL": f"file://{tmp_path / 'mail'}",
           "MEDIA_ROOT": str(tmp_path / "media"), "DJANGO_ENV": "development", "TASKS_BACKEND":
           "django_tasks_db.DatabaseBackend"}
    log = (tmp_path / f"worker-{n}.log").open("wb")
    return subprocess.Popen([sys.executable, "manage.py", "worker", "--interval", "0.1"], cwd=settings.BASE_DIR,
                            env=env, stdout=log, stderr=subprocess.STDOUT)


def delivered(tmp_path) -> Counter:
    """Messages that left the worker, per recipient address (a message cut off by the kill counts too)."""
    counts = Counter()
    for path in (tmp_path / "mail").glob("*"):
        for chunk in path.read_bytes().split(SEPARATOR):
            recipient = email.message_from_bytes(chunk)["To"] if chunk.strip() else None
            if recipient:
                counts[recipient] += 1
    return counts


def wait_for(condition, timeout=180, what="the worker"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_campaign_resumes_and_sends_nothing_twice(campaign, tmp_path):
    first = start_worker(tmp_path, 1)
    try:
        wait_for(lambda: sum(delivered(tmp_path).values()) >= RECIPIENTS // 5, what="the first messages")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        first.kill()
    at_kill = sum(delivered(tmp_path).values())
    assert at_kill < RECIPIENTS, "the worker finished before it was killed; raise RECIPIENTS"
    stuck = list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("id", flat=True))

    second = start_worker(tmp_path, 2)
    try:
        wait_for(lambda: not Message.objects.filter(key__startswith=f"campaign:{campaign.pk}:",
                                                    status__in=["queued", "sending"]).exists(),
                 what="the restarted worker to finish the campaign")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    counts = delivered(tmp_path)
    recipients = {r.participant.email: r.message for r in
                  CampaignRecipient.objects.filter(campaign=campaign).select_related("participant", "message")}
    assert len(recipients) == RECIPIENTS
    assert max(counts.values()) == 1, "someone got the invitation twice"
    assert set(counts) <= set(recipients)
    interrupted = [address for address, message in recipients.items() if message.status == "failed"]
    assert len(interrupted) <= 1  # at most the one message in flight when the worker died
    for address, message in recipients.items():
        if address in interrupted:
            assert message.error == INTERRUPTED and counts[address] <= 1
        else:
            assert message.status == "sent" and counts[address] == 1, address
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENDING
    log = (tmp_path / "worker-2.log").read_text()
    assert "Resumed: 1 sending campaigns" in log
    # The task the killed worker was running is not left "running" for ever.
    assert stuck and set(DBTaskResult.objects.filter(id__in=stuck).values_list("status", flat=True)) == {"FAILED"}


@pytest.mark.django_db
def test_the_message_a_dead_worker_was_sending_is_marked_interrupted_and_never_resent(
    study_a, actor_a, django_capture_on_commit_callbacks
):
    people = [make_participant(study_a, enroll=False) for _ in range(3)]
    campaign = campaign_create(
        actor=actor_a, study=study_a, name="Wave 1", subject_nb="Invitasjon", body_nb="Svar: {{ screening_link }}",
        subject_en="Invitation", body_en="Answer: {{ screening_link }}",
    )
    campaign_start(actor=actor_a, campaign=campaign)  # queued; its task died with the worker
    Message.objects.update(not_before=timezone.now())  # all due
    in_flight = Message.objects.get(participant=people[0])
    Message.objects.filter(pk=in_flight.pk).update(status="sending")  # claimed, then the worker was killed

    with django_capture_on_commit_callbacks(execute=True):
        resumed = worker_resume()

    assert resumed["interrupted"] == 1 and resumed["campaigns"] == 1
    in_flight.refresh_from_db()
    assert in_flight.status == "failed" and in_flight.error == INTERRUPTED
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[1:])
