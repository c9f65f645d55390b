"""The screening questionnaire: prefilled details, study questions, eligibility, decline, thank-you."""
import pytest
from django.urls import reverse

from recruit.actors import Actor
from recruit.models import AuditEvent, Enrollment, Participant, ScreeningResponse, StatusChange
from recruit.services import screening as service
from recruit.services.links import link_issue
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(study_a):
    actor = Actor.system()
    service.question_save(actor=actor, study=study_a, key="lists", text_nb="Har du pasientlister?",
                          text_en="Do you have a patient list?", kind="yes_no", position=1)
    service.question_save(actor=actor, study=study_a, key="tools", text_nb="Hva bruker du?", text_en="What do you use?",
                          kind="multiple", options=service.options_from_lines("Journal | Record\nTelefon | Phone"),
                          is_required=False, is_reportable=True, position=2)
    service.rule_create(actor=actor, study=study_a, attribute="experience", operator="gte", value="2")
    service.rule_create(actor=actor, study=study_a, attribute="q.lists", operator="eq", value="yes")
    return study_a


def open_link(client, enrollment, purpose="screening"):
    _link, token = link_issue(enrollment=enrollment, purpose=purpose)
    return client.get(f"/l/{token}/", follow=True)


def answers(**overrides):
    data = {"birth_year": "1975", "gender": "female", "gp_start_year": "2008", "role": "gp",
            "practice_setting": "urban", "q_lists": "yes", "q_tools": ["record"], "may_contact": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_questionnaire_is_prefilled_from_the_registry(questionnaire, enrollment_a, client):
    page = open_link(client, enrollment_a)
    form = page.context["form"]
    assert form["birth_year"].value() == 1975 and form["gender"].value() == "female"
    assert "Har du pasientlister?" in page.content.decode()  # the participant's language (bokmål)


def test_an_eligible_answer_corrects_the_registry_and_moves_the_enrollment(questionnaire, enrollment_a, client):
    open_link(client, enrollment_a)
    response = client.post(reverse("screening"), answers(gp_start_year="2010", practice_setting="rural"))
    assert response.status_code == 302 and response.url == reverse("screening-done")
    enrollment_a.refresh_from_db()
    participant = enrollment_a.participant
    participant.refresh_from_db()
    assert enrollment_a.status == "eligible"
    assert (participant.gp_start_year, participant.practice_setting) == (2010, "rural")
    moves = list(StatusChange.objects.filter(enrollment=enrollment_a).values_list("to_status", "actor_label"))
    assert moves[-2:] == [("responded", "participant"), ("eligible", "participant")]
    stored = ScreeningResponse.objects.get(enrollment=enrollment_a)
    assert stored.answers == {"lists": True, "tools": ["record"]} and stored.is_eligible
    thanks = client.get(response.url)
    assert "Hva skjer nå:" in thanks.content.decode()  # next steps, in the participant's language


def test_failing_a_rule_makes_the_enrollment_ineligible(questionnaire, enrollment_a, client):
    open_link(client, enrollment_a)
    client.post(reverse("screening"), answers(q_lists="no"))
    enrollment_a.refresh_from_db()
    assert enrollment_a.status == "ineligible"
    assert "q.lists" in StatusChange.objects.filter(enrollment=enrollment_a).last().note


def test_a_required_question_left_empty_is_an_error_and_nothing_changes(questionnaire, enrollment_a, client):
    open_link(client, enrollment_a)
    response = client.post(reverse("screening"), answers(q_lists=None))
    assert response.status_code == 200 and "q_lists" in response.context["form"].errors
    enrollment_a.refresh_from_db()
    assert enrollment_a.status == "invited" and not ScreeningResponse.objects.exists()


def test_an_impossible_correction_is_refused_by_the_model_rules(questionnaire, enrollment_a, client):
    open_link(client, enrollment_a)
    response = client.post(reverse("screening"), answers(gp_start_year="1980"))  # at age 5
    assert response.status_code == 200 and "gp_start_year" in response.context["form"].errors
    enrollment_a.refresh_from_db()
    assert enrollment_a.status == "invited" and Participant.objects.get(pk=enrollment_a.participant_id).gp_start_year == 2008


def test_declining_takes_one_click_and_the_link_then_stops(questionnaire, enrollment_a, client):
    open_link(client, enrollment_a)
    response = client.post(reverse("screening-decline"))
    assert response.status_code == 302
    enrollment_a.refresh_from_db()
    assert enrollment_a.status == "withdrawn" and ScreeningResponse.objects.get().declined
    assert client.get(reverse("screening")).status_code == 410  # used
    assert client.post(reverse("screening"), answers()).status_code == 410


def test_not_permitting_contact_withdraws_from_the_study(questionnaire, enrollment_a, client):
    open_link(client, enrollment_a)
    client.post(reverse("screening"), answers(may_contact=None))
    enrollment_a.refresh_from_db()
    assert enrollment_a.status == "withdrawn"


def test_the_screening_page_needs_a_screening_link(questionnaire, enrollment_a, client):
    assert client.get(reverse("screening")).status_code == 403
    open_link(client, enrollment_a, purpose="unsubscribe")
    assert client.get(reverse("screening")).status_code == 403


def test_the_editor_adds_questions_and_rules_and_refuses_bad_ones(study_a, coordinator_a):
    client = client_for(coordinator_a)
    url = reverse("screening-editor", args=[study_a.pk])
    client.post(url, {"question-key": "video", "question-text_nb": "Bruker du video?", "question-text_en": "Video?",
                      "question-kind": "single", "question-options_text": "Ja | Yes\nNei | No",
                      "question-is_required": "on", "question-position": "1"})
    question = study_a.screening_questions.get()
    assert [o["value"] for o in question.options] == ["yes", "no"]
    bad = client.post(url, {"rule-attribute": "age", "rule-operator": "gte", "rule-value": "forty"})
    assert bad.status_code == 200 and "rule" not in [e.action for e in AuditEvent.objects.all()]
    assert not study_a.eligibility_rules.exists()
    client.post(url, {"rule-attribute": "q.video", "rule-operator": "eq", "rule-value": "yes"})
    assert str(study_a.eligibility_rules.get()) == "q.video eq yes"


def test_a_choice_question_needs_two_options(study_a, actor_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        service.question_save(actor=actor_a, study=study_a, key="x", text_nb="X", text_en="X", kind="single",
                              options=service.options_from_lines("Bare én"))
    assert not study_a.screening_questions.exists()


def test_another_studys_editor_answers_404_and_viewers_cannot_change_it(study_a, study_b, coordinator_a, viewer_a):
    assert client_for(coordinator_a).get(reverse("screening-editor", args=[study_b.pk])).status_code == 404
    response = client_for(viewer_a).post(reverse("screening-editor", args=[study_a.pk]),
                                         {"rule-attribute": "age", "rule-operator": "gte", "rule-value": "40"})
    assert response.status_code == 403 and not study_a.eligibility_rules.exists()


@pytest.fixture
def poll(questionnaire):
    import datetime

    from django.utils import timezone

    from recruit.services.availability import poll_create

    start = timezone.now().replace(microsecond=0, second=0, minute=0) + datetime.timedelta(days=10)
    return poll_create(actor=Actor.system(), study=questionnaire, title="Fokusgrupper", times=[
        (start, start + datetime.timedelta(hours=2)), (start + datetime.timedelta(days=1),
                                                      start + datetime.timedelta(days=1, hours=2))])


def test_the_questionnaire_asks_for_the_polls_times_and_stores_them_as_poll_answers(poll, enrollment_a, client):
    from recruit.models import PollAnswer
    from recruit.services.availability import poll_matrix

    first, second = poll.options.all()
    page = open_link(client, enrollment_a).content.decode()
    assert "Når kan du komme?" in page and "Om nødvendig" in page  # bokmål, the participant's language
    assert f'name="t_{first.pk}"' in page and f'name="t_{second.pk}"' in page

    response = client.post(reverse("screening"), answers(**{f"t_{first.pk}": "yes", f"t_{second.pk}": "if_need_be"}))

    assert response.status_code == 302
    stored = {a.option_id: a.answer for a in PollAnswer.objects.filter(enrollment=enrollment_a)}
    assert stored == {first.pk: "yes", second.pk: "if_need_be"}
    row = [mine for enrollment, mine in poll_matrix(poll)["rows"] if enrollment.pk == enrollment_a.pk]
    assert row == [["yes", "if_need_be"]]  # the coordinator's matrix shows them (now eligible, so asked)


def test_a_time_from_a_closed_poll_or_another_study_is_refused_and_nothing_is_stored(poll, enrollment_a, client):
    from recruit.models import PollAnswer

    first = poll.options.first()
    open_link(client, enrollment_a)
    type(poll).objects.filter(pk=poll.pk).update(is_open=False)
    response = client.post(reverse("screening"), answers(**{f"t_{first.pk}": "yes"}))
    # A closed poll's times are no longer asked, so the answer is simply not taken.
    assert response.status_code == 302 and not PollAnswer.objects.exists()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        service._record_availability(Actor.system(), enrollment_a, {first.pk + 1000: "yes"})
    assert refused.value.code == "unknown_time"


def test_the_questionnaire_in_english_shows_the_times_in_english(poll, enrollment_a, client):
    Participant.objects.filter(pk=enrollment_a.participant_id).update(preferred_language="en")
    page = open_link(client, enrollment_a).content.decode()
    assert "When could you come?" in page and "If need be" in page


@pytest.mark.parametrize(("language", "expected"), [("nb", "torsdag 10. desember 2026, 18:00–20:00"),
                                                   ("en", "Thursday 10 December 2026, 18:00–20:00")])
def test_the_polls_times_are_dated_as_the_participants_language_writes_dates(
        language, expected, questionnaire, enrollment_a, client, monkeypatch):
    import datetime
    import zoneinfo

    from django.utils import timezone

    from recruit.services.availability import poll_create

    oslo = zoneinfo.ZoneInfo("Europe/Oslo")
    now = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=oslo)
    monkeypatch.setattr(timezone, "now", lambda: now)
    start = datetime.datetime(2026, 12, 10, 18, 0, tzinfo=oslo)  # a Thursday
    poll_create(actor=Actor.system(), study=questionnaire, title="Fokusgrupper",
                times=[(start, start + datetime.timedelta(hours=2))])
    Participant.objects.filter(pk=enrollment_a.participant_id).update(preferred_language=language)

    page = open_link(client, enrollment_a).content.decode()

    assert expected in page
