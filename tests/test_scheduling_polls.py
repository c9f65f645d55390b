import datetime

import pytest
from django.core import mail
from django.utils import timezone

from recruit.models import Message, PollAnswer, PollOption, Session
from recruit.services.availability import availability_for, poll_answer, poll_create
from recruit.services.links import link_issue
from tests.conftest import api_for, client_for
from tests.scheduling_helpers import make_bookable

pytestmark = pytest.mark.django_db


def times(n=3):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=10)
    return [(start + datetime.timedelta(days=i), start + datetime.timedelta(days=i, hours=2)) for i in range(n)]


@pytest.fixture
def poll(study_a, actor_a):
    return poll_create(actor=actor_a, study=study_a, title="Spring groups", times=times())


def open_poll_page(enrollment, client):
    _link, token = link_issue(enrollment=enrollment, purpose="poll")
    assert client.get(f"/l/{token}/")["Location"] == "/poll/"
    return client


def test_a_participant_answers_and_sees_no_other_name(study_a, actor_a, poll, client):
    other = make_bookable(study_a, given_name="Hidden", family_name="Neighbour")
    first, second, third = poll.options.all()
    poll_answer(actor=actor_a, poll=poll, enrollment=other, answers={first.pk: "yes"})
    me = make_bookable(study_a)
    client = open_poll_page(me, client)

    page = client.get("/poll/").content.decode()
    assert "Spring groups" in page and "Hidden" not in page and "Neighbour" not in page

    client.post("/poll/", {f"option-{first.pk}": "yes", f"option-{second.pk}": "if_need_be",
                           f"option-{third.pk}": "no"})
    mine = dict(PollAnswer.objects.filter(enrollment=me).values_list("option_id", "answer"))
    assert mine == {first.pk: "yes", second.pk: "if_need_be", third.pk: "no"}
    page = client.get("/poll/").content.decode()
    assert "Hidden" not in page and "Neighbour" not in page
    # The participant's link session opens no API door to other people's answers.
    for url in ("/api/v1/polls/", f"/api/v1/polls/{poll.pk}/answers/", "/api/v1/bookings/"):
        response = client.get(url)
        assert response.status_code in (401, 403)
        assert "Neighbour" not in response.content.decode()


def test_the_matrix_shows_answers_non_responders_and_best_times(coordinator_a, study_a, actor_a, poll):
    keen = make_bookable(study_a, given_name="Keen", family_name="Answerer")
    make_bookable(study_a, given_name="Silent", family_name="Sleeper")
    first, second, _third = poll.options.all()
    poll_answer(actor=actor_a, poll=poll, enrollment=keen, answers={first.pk: "no", second.pk: "yes"})

    page = client_for(coordinator_a).get(f"/studies/{study_a.pk}/polls/{poll.pk}/").content.decode()
    answered, waiting = page.split("Not answered yet")
    assert "Keen Answerer" in answered and "Silent Sleeper" in waiting and "Keen Answerer" not in waiting
    best = page.split("Best times")[1].split("</ol>")[0]
    assert timezone.localtime(second.starts_at).strftime("%H:%M") in best and "1 yes" in best


def test_one_click_reminds_only_those_who_have_not_answered(coordinator_a, study_a, actor_a, poll,
                                                              django_capture_on_commit_callbacks):
    keen = make_bookable(study_a)
    silent = make_bookable(study_a)
    poll_answer(actor=actor_a, poll=poll, enrollment=keen, answers={poll.options.first().pk: "yes"})

    with django_capture_on_commit_callbacks(execute=True):
        client_for(coordinator_a).post(f"/studies/{study_a.pk}/polls/{poll.pk}/send/", {"who": "waiting"})

    assert [m.to for m in mail.outbox] == [[silent.participant.email]]
    assert "/l/" in mail.outbox[0].body
    assert "/l/" not in str(Message.objects.get(kind="poll.invitation").payload)


def test_a_chosen_time_becomes_a_session_and_answers_become_availability(coordinator_a, study_a, actor_a, poll):
    yes, maybe, no = make_bookable(study_a), make_bookable(study_a), make_bookable(study_a)
    option = poll.options.first()
    for enrollment, answer in ((yes, "yes"), (maybe, "if_need_be"), (no, "no")):
        poll_answer(actor=actor_a, poll=poll, enrollment=enrollment, answers={option.pk: answer})

    client_for(coordinator_a).post(f"/studies/{study_a.pk}/polls/{poll.pk}/times/{option.pk}/session/",
                                   {"kind": "focus_group", "capacity": "5"})

    session = Session.objects.get(study=study_a)
    assert (session.starts_at, session.capacity) == (option.starts_at, 5)
    assert PollOption.objects.get(pk=option.pk).session == session
    assert availability_for(study_a) == {yes.pk: {session.pk}, maybe.pk: {session.pk}}


def test_polls_of_another_study_answer_404(coordinator_b, study_a, poll):
    assert client_for(coordinator_b).get(f"/studies/{study_a.pk}/polls/{poll.pk}/").status_code == 404
    assert api_for(coordinator_b).get(f"/api/v1/polls/{poll.pk}/").status_code == 404


def test_a_poll_is_created_and_answered_through_the_api(coordinator_a, study_a):
    client = api_for(coordinator_a)
    (start, end), = times(1)
    created = client.post("/api/v1/polls/", {"study": study_a.pk, "title": "API poll",
                                             "options": [{"starts_at": start.isoformat(), "ends_at": end.isoformat()}]},
                          format="json")
    assert created.status_code == 201, created.json()
    option_id = created.json()["options"][0]["id"]
    enrollment = make_bookable(study_a)
    answered = client.post(f"/api/v1/polls/{created.json()['id']}/answers/",
                           {"enrollment": enrollment.pk, "answers": {str(option_id): "yes"}}, format="json")
    assert answered.status_code == 200
    assert answered.json() == [{"option": option_id, "enrollment": enrollment.pk, "answer": "yes",
                                "answered_at": answered.json()[0]["answered_at"]}]
