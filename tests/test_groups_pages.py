import pytest

from recruit.models import Booking
from tests.conftest import client_for
from tests.groups_cast import make_pool, make_session

pytestmark = pytest.mark.django_db


def page(study):
    return f"/studies/{study.pk}/groups/"


def form_data(sessions, **extra):
    data = {"statuses": ["consented", "scheduled"], "sessions": [s.pk for s in sessions], "seed": 0,
            "time_limit": 3, "separate_colleagues": "on", "allow_unassigned": "on",
            "weight_age": 1, "weight_gender": 1, "weight_practice_setting": 1}
    data.update(extra)
    return data


def test_the_study_has_a_build_groups_tab(study_a, coordinator_a):
    response = client_for(coordinator_a).get(f"/studies/{study_a.pk}/")
    assert page(study_a).encode() in response.content


def test_the_page_offers_statuses_sessions_and_weights(study_a, coordinator_a):
    session = make_session(study_a, title="Tuesday group")
    response = client_for(coordinator_a).get(page(study_a))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tuesday group" in text and 'name="weight_experience"' in text and 'value="consented"' in text
    assert f'value="{session.pk}"' in text


def test_building_shows_one_column_per_group_with_bars_and_the_index(study_a, coordinator_a):
    sessions = [make_session(study_a, title="Group one"), make_session(study_a, days=8, title="Group two")]
    pool = make_pool(study_a, 6)

    response = client_for(coordinator_a).post(page(study_a), form_data(sessions, action="build"))

    text = response.content.decode()
    assert text.count('class="card group-column') == 2
    assert "Balance index" in text and 'id="groups-index"' in text
    assert text.count("<svg") == 2 * 3  # one bar per attribute per group
    for enrollment in pool:
        assert f'name="assign-{enrollment.pk}"' in text
    assert "style=" not in text  # the CSP forbids inline styles
    assert Booking.objects.count() == 0


def test_the_live_check_reports_a_broken_rule(study_a, coordinator_a):
    first = make_session(study_a, capacity=2)
    second = make_session(study_a, days=8)
    pool = make_pool(study_a, 3)
    data = form_data([first, second], **{f"assign-{e.pk}": first.pk for e in pool})

    response = client_for(coordinator_a).post(page(study_a) + "evaluate/", data)

    assert response.status_code == 200
    body = response.json()
    assert any("above its maximum of 2" in v for v in body["violations"])
    assert "Rules broken" in body["html"]


def test_accept_books_the_groups_as_shown(study_a, coordinator_a):
    first, second = make_session(study_a), make_session(study_a, days=8)
    pool = make_pool(study_a, 4)
    chosen = {pool[0]: first, pool[1]: first, pool[2]: second, pool[3]: second}
    data = form_data([first, second], action="accept", **{f"assign-{e.pk}": s.pk for e, s in chosen.items()})

    response = client_for(coordinator_a).post(page(study_a), data, follow=True)

    assert "Groups saved: 4 booked" in response.content.decode()
    for enrollment, session in chosen.items():
        assert Booking.objects.get(enrollment=enrollment, status="booked").session == session


def test_an_impossible_request_shows_the_reasons(study_a, coordinator_a):
    session = make_session(study_a, capacity=2)
    make_pool(study_a, 3)
    data = form_data([session], action="build")
    data.pop("allow_unassigned")

    response = client_for(coordinator_a).post(page(study_a), data)

    assert "No groups meet the rules" in response.content.decode()


def test_a_viewer_sees_no_accept_button_and_cannot_accept(study_a, viewer_a):
    session = make_session(study_a)
    pool = make_pool(study_a, 2)
    client = client_for(viewer_a)
    shown = client.post(page(study_a), form_data([session], action="build")).content.decode()
    assert 'value="accept"' not in shown

    response = client.post(page(study_a), form_data([session], action="accept",
                                                    **{f"assign-{e.pk}": session.pk for e in pool}))
    assert response.status_code == 403
    assert Booking.objects.count() == 0


def test_another_studys_page_is_404(study_a, coordinator_b):
    make_session(study_a)
    client = client_for(coordinator_b)
    assert client.get(page(study_a)).status_code == 404
    assert client.post(page(study_a) + "evaluate/", {}).status_code == 404


def test_the_largest_differences_are_explained_in_the_readers_language(study_a, coordinator_a):
    sessions = [make_session(study_a, title="Group one"), make_session(study_a, days=8, title="Group two")]
    make_pool(study_a, 7)
    client = client_for(coordinator_a)
    client.post("/i18n/setlang/", {"language": "nb", "next": "/"})

    text = client.post(page(study_a), form_data(sessions, action="build")).content.decode()

    lists = [part.split("</ul>")[0] for part in text.split('<ul class="deviations">')[1:]]
    assert lists, "no group explained its differences"
    explained = " ".join(lists)
    # Attributes by their labels, words in bokmål: never the engine's names ("practice_setting") or English.
    assert "forventet" in explained or "spredning" in explained or "snitt" in explained
    for english in ("expected", "spread", "pool", " of ", "practice_setting", "gender", "age:"):
        assert english not in explained, english
