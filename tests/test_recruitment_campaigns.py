"""Invitation campaigns: who is invited, what they receive, sending exactly once, reminders, pausing."""
import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from recruit.actors import Actor
from recruit.models import Campaign, CampaignRecipient, Enrollment, Message, Participant, RecruitmentSettings
from recruit.services import campaigns as service
from recruit.services import messages as outbox
from tests.conftest import make_participant

pytestmark = pytest.mark.django_db

TEMPLATE = {
    "subject_nb": "Invitasjon til {{ study_title }}",
    "body_nb": "Hei {{ given_name }}!\nSvar her: {{ screening_link }}",
    "subject_en": "Invitation to {{ study_title }}",
    "body_en": "Dear {{ full_name }},\nAnswer here: {{ screening_link }}",
}


def new_campaign(actor, study, **fields):
    return service.campaign_create(actor=actor, study=study, name="Wave 1", **{**TEMPLATE, **fields})


@pytest.fixture
def clock(monkeypatch):
    """A frozen clock the test moves by hand (timezone.now is the seam every service reads)."""

    class Clock:
        now = timezone.now()

        def advance(self, **delta):
            self.now += datetime.timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    def run(actor, campaign):
        with django_capture_on_commit_callbacks(execute=True):
            return service.campaign_start(actor=actor, campaign=campaign)

    return run


def registry(study, n=3, **overrides):
    return [make_participant(study, enroll=False, **overrides) for _ in range(n)]


def test_candidates_leave_out_do_not_contact_enrolled_and_other_studies(study_a, study_b, actor_a):
    wanted = registry(study_a, 2)
    make_participant(study_a, enroll=False, do_not_contact=True)
    make_participant(study_a)  # already enrolled in study A
    make_participant(study_b, enroll=False)  # coordinator A cannot see study B's people
    campaign = new_campaign(actor_a, study_a)
    assert set(service.campaign_candidates(actor=actor_a, campaign=campaign)) == set(wanted)


def test_candidates_are_chosen_by_the_registry_filters(study_a, actor_a):
    women = registry(study_a, 2, gender="female")
    registry(study_a, 2, gender="male")
    campaign = new_campaign(actor_a, study_a, filters={"gender": ["female"]})
    assert set(service.campaign_candidates(actor=actor_a, campaign=campaign)) == set(women)


def test_people_contacted_up_to_the_limit_in_the_period_are_left_out(study_a, actor_a, start, clock):
    RecruitmentSettings.objects.create(study=study_a, contact_limit=2, contact_window_months=6)
    tired, fresh = registry(study_a, 2)
    for n in range(2):
        other = service.campaign_create(actor=Actor.system(), study=study_a, name=f"old {n}", **TEMPLATE)
        CampaignRecipient.objects.create(
            campaign=other, participant=tired, last_contacted_at=clock.now,
            enrollment=Enrollment.objects.create(study=make_study_for(n), participant=tired),
        )
    campaign = new_campaign(actor_a, study_a)
    assert list(service.campaign_candidates(actor=actor_a, campaign=campaign)) == [fresh]
    clock.advance(days=200)  # the old invitations fall out of the six-month window
    assert set(service.campaign_candidates(actor=actor_a, campaign=campaign)) == {tired, fresh}


def make_study_for(n):
    from tests.conftest import make_study

    return make_study(f"OLD{n}")


def test_a_campaign_enrols_invites_and_sends_in_each_language(study_a, actor_a, start, clock):
    study_a.title = "Fastlegestudien"
    study_a.save()
    nb, en = registry(study_a, 2)
    Participant.objects.filter(pk=en.pk).update(preferred_language="en")
    campaign = new_campaign(actor_a, study_a)
    assert start(actor_a, campaign) == 2
    assert Enrollment.objects.filter(study=study_a, status="invited").count() == 2
    clock.advance(minutes=1)
    service.campaign_send_due(campaign.pk)
    assert len(mail.outbox) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address[nb.email].subject == "Invitasjon til Fastlegestudien"
    assert f"Hei {nb.given_name}!" in by_address[nb.email].body and "/l/" in by_address[nb.email].body
    assert by_address[en.email].subject == "Invitation to Fastlegestudien"
    assert "To receive no more invitations: http" in by_address[en.email].body
    assert by_address[en.email].extra_headers["List-Unsubscribe"].startswith("<http")
    counts = service.campaign_counts(campaign)
    assert (counts.recipients, counts.sent, counts.queued) == (2, 2, 0)


def test_messages_are_spaced_out_at_the_studys_rate(study_a, actor_a, start, clock):
    RecruitmentSettings.objects.create(study=study_a, send_rate_per_minute=60)
    registry(study_a, 5)
    campaign = new_campaign(actor_a, study_a)
    start(actor_a, campaign)  # the first one is due at once and sent by the task started on commit
    assert len(mail.outbox) == 1
    clock.advance(seconds=2)
    service.campaign_send_due(campaign.pk)
    assert len(mail.outbox) == 3
    clock.advance(seconds=10)
    service.campaign_send_due(campaign.pk)
    assert len(mail.outbox) == 5


def test_sending_costs_one_query_per_message_over_one_mail_connection(study_a, actor_a, start, clock, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    opened = []
    real_open = EmailBackend.open
    monkeypatch.setattr(EmailBackend, "open", lambda backend: opened.append(backend) or real_open(backend))

    def send(n):
        campaign = service.campaign_create(actor=actor_a, study=study_a, name=f"wave of {n}", **TEMPLATE)
        registry(study_a, n)
        with monkeypatch.context() as patch:
            patch.setattr(service, "messages_send_batch", lambda ids: 0)  # queue only
            start(actor_a, campaign)
        clock.advance(hours=1)
        with CaptureQueriesContext(connection) as queries:
            assert service.campaign_send_due(campaign.pk) == n
        return len(queries)

    few, many = send(3), send(9)
    # Campaign, due ids, the batch's messages, links inserted together (one INSERT), transaction,
    # then per message one statement that marks the previous one sent and claims it, plus the last
    # mark and the check for the next due message.
    assert many - few == 9 - 3
    assert few <= 3 + 12
    assert len(opened) == 2  # one mail connection per batch, not per message
    assert Message.objects.filter(status="sent").count() == 12
    assert len({m.body for m in mail.outbox}) == 12  # every message its own personal links


def test_a_send_interrupted_halfway_and_restarted_sends_each_message_once(study_a, actor_a, start, clock, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    people = registry(study_a, 10)
    campaign = new_campaign(actor_a, study_a)
    with monkeypatch.context() as patch:
        patch.setattr(service, "messages_send_batch", lambda ids: 0)  # no worker running at start
        start(actor_a, campaign)
    clock.advance(hours=1)
    real_send = EmailBackend.send_messages

    def dying_worker(backend, messages):
        if len(mail.outbox) == 4:
            raise SystemExit("worker killed")  # not an Exception: nothing in the outbox catches it
        return real_send(backend, messages)

    with monkeypatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", dying_worker)
        with pytest.raises(SystemExit):
            service.campaign_send_due(campaign.pk)
    assert len(mail.outbox) == 4
    # The restarted worker, the periodic sweep and a second worker all run over the same queue.
    service.campaign_send_due(campaign.pk)
    call_command("send_campaigns")
    call_command("send_due_messages")
    delivered = sorted(m.to[0] for m in mail.outbox)
    assert len(delivered) == len(set(delivered)) == 9  # nobody twice
    # The one being sent when the worker died stays "sending": it may or may not have left, so it
    # is never sent again; everyone else got theirs.
    stuck = Message.objects.get(status="sending")
    assert sorted([*delivered, stuck.participant.email]) == sorted(p.email for p in people)
    assert Message.objects.filter(status="sent").count() == 9


def test_pausing_holds_the_queue_even_from_the_sweep_and_resuming_sends_it(study_a, actor_a, start, clock,
                                                                        django_capture_on_commit_callbacks):
    registry(study_a, 3)
    campaign = new_campaign(actor_a, study_a)
    start(actor_a, campaign)
    sent_before = len(mail.outbox)
    service.campaign_pause(actor=actor_a, campaign=campaign)
    clock.advance(days=1)
    call_command("send_due_messages")
    assert service.campaign_send_due(campaign.pk) == 0 and len(mail.outbox) == sent_before
    with django_capture_on_commit_callbacks(execute=True):
        service.campaign_resume(actor=actor_a, campaign=campaign)
    clock.advance(minutes=5)
    service.campaign_send_due(campaign.pk)
    assert len(mail.outbox) == 3 and campaign.status == "sending"


def test_reminders_go_to_non_responders_after_the_wait_at_most_the_set_times(study_a, actor_a, start, clock):
    quiet, answered, leaving = registry(study_a, 3)
    campaign = new_campaign(actor_a, study_a, reminder_after_days=7, max_reminders=2)
    start(actor_a, campaign)
    clock.advance(minutes=1)
    service.campaign_send_due(campaign.pk)
    Enrollment.objects.filter(participant=answered).update(status="responded")
    Participant.objects.filter(pk=leaving.pk).update(do_not_contact=True)
    mail.outbox.clear()

    clock.advance(days=6)
    assert service.campaign_reminders_queue() == 0
    clock.advance(days=1, minutes=1)
    assert service.campaign_reminders_queue() == 1
    assert service.campaign_reminders_queue() == 0  # run twice: still one reminder
    service.campaign_send_due(campaign.pk)
    assert [(m.to[0], m.subject.startswith("Påminnelse")) for m in mail.outbox] == [(quiet.email, True)]
    for _ in range(3):
        clock.advance(days=8)
        call_command("send_campaigns")
    assert len(mail.outbox) == 2  # two reminders at most
    assert CampaignRecipient.objects.get(participant=quiet).reminders_sent == 2


def test_unsubscribing_asks_first_then_stops_everything_at_once(study_a, actor_a, start, clock, client):
    person, other = registry(study_a, 2)
    RecruitmentSettings.objects.create(study=study_a, send_rate_per_minute=1)
    campaign = new_campaign(actor_a, study_a)
    start(actor_a, campaign)  # one sent now, the other queued a minute later
    first = mail.outbox[0]
    link = [word for word in first.body.split() if "/l/" in word][-1]
    token_path = link.split("://", 1)[1].split("/", 1)[1]
    landing = client.get("/" + token_path, follow=True)
    assert "Slutte å få invitasjoner?" in landing.content.decode()  # in the participant's language
    unsubscribed = Participant.objects.get(email=first.to[0])
    assert not unsubscribed.do_not_contact  # a mail scanner opening the link changes nothing
    client.post("/p/unsubscribe/")
    unsubscribed.refresh_from_db()
    assert unsubscribed.do_not_contact
    # A later campaign leaves them out.
    later = service.campaign_create(actor=actor_a, study=study_a, name="Wave 2", **TEMPLATE)
    assert unsubscribed not in service.campaign_candidates(actor=actor_a, campaign=later)


def test_an_unsubscribed_persons_queued_invitation_is_cancelled(study_a, actor_a, start, clock):
    person = registry(study_a, 1)[0]
    campaign = new_campaign(actor_a, study_a)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service, "messages_send_batch", lambda ids: 0)
        start(actor_a, campaign)
    service.participant_unsubscribe(actor=Actor.system(), participant=person)
    clock.advance(hours=1)
    service.campaign_send_due(campaign.pk)
    assert mail.outbox == [] and service.campaign_counts(campaign).cancelled == 1


def test_templates_refuse_unknown_merge_fields_and_need_the_personal_link(study_a, actor_a):
    with pytest.raises(ValidationError) as error:
        new_campaign(actor_a, study_a, body_nb="Hei {{ fornavn }} {{ screening_link }}", body_en="No link here")
    assert set(error.value.message_dict) == {"body_nb", "body_en"}
    assert "fornavn" in error.value.message_dict["body_nb"][0]
    assert not Campaign.objects.exists()


def test_a_campaign_with_nobody_to_invite_is_refused(study_a, actor_a):
    campaign = new_campaign(actor_a, study_a)
    with pytest.raises(ValidationError) as error:
        service.campaign_start(actor=actor_a, campaign=campaign)
    assert error.value.code == "no_recipients"
    campaign.refresh_from_db()
    assert campaign.status == "draft" and not Message.objects.exists()


def test_the_preview_shows_both_languages_with_merge_fields_filled(study_a, actor_a):
    campaign = new_campaign(actor_a, study_a)
    preview = service.campaign_preview(actor=actor_a, campaign=campaign)
    assert preview["nb"]["subject"] == f"Invitasjon til {study_a.title}"
    assert preview["nb"]["body"].startswith("Hei Kari!") and "EXAMPLE-PERSONAL-LINK" in preview["nb"]["body"]
    assert preview["en"]["body"].startswith("Dear Kari Nordmann,")


def test_a_coordinator_writes_previews_and_sends_a_campaign_in_the_pages(study_a, coordinator_a, clock,
                                                                        django_capture_on_commit_callbacks):
    from django.urls import reverse

    from tests.conftest import client_for

    registry(study_a, 2, gender="female")
    registry(study_a, 1, gender="male")
    client = client_for(coordinator_a)
    response = client.post(reverse("campaign-new", args=[study_a.pk]), {
        "name": "Women first", "gender": ["female"], "reminder_after_days": 7, "max_reminders": 1, **TEMPLATE,
    })
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.filters == {"gender": ["female"]}
    page = client.get(response.url)
    assert page.context["candidates"] == 2
    assert f"Invitasjon til {study_a.title}" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaign-action", args=[study_a.pk, campaign.pk, "start"]))
    page = client.get(response.url)
    assert page.context["counts"].recipients == 2
    assert [status for _r, status in page.context["recipients"]].count("sent") >= 1


def test_another_studys_campaign_answers_404_and_viewers_cannot_send(study_a, study_b, coordinator_a, viewer_a,
                                                                     actor_a):
    from django.urls import reverse

    from tests.conftest import client_for

    theirs = service.campaign_create(actor=Actor.system(), study=study_b, name="B", **TEMPLATE)
    ours = new_campaign(actor_a, study_a)
    client = client_for(coordinator_a)
    assert client.get(reverse("campaign-detail", args=[study_b.pk, theirs.pk])).status_code == 404
    assert client.get(reverse("campaign-detail", args=[study_a.pk, theirs.pk])).status_code == 404
    assert client.post(reverse("campaign-action", args=[study_a.pk, theirs.pk, "start"])).status_code == 404
    assert client_for(viewer_a).post(reverse("campaign-action", args=[study_a.pk, ours.pk, "start"])).status_code == 403
    ours.refresh_from_db()
    assert ours.status == "draft"



def test_a_restricted_participant_is_never_invited(study_a, actor_a):
    person, restricted = registry(study_a, 2)
    Participant.objects.filter(pk=restricted.pk).update(restricted=True)
    campaign = new_campaign(actor_a, study_a)
    assert list(service.campaign_candidates(actor=actor_a, campaign=campaign)) == [person]
