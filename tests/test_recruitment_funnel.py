"""The recruitment funnel: counts and conversion per stage, per campaign and per week, on the study page."""
import pytest
from django.urls import reverse

from recruit import funnel
from recruit.actors import Actor
from recruit.funnel_selectors import study_funnel
from recruit.services.enrollments import enrollment_transition
from tests.consent_support import consent_given
from tests.conftest import client_for, make_participant

pytestmark = pytest.mark.django_db


def move(enrollment, *statuses):
    for status in statuses:
        if status == "consented":
            consent_given(enrollment)  # consented only through a signature
        enrollment_transition(actor=Actor.system(), enrollment=enrollment, to_status=status)


def enrol(study):
    return make_participant(study).enrollments.get()


def test_each_stage_counts_everyone_who_reached_it_even_after_leaving(study_a):
    move(enrol(study_a), "responded", "eligible", "consented")
    move(enrol(study_a), "responded", "ineligible")
    move(enrol(study_a), "responded", "eligible", "withdrawn")  # withdrawn, but had been eligible
    enrol(study_a)
    rows = study_funnel(study_a)["overall"]
    assert [(r.stage, r.count) for r in rows] == [
        ("invited", 4), ("responded", 3), ("eligible", 2), ("consented", 1), ("scheduled", 0), ("attended", 0)
    ]
    assert (rows[1].from_previous, rows[2].from_previous, rows[2].from_first) == (75.0, 66.7, 50.0)


def test_the_funnel_is_counted_in_a_fixed_number_of_queries(study_a, django_assert_num_queries):
    for _ in range(5):
        move(enrol(study_a), "responded")
    # 1: each enrollment's furthest stage and campaign; 2: stages reached per week.
    with django_assert_num_queries(2):
        study_funnel(study_a)


def test_the_weekly_chart_counts_this_weeks_moves(study_a):
    move(enrol(study_a), "responded")
    weeks = study_funnel(study_a)["weeks"]
    this_week = weeks["table"][-1][1]
    assert this_week[:2] == [0, 1]  # the enrollment was made without a history row; it responded this week


def test_the_study_page_shows_the_funnel_chart(study_a, coordinator_a):
    move(enrol(study_a), "responded")
    page = client_for(coordinator_a).get(reverse("study-detail", args=[study_a.pk])).content.decode()
    assert 'class="funnel-chart"' in page and "<polyline" in page and "style=" not in page


def test_conversion_is_empty_where_the_stage_before_is_empty():
    rows = funnel.funnel_rows([("a", "A"), ("b", "B")], [0, 0])
    assert rows[1].from_previous is None and rows[1].from_first is None
    assert funnel.reached_counts([2, 0, -1], 3) == [2, 1, 1]
