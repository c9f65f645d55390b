import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recruit.models import Enrollment, Participant, Study, StatusChange

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_password_once(capsys):
    call_command("seed_demo", "--participants", "60", "--seed", "3")
    first = capsys.readouterr().out
    counts = (Participant.objects.count(), Study.objects.count(), Enrollment.objects.count())
    call_command("seed_demo", "--participants", "60", "--seed", "3")
    second = capsys.readouterr().out
    assert counts == (60, 2, Enrollment.objects.count()) == (Participant.objects.count(), Study.objects.count(),
                                                             Enrollment.objects.count())
    assert "with the password" in first and "with the password" not in second


def test_seed_demo_is_deterministic_for_a_seed():
    from recruit.demo import generate_people

    call_command("seed_demo", "--participants", "60", "--seed", "5")
    first = [(p["email"], p["birth_year"], p["county"].code) for p in generate_people(60, 5)]
    again = [(p["email"], p["birth_year"], p["county"].code) for p in generate_people(60, 5)]
    other = [(p["email"], p["birth_year"], p["county"].code) for p in generate_people(60, 6)]
    assert first == again != other


def test_demo_people_are_plausible_gps():
    from datetime import date

    call_command("seed_demo", "--participants", "300", "--seed", "1")
    this_year = date.today().year
    people = list(Participant.objects.all())
    assert all(28 <= this_year - p.birth_year <= 70 for p in people)
    assert all(p.gp_start_year - p.birth_year >= 27 for p in people)
    women = sum(p.gender == "female" for p in people) / len(people)
    assert 0.35 < women < 0.55
    assert {p.practice_setting for p in people} == {"urban", "semi_urban", "rural"}
    assert len({p.county_id for p in people}) >= 10


def test_demo_studies_match_our_users_work():
    call_command("seed_demo", "--participants", "60", "--seed", "1")
    gpqi, cmoab = Study.objects.get(code="GPQI"), Study.objects.get(code="CMOAB")
    assert gpqi.enrollments.filter(status="consented").count() == 21  # five focus groups of 4–5
    assert cmoab.enrollments.count() == 12
    assert set(cmoab.enrollments.values_list("participant__role", flat=True)) == {"chief_medical_officer"}
    # Every demo status was reached through the pipeline, with its history.
    assert StatusChange.objects.filter(enrollment__study=gpqi, to_status="consented").count() == 21


def test_seed_demo_refuses_too_few_participants():
    with pytest.raises(CommandError, match="at least 50"):
        call_command("seed_demo", "--participants", "10")
    assert Participant.objects.count() == 0
