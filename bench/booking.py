"""Benchmark: booking through the real HTTP stack under concurrency (PostgreSQL).

    DATABASE_URL=postgres://root@127.0.0.1:5432/recruit_bench_booking python bench/booking.py \
        [--requests 2000] [--clients 50] [--sessions 100] [--capacity 15] [--workers 4]

Empties the database in DATABASE_URL, builds one study with sessions and 2,000 consented
enrollments, starts gunicorn on 127.0.0.1, and sends one POST /api/v1/bookings/ per
enrollment from a pool of client threads (each with its own keep-alive connection) into
sessions picked at random, so sessions fill up and later requests are refused as full.
Prints throughput, median and 95th-percentile latency, outcomes, and overbooked seats
(seats beyond capacity, and sessions whose counter differs from their bookings): both must be 0.
Target: p95 under 150 ms and no errors other than "full".
"""
import argparse
import datetime
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from freshdb import fresh_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruit.settings")
os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/recruit_bench_booking")
FULL = "This session is full."


def build(args) -> tuple[str, list[int], list[int]]:
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from recruit.models import Enrollment, Membership, Participant, Region, Session, Study

    if connection.vendor != "postgresql":
        sys.exit("bench/booking.py needs PostgreSQL: set DATABASE_URL=postgres://USER@127.0.0.1:5432/NAME")
    fresh_database()
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    token = Token.objects.create(user=user).key
    study = Study.objects.create(code="BENCH", title="Booking benchmark", status="recruiting")
    Membership.objects.create(study=study, user=user, role="owner")
    county = Region.objects.get(country="NO", code="46")
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=2)
    # One session a day apart, so no booking overlaps another: refusals are for full sessions only.
    sessions = Session.objects.bulk_create([
        Session(study=study, kind="focus_group", starts_at=start + datetime.timedelta(days=i),
                ends_at=start + datetime.timedelta(days=i, hours=2), capacity=args.capacity)
        for i in range(args.sessions)
    ])
    people = Participant.objects.bulk_create([
        Participant(given_name=f"Given{i}", family_name=f"Family{i}", email=f"p{i}@example.org", birth_year=1975,
                    gender="female", gp_start_year=2005, role="gp", county=county, practice_setting="urban",
                    source_study=study)
        for i in range(args.requests)
    ], batch_size=1000)
    enrollments = Enrollment.objects.bulk_create(
        [Enrollment(study=study, participant=p, status="consented") for p in people], batch_size=1000)
    give_consent(study, enrollments)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    return token, [s.pk for s in sessions], [e.pk for e in enrollments]


def give_consent(study, enrollments) -> None:
    """A published consent text and a valid signature of it for every enrollment (sessions require one)."""
    from django.utils import timezone

    from recruit.actors import Actor
    from recruit.models import SignatureRecord
    from recruit.models.consent import SECTION_FIELDS
    from recruit.services.consent import (
        consent_document_create, consent_version_publish, consent_version_update,
    )

    actor = Actor.system("bench")
    version = consent_document_create(actor=actor, study=study, language="nb").versions.get()
    text = {name: f"Tekst om {name}." for name in SECTION_FIELDS}
    text["end_date"] = timezone.localdate() + datetime.timedelta(days=700)
    version = consent_version_update(
        actor=actor, version=version, statements=[{"text": "Jeg samtykker.", "required": True}], **text)
    version = consent_version_publish(actor=actor, version=version)
    answers = [{"position": s.position, "text": s.text, "required": s.required, "answer": True}
               for s in version.statements.all()]
    SignatureRecord.objects.bulk_create([
        SignatureRecord(enrollment=e, version=version, text_hash=version.text_hash, typed_name="bench",
                        answers=answers, meaning="bench", signed_at=timezone.now())
        for e in enrollments
    ], batch_size=1000)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_ENV": "development", "DEBUG": "0", "CONN_MAX_AGE": "60",
           "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "ERROR"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "recruit.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--worker-class", "gthread", "--log-level", "warning", "--backlog", "256"],
        cwd=ROOT, env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def run(args, port, token, sessions, enrollments):
    rng = random.Random(11)
    jobs = [(enrollment, rng.choice(sessions)) for enrollment in enrollments]
    local = threading.local()
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def connection():
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        return local.conn

    def book(job):
        enrollment, session = job
        body = json.dumps({"session": session, "enrollment": enrollment})
        began = time.perf_counter()
        try:
            conn = connection()
            conn.request("POST", "/api/v1/bookings/", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            local.conn = None
            return time.perf_counter() - began, f"connection error {type(error).__name__}"
        elapsed = time.perf_counter() - began
        if response.status == 201:
            return elapsed, "booked"
        if response.status == 400 and json.loads(payload).get("session") == [FULL]:
            return elapsed, "full"
        return elapsed, f"HTTP {response.status} {payload[:120]!r}"

    def warm(_):
        conn = connection()
        conn.request("GET", "/api/v1/sessions/?page_size=1", headers=headers)
        conn.getresponse().read()

    # Warm the workers (imports, database connections) with reads that change nothing.
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(warm, range(args.clients * 2)))
    began = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        results = list(pool.map(book, jobs))
    wall = time.perf_counter() - began
    return results, wall


def report(args, results, wall, sessions):
    from django.db import connection
    from django.db.models import Count, F, Q

    from recruit.models import Session

    latencies = sorted(r[0] * 1000 for r in results)
    outcomes = {}
    for _, outcome in results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    rows = Session.objects.filter(pk__in=sessions).annotate(held=Count("bookings", filter=Q(bookings__status="booked")))
    overbooked = sum(max(row.held - row.capacity, 0) + max(row.booked - row.capacity, 0) for row in rows)
    mismatched = sum(row.booked != row.held for row in rows)
    seats = sum(row.capacity for row in rows)
    full_sessions = Session.objects.filter(pk__in=sessions, booked=F("capacity")).count()
    others = {k: v for k, v in outcomes.items() if k not in ("booked", "full")}
    print(f"database: PostgreSQL {connection.pg_version // 10000}; gunicorn {args.workers} workers x "
          f"{args.threads} threads; {os.cpu_count()} CPUs")
    print(f"requests: {len(results)} from {args.clients} concurrent clients into {len(sessions)} sessions "
          f"({seats} seats)")
    print(f"throughput: {len(results) / wall:.0f} requests/s ({wall:.1f} s)")
    print(f"latency: median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms")
    print(f"outcomes: booked {outcomes.get('booked', 0)}, full {outcomes.get('full', 0)}, "
          f"other errors {sum(others.values())}{' ' + repr(others) if others else ''}")
    print(f"sessions filled: {full_sessions} of {len(sessions)}")
    print(f"overbooked seats: {overbooked}; sessions whose counter differs from their bookings: {mismatched}")
    print(f"target p95 < 150 ms: {'met' if p95 < 150 else 'NOT met'}")
    return 0 if overbooked == 0 and mismatched == 0 and not others else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--capacity", type=int, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    import django

    django.setup()
    token, sessions, enrollments = build(args)
    port = free_port()
    server = start_server(port, args.workers, args.threads)
    try:
        results, wall = run(args, port, token, sessions, enrollments)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    sys.exit(report(args, results, wall, sessions))


if __name__ == "__main__":
    main()
