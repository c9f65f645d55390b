"""Benchmark: Table 1 in every format and the streamed pseudonymised CSV, 100,000 participants.

    python bench/export.py [--participants 100000]

Uses its own database: a fresh SQLite file under var/bench/ unless DATABASE_URL is set
(e.g. DATABASE_URL=postgres://root@127.0.0.1:5432/recruit_export_bench, which it empties).
Every participant is enrolled in one study. The measurements run in a fresh process, so its
peak resident memory (getrusage) belongs to the export alone, not to building the data.
Targets (issue 7): Table 1 under 3 s; the CSV under 10 s with peak memory under 250 MB.
"""
import argparse
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from freshdb import fresh_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruit.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'export.sqlite3'}")


def build(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from recruit.models import Enrollment, Membership, Participant, Region, Study

    fresh_database()
    rng = random.Random(7)
    regions = list(Region.objects.all())
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    study = Study.objects.create(code="BENCH", title="Benchmark", status="recruiting")
    Membership.objects.create(study=study, user=user, role="owner")
    statuses = [s for s in Enrollment.Status.values]
    batch = []
    for i in range(n):
        birth = rng.randint(1956, 1998)
        batch.append(Participant(
            given_name=f"Given{i}", family_name=f"Family{i}", email=f"p{i}@example.org",
            birth_year=birth, gp_start_year=rng.choice([None, rng.randint(birth + 27, 2026)]),
            gender=rng.choice(["female", "male", "female", "male", "other"]),
            role=rng.choice(["gp"] * 9 + ["chief_medical_officer"]), county=rng.choice(regions),
            practice_setting=rng.choice(["urban", "semi_urban", "rural"]), is_specialist=rng.random() < 0.6,
            hpr_number=str(1000000 + i), source_study=study,
        ))
        if len(batch) == 5000:
            Participant.objects.bulk_create(batch)
            batch = []
    Participant.objects.bulk_create(batch)
    ids = Participant.objects.values_list("pk", flat=True).iterator(chunk_size=5000)
    batch = []
    for pk in ids:
        batch.append(Enrollment(study=study, participant_id=pk, status=rng.choice(statuses)))
        if len(batch) == 5000:
            Enrollment.objects.bulk_create(batch)
            batch = []
    Enrollment.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure() -> None:
    from django.contrib.auth import get_user_model

    from recruit.actors import Actor
    from recruit.models import Study
    from recruit.services.pseudonyms import pseudonymised_csv, pseudonymised_plan
    from recruit.services.table1 import table1_export, table1_options

    actor = Actor(user=get_user_model().objects.get(username="bench"), ip="127.0.0.1")
    study = Study.objects.get(code="BENCH")
    options = table1_options(group_by="status")
    total = 0.0
    cpu_total = 0.0
    # Wall time, and the process's CPU time: on a shared machine the difference is waiting for a core.
    print(f"(load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for fmt in ("csv", "xlsx", "md", "tex", "pdf"):
        started, cpu = time.perf_counter(), time.process_time()
        content, _, _ = table1_export(actor=actor, study=study, options=options, fmt=fmt)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        total += elapsed
        cpu_total += cpu
        print(f"table 1 {fmt:<4} {elapsed:6.2f} s wall, {cpu:5.2f} s CPU  {len(content):>8} bytes")
    print(f"table 1 all five formats {total:6.2f} s wall, {cpu_total:5.2f} s CPU")

    # tracemalloc slows Python down, so only the second run traces allocations.
    for run, trace in (("first run, assigns the codes", False), ("second run, codes exist, traced", True)):
        if trace:
            tracemalloc.start()
        started, cpu = time.perf_counter(), time.process_time()
        plan = pseudonymised_plan(actor=actor, study=study)
        planned = time.perf_counter() - started
        rows = size = 0
        for piece in pseudonymised_csv(actor=actor, plan=plan):
            rows += piece.count("\n")
            size += len(piece.encode())
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        python_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
        print(
            f"pseudonymised csv, {run}: {elapsed:6.2f} s wall, {cpu:5.2f} s CPU (plan {planned:.2f} s), {rows - 1} rows, "
            f"{size / 1e6:.1f} MB, achieved k {plan.solution.achieved_k}, suppressed {plan.solution.suppressed}"
            + (f", Python peak {python_peak / 1e6:.0f} MB" if trace else "")
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak resident memory of the measuring process: {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    if args.measure:
        measure()
        return
    started = time.perf_counter()
    build(args.participants)
    print(f"{connection.vendor}: {args.participants} participants enrolled in one study, built in "
          f"{time.perf_counter() - started:.0f} s")
    connection.close()
    subprocess.run([sys.executable, __file__, "--measure"], check=True)


if __name__ == "__main__":
    main()
