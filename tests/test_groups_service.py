import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from recruit.actors import Actor
from recruit.models import AuditEvent, Booking, Enrollment
from recruit.services.bookings import booking_cancel
from recruit.services.grouping import (
    GroupingInfeasible, GroupingOptions, grouping_accept, grouping_evaluate, grouping_propose, grouping_repair,
    normalised_practice,
)
from tests.conftest import make_participant
from tests.groups_cast import make_pool, make_session

pytestmark = pytest.mark.django_db
FAST = {"time_limit": 3.0}


def test_it_proposes_groups_that_fill_the_sessions_and_saves_nothing(study_a, actor_a):
    sessions = [make_session(study_a, days=7), make_session(study_a, days=8)]
    pool = make_pool(study_a, 10)

    proposal = grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(**FAST))

    assert [g.session for g in proposal.groups] == sessions
    assert sorted(len(g.members) for g in proposal.groups) == [5, 5]
    assert {e.pk for g in proposal.groups for e in g.members} == {e.pk for e in pool}
    assert proposal.unplaced == [] and proposal.violations == []
    assert 0 <= proposal.index < 1
    assert set(proposal.groups[0].report.categorical) == {"gender", "county", "practice_setting"}
    assert Booking.objects.count() == 0
    assert AuditEvent.objects.filter(action="groups.propose", study=study_a).exists()


def test_it_builds_the_pool_from_the_chosen_statuses_only(study_a, actor_a):
    make_session(study_a)
    consented = make_pool(study_a, 3)
    make_pool(study_a, 2, status="eligible")

    proposal = grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(statuses=("consented",), **FAST))

    assert {e.pk for e in proposal.pool} == {e.pk for e in consented}


def test_colleagues_from_one_practice_land_in_different_groups(study_a, actor_a):
    for day in range(3):
        make_session(study_a, days=7 + day, capacity=4)
    pool = make_pool(study_a, 9)
    names = ["Bryn legesenter", "bryn  Legesenter.", "BRYN LEGESENTER"]
    for enrollment, name in zip(pool, names):
        enrollment.participant.practice_name = name
        enrollment.participant.save()

    proposal = grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(**FAST))

    colleagues = {pool[0].pk, pool[1].pk, pool[2].pk}
    for group in proposal.groups:
        assert len(colleagues & {e.pk for e in group.members}) == 1


def test_normalised_practice_ignores_case_spacing_and_punctuation():
    assert normalised_practice(" Bryn  Legesenter. ") == normalised_practice("bryn legesenter")
    assert normalised_practice("   ") is None


def test_pinned_participants_stay_where_pinned(study_a, actor_a):
    first, second = make_session(study_a, days=7), make_session(study_a, days=8)
    pool = make_pool(study_a, 6)
    pins = {pool[0].pk: second.pk, pool[1].pk: second.pk, pool[2].pk: first.pk}

    proposal = grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(pinned=pins, **FAST))

    for enrollment_id, session_id in pins.items():
        assert proposal.assignment[enrollment_id] == session_id


def test_it_leaves_people_out_with_a_reason_when_seats_are_too_few(study_a, actor_a):
    make_session(study_a, capacity=4)
    make_session(study_a, days=8, capacity=4)
    make_pool(study_a, 10)

    proposal = grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(**FAST))

    assert len(proposal.unplaced) == 2
    assert all("8 seats for 10 participants" in " ".join(u.reasons) for u in proposal.unplaced)


def test_an_impossible_request_says_why_and_names_the_people(study_a, actor_a):
    first = make_session(study_a)
    make_session(study_a, days=8)
    pool = make_pool(study_a, 4)
    for enrollment in pool[:2]:
        enrollment.participant.practice_name = "Sentrum legekontor"
        enrollment.participant.save()
    pins = {pool[0].pk: first.pk, pool[1].pk: first.pk}

    with pytest.raises(GroupingInfeasible) as caught:
        grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(pinned=pins, **FAST))

    message, people = caught.value.reasons[0]
    assert pool[0].participant.full_name in message
    assert {e.pk for e in people} >= {pool[0].pk, pool[1].pk}


def test_bad_options_are_refused_per_field(study_a, actor_a, study_b):
    other = make_session(study_b)
    make_session(study_a)
    make_pool(study_a, 2)

    with pytest.raises(ValidationError) as caught:
        grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(
            statuses=("invited",), attributes={"shoe_size": 1.0}, **FAST))
    assert set(caught.value.message_dict) == {"statuses", "attributes"}

    with pytest.raises(ValidationError) as caught:
        grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(session_ids=(other.pk,), **FAST))
    assert "sessions" in caught.value.message_dict


def test_a_study_without_upcoming_sessions_is_told_to_add_them(study_a, actor_a):
    make_pool(study_a, 2)
    with pytest.raises(ValidationError) as caught:
        grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(**FAST))
    assert caught.value.error_dict["sessions"][0].code == "no_sessions"


def test_accepting_books_everyone_and_schedules_them(study_a, actor_a):
    sessions = [make_session(study_a, days=7), make_session(study_a, days=8)]
    make_pool(study_a, 9)
    options = GroupingOptions(**FAST)
    proposal = grouping_propose(actor=actor_a, study=study_a, options=options)

    result = grouping_accept(actor=actor_a, study=study_a, options=options, assignment=proposal.assignment)

    assert result.booked == 9
    for group in proposal.groups:
        booked = set(Booking.objects.filter(session=group.session, status="booked").values_list("enrollment", flat=True))
        assert booked == {e.pk for e in group.members}
        group.session.refresh_from_db()
        assert group.session.booked == len(group.members)
    assert set(Enrollment.objects.filter(study=study_a).values_list("status", flat=True)) == {"scheduled"}
    assert sum(s.capacity for s in sessions) == 10


def test_accepting_an_assignment_that_breaks_a_rule_writes_nothing(study_a, actor_a):
    first, second = make_session(study_a, capacity=5), make_session(study_a, days=8, capacity=5)
    pool = make_pool(study_a, 6)
    options = GroupingOptions(**FAST)

    with pytest.raises(ValidationError) as caught:
        grouping_accept(actor=actor_a, study=study_a, options=options, assignment={e.pk: first.pk for e in pool})

    assert "above its maximum" in " ".join(caught.value.messages)
    assert Booking.objects.count() == 0
    assert set(Enrollment.objects.filter(study=study_a).values_list("status", flat=True)) == {"consented"}


def test_a_hand_swap_between_two_full_sessions_is_saved(study_a, actor_a):
    first, second = make_session(study_a, capacity=3), make_session(study_a, days=8, capacity=3)
    make_pool(study_a, 6)
    options = GroupingOptions(**FAST)
    proposal = grouping_propose(actor=actor_a, study=study_a, options=options)
    grouping_accept(actor=actor_a, study=study_a, options=options, assignment=proposal.assignment)
    a, b = proposal.groups[0].members[0], proposal.groups[1].members[0]
    swapped = {**proposal.assignment, a.pk: proposal.groups[1].session.pk, b.pk: proposal.groups[0].session.pk}

    result = grouping_accept(actor=actor_a, study=study_a, options=options, assignment=swapped)

    assert result.moved == 2 and result.kept == 4
    assert Booking.objects.get(enrollment=a, status="booked").session == proposal.groups[1].session
    assert Booking.objects.get(enrollment=b, status="booked").session == proposal.groups[0].session


def test_evaluate_reports_colleagues_put_together_by_hand(study_a, actor_a):
    first, second = make_session(study_a), make_session(study_a, days=8)
    pool = make_pool(study_a, 4)
    for enrollment in pool[:2]:
        enrollment.participant.practice_name = "Fjell legesenter"
        enrollment.participant.save()
    assignment = {pool[0].pk: first.pk, pool[1].pk: first.pk, pool[2].pk: second.pk, pool[3].pk: second.pk}

    proposal = grouping_evaluate(actor=actor_a, study=study_a, options=GroupingOptions(**FAST), assignment=assignment)

    assert any("must be kept apart" in v for v in proposal.violations)
    assert proposal.assignment == assignment


def test_repair_after_a_dropout_keeps_the_others_in_place(study_a, actor_a):
    make_session(study_a, capacity=5)
    make_session(study_a, days=8, capacity=5)
    pool = make_pool(study_a, 8)
    options = GroupingOptions(min_size=3, **FAST)
    first = grouping_propose(actor=actor_a, study=study_a, options=options)
    grouping_accept(actor=actor_a, study=study_a, options=options, assignment=first.assignment)
    dropout = pool[0]
    booking_cancel(actor=actor_a, booking=Booking.objects.get(enrollment=dropout, status="booked"))
    Enrollment.objects.filter(pk=dropout.pk).update(status="withdrawn")
    newcomer = make_pool(study_a, 1)[0]

    repaired = grouping_repair(actor=actor_a, study=study_a, options=options)

    assert repaired.moved == []
    stayed = {e: s for e, s in first.assignment.items() if e != dropout.pk}
    assert all(repaired.assignment[e] == s for e, s in stayed.items())
    assert repaired.assignment[newcomer.pk] is not None
    result = grouping_accept(actor=actor_a, study=study_a, options=options, assignment=repaired.assignment)
    assert (result.booked, result.moved, result.kept) == (1, 0, 7)


def test_a_viewer_may_look_but_not_save(study_a, viewer_a):
    make_session(study_a)
    make_pool(study_a, 3)
    viewer = Actor(user=viewer_a)
    options = GroupingOptions(**FAST)
    proposal = grouping_propose(actor=viewer, study=study_a, options=options)

    with pytest.raises(PermissionDenied):
        grouping_accept(actor=viewer, study=study_a, options=options, assignment=proposal.assignment)
    assert Booking.objects.count() == 0


def test_someone_outside_the_study_may_not_even_look(study_a, coordinator_b):
    make_session(study_a)
    make_pool(study_a, 3)
    with pytest.raises(PermissionDenied):
        grouping_propose(actor=Actor(user=coordinator_b), study=study_a, options=GroupingOptions(**FAST))


def test_seats_held_by_people_outside_the_pool_are_not_offered(study_a, actor_a):
    session = make_session(study_a, capacity=4)
    outsider = make_participant(study_a, enroll=False)
    enrollment = Enrollment.objects.create(study=study_a, participant=outsider, status="attended")
    Booking.objects.create(session=session, enrollment=enrollment, status="booked")
    session.booked = 1
    session.save()
    make_pool(study_a, 4)

    proposal = grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(**FAST))

    assert proposal.groups[0].max_size == 3
    assert len(proposal.unplaced) == 1


def test_people_booked_into_a_session_not_chosen_are_left_out_of_the_pool(study_a, actor_a):
    chosen, other = make_session(study_a), make_session(study_a, days=8)
    pool = make_pool(study_a, 4)
    Booking.objects.create(session=other, enrollment=pool[0], status="booked")

    proposal = grouping_propose(actor=actor_a, study=study_a,
                                options=GroupingOptions(session_ids=(chosen.pk,), **FAST))

    assert pool[0] not in proposal.pool and proposal.elsewhere == [pool[0]]
    assert len(proposal.groups[0].members) == 3


def test_poll_answers_decide_who_can_join_a_polled_session(study_a, actor_a, monkeypatch):
    tuesday, wednesday = make_session(study_a, capacity=4), make_session(study_a, days=8, capacity=4)
    pool = make_pool(study_a, 6)
    # pool[0..2] can come only on Tuesday, pool[3] only on Wednesday; pool[4], pool[5] never answered (any time).
    answers = {**{e.pk: {tuesday.pk} for e in pool[:3]}, pool[3].pk: {wednesday.pk}}
    monkeypatch.setattr("recruit.services.grouping._availability", lambda study, pool, sessions: answers)

    proposal = grouping_propose(actor=actor_a, study=study_a, options=GroupingOptions(**FAST))

    assert {pool[0].pk, pool[1].pk, pool[2].pk} <= {e.pk for e in proposal.groups[0].members}
    assert pool[3].pk in {e.pk for e in proposal.groups[1].members}


def test_too_few_seats_at_the_only_time_people_can_come_is_explained(study_a, actor_a, monkeypatch):
    tuesday = make_session(study_a, capacity=3, title="Tuesday")
    wednesday = make_session(study_a, days=8, capacity=3)
    pool = make_pool(study_a, 6)
    answers = {**{e.pk: {tuesday.pk} for e in pool[:4]}, **{e.pk: {tuesday.pk, wednesday.pk} for e in pool[4:]}}
    monkeypatch.setattr("recruit.services.grouping._availability", lambda study, pool, sessions: answers)

    with pytest.raises(GroupingInfeasible) as caught:
        grouping_propose(actor=actor_a, study=study_a,
                         options=GroupingOptions(allow_unassigned=False, min_size=0, **FAST))

    message, people = caught.value.reasons[0]
    assert "Tuesday" in message and {e.pk for e in people} == {e.pk for e in pool[:4]}
