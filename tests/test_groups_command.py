import pytest
from django.core.management import CommandError, call_command

from recruit.models import Booking, Enrollment
from tests.groups_cast import make_pool, make_session

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO
    out = StringIO()
    call_command("build_groups", *args, "--time-limit", "3", stdout=out)
    return out.getvalue()


def test_it_prints_each_group_with_its_members_and_saves_nothing(study_a):
    first, second = make_session(study_a, title="Evening A"), make_session(study_a, days=8, title="Evening B")
    pool = make_pool(study_a, 6)

    output = run("studya")

    assert "Balance index" in output
    assert f"(#{first.pk}): 3 of 3–5" in output and f"(#{second.pk}): 3 of 3–5" in output
    for enrollment in pool:
        assert f"{enrollment.participant.full_name} (#{enrollment.pk})" in output
    assert Booking.objects.count() == 0


def test_save_books_the_proposal(study_a):
    make_session(study_a)
    make_session(study_a, days=8)
    make_pool(study_a, 6)

    output = run("STUDYA", "--save", "--attributes", "age,gender:2")

    assert "Saved: 6 booked" in output
    assert Booking.objects.filter(status="booked").count() == 6
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"scheduled"}


def test_it_takes_chosen_statuses_and_sessions(study_a):
    chosen = make_session(study_a)
    make_session(study_a, days=8)
    make_pool(study_a, 2, status="eligible")
    make_pool(study_a, 3)

    output = run("STUDYA", "--status", "eligible", "--sessions", str(chosen.pk))

    assert f"(#{chosen.pk}): 2 of 2–5" in output
    assert output.count("\n  ") == 2 + output.count("  ~ ")


def test_an_unknown_study_or_bad_option_fails_with_a_message(study_a):
    with pytest.raises(CommandError, match="No study with the code"):
        run("NOPE")
    make_session(study_a)
    with pytest.raises(CommandError, match="Unknown attribute 'height'"):
        run("STUDYA", "--attributes", "height")
    with pytest.raises(CommandError, match="session ids"):
        run("STUDYA", "--sessions", "x")


def test_impossible_groups_fail_with_the_reasons(study_a):
    make_session(study_a, capacity=2)
    make_pool(study_a, 3)
    with pytest.raises(CommandError, match="No groups meet the rules"):
        run("STUDYA", "--no-waitlist")
    assert Booking.objects.count() == 0


def test_repair_keeps_the_booked_in_place_and_places_a_newcomer(study_a):
    make_session(study_a)
    make_session(study_a, days=8)
    make_pool(study_a, 6)
    run("STUDYA", "--save")
    before = dict(Booking.objects.filter(status="booked").values_list("enrollment_id", "session_id"))
    newcomer = make_pool(study_a, 1)[0]

    output = run("STUDYA", "--repair", "--save")

    assert "Moved from their current session" not in output
    assert "Saved: 1 booked, 0 moved, 0 cancelled, 6 kept." in output
    after = dict(Booking.objects.filter(status="booked").values_list("enrollment_id", "session_id"))
    assert {k: after[k] for k in before} == before and newcomer.pk in after
