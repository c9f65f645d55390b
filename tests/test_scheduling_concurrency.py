"""No session is ever overbooked, with many requests at once (PostgreSQL only).

200 threads wait at a barrier and are released together. PostgreSQL allows 100 connections
in all, so a semaphore lets at most CONNECTIONS of them hold one at a time: the requests
still race for the same rows, with as many in flight as a real server's connection pool.
"""
import os
import random
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q

from recruit.actors import Actor
from recruit.models import Booking, Enrollment, Region, Session
from recruit.regions import load_regions
from tests.conftest import make_study, make_user
from tests.scheduling_helpers import make_bookable, make_session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def regions():
    load_regions(Region)  # a transactional test may start from a flushed database

THREADS = 200
CONNECTIONS = int(os.environ.get("RECRUIT_TEST_CONNECTIONS", "20"))


def run_together(operations):
    """Run the callables in threads released at once; returns their outcomes ("ok", an error code, or the exception)."""
    barrier = threading.Barrier(len(operations), timeout=60)
    slots = threading.BoundedSemaphore(CONNECTIONS)
    outcomes = [None] * len(operations)

    def run(index, operation):
        barrier.wait()
        with slots:
            try:
                operation()
                outcomes[index] = "ok"
            except ValidationError as error:
                outcomes[index] = _code(error)
            except Exception as error:  # anything else is a failure the test reports
                outcomes[index] = error
            finally:
                connection.close()

    threads = [threading.Thread(target=run, args=(i, op)) for i, op in enumerate(operations)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _code(error):
    if hasattr(error, "error_dict"):
        return next(e.code for errors in error.error_dict.values() for e in errors)
    return error.code


def sessions_at_one_time(study, n=10, capacity=6):
    # All at the same time, so a participant may hold at most one of them.
    first = make_session(study, capacity=capacity)
    return [first] + [make_session(study, start=first.starts_at, capacity=capacity) for _ in range(n - 1)]


def assert_counts_match_bookings(sessions):
    rows = Session.objects.filter(pk__in=[s.pk for s in sessions]).annotate(
        held=Count("bookings", filter=Q(bookings__status="booked"))
    )
    for row in rows:
        assert row.booked == row.held, f"session {row.pk}: counter {row.booked}, bookings {row.held}"
        assert row.booked <= row.capacity


def test_200_requests_for_60_seats_book_exactly_60():
    from recruit.services.bookings import booking_create

    owner = make_user("owner")
    study = make_study("RACE", owner=owner)
    sessions = sessions_at_one_time(study)
    enrollments = [make_bookable(study) for _ in range(THREADS)]
    actor = Actor(user=owner)

    def book(i):
        return lambda: booking_create(actor=actor, session=sessions[i % 10], enrollment=enrollments[i])

    outcomes = Counter(run_together([book(i) for i in range(THREADS)]))

    assert outcomes == {"ok": 60, "session_full": 140}
    assert Booking.objects.filter(status="booked").count() == 60
    assert all(s.booked == 6 for s in Session.objects.filter(study=study))
    assert_counts_match_bookings(sessions)
    assert Enrollment.objects.filter(study=study, status="scheduled").count() == 60


def test_200_concurrent_books_and_moves_keep_every_count_equal_to_its_bookings():
    from recruit.services.bookings import booking_create, booking_move

    owner = make_user("owner")
    study = make_study("SHUFFLE", owner=owner)
    sessions = sessions_at_one_time(study)
    enrollments = [make_bookable(study) for _ in range(100)]
    actor = Actor(user=owner)
    for i, enrollment in enumerate(enrollments[:30]):
        booking_create(actor=actor, session=sessions[i % 10], enrollment=enrollment)
    chooser = random.Random(5)

    def book_or_move(enrollment, session):
        def operation():
            current = Booking.objects.filter(enrollment=enrollment, status="booked").select_related("session").first()
            if current is None:
                booking_create(actor=actor, session=session, enrollment=enrollment)
            else:
                booking_move(actor=actor, booking=current, session=session)
        return operation

    # Each participant twice, so the same person is booked and moved by racing requests too.
    operations = [book_or_move(enrollments[i % 100], chooser.choice(sessions)) for i in range(THREADS)]
    outcomes = run_together(operations)

    failures = [o for o in outcomes if not isinstance(o, str)]
    assert failures == []
    assert set(outcomes) <= {"ok", "session_full", "already_booked", "same_session", "participant_overlap"}
    assert_counts_match_bookings(sessions)
    per_participant = Booking.objects.filter(status="booked").values("enrollment").annotate(n=Count("id"))
    assert max(row["n"] for row in per_participant) == 1  # all sessions overlap: one seat each at most
