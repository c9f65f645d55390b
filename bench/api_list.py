"""Benchmark: the participant list endpoint with 100,000 participants.

    python bench/api_list.py [--participants 100000] [--requests 200]

Uses its own database: a fresh SQLite file under var/bench/ unless DATABASE_URL is set
(e.g. DATABASE_URL=postgres://root@127.0.0.1:5432/recruit_bench, which it then empties).
Prints median and 95th-percentile latency through Django's test client, SQL queries per
request for two page sizes, and the plan of the page query (which indexes it uses).
"""
import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

from freshdb import fresh_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruit.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'api_list.sqlite3'}")


def build(n: int) -> None:
    import django
    from django.contrib.auth import get_user_model
    from django.db import connection

    from recruit.models import Enrollment, Membership, Participant, Region, Study

    fresh_database()
    rng = random.Random(7)
    regions = list(Region.objects.all())
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    study = Study.objects.create(code="BENCH", title="Benchmark", status="recruiting")
    other = Study.objects.create(code="OTHER", title="Someone else's", status="recruiting")
    Membership.objects.create(study=study, user=user, role="owner")
    statuses = [s for s in Enrollment.Status.values]
    batch = []
    for i in range(n):
        birth = rng.randint(1956, 1998)
        batch.append(Participant(
            given_name=f"Given{i}", family_name=f"Family{rng.randint(0, 20000):05d}", email=f"p{i}@example.org",
            birth_year=birth, gp_start_year=rng.randint(birth + 27, 2026), gender=rng.choice(["female", "male"]),
            role="gp", county=rng.choice(regions), practice_setting=rng.choice(["urban", "semi_urban", "rural"]),
            practice_name=f"Practice {i // 4}", source_study=study if i % 10 else other,
        ))
    Participant.objects.bulk_create(batch, batch_size=5000)
    ids = list(Participant.objects.values_list("pk", flat=True))
    Enrollment.objects.bulk_create(
        [Enrollment(study=study if i % 10 else other, participant_id=pk, status=rng.choice(statuses))
         for i, pk in enumerate(ids)],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    del django


def measure(requests: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from recruit.models import Region

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    vestland = Region.objects.get(code="46").pk
    url = f"/api/v1/participants/?gender=female&age_min=40&county={vestland}&ordering=name"
    for _ in range(5):  # warm caches and connections
        first = client.get(url + "&page_size=50")
        assert first.status_code == 200
    # Pages 1 to 20, or as many as a small database has.
    pages = max(1, min(20, -(-first.json()["count"] // 50)))
    timings = []
    rng = random.Random(3)
    for _ in range(requests):
        page = rng.randint(1, pages)
        start = time.perf_counter()
        response = client.get(f"{url}&page_size=50&page={page}")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
    counts = {}
    for size in (10, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}&page_size={size}")
        counts[size] = len(queries)
    matching = response.json()["count"]
    timings.sort()
    p95 = timings[int(0.95 * len(timings)) - 1]
    print(f"database: {connection.vendor}; participants: {get_user_model().objects.none().count() or ''}", end="")
    from recruit.models import Participant

    print(f"{Participant.objects.count()}; rows matching the filters: {matching}")
    print(f"requests: {requests}, page size 50, filters gender+age_min+county, ordered by name")
    print(f"median latency: {statistics.median(timings):.1f} ms")
    print(f"p95 latency:    {p95:.1f} ms")
    print(f"SQL queries per request: {counts[10]} at page size 10, {counts[50]} at page size 50")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{url}&page_size=50")
    page_sql = next(q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"] and "participant" in q["sql"])
    with connection.cursor() as cursor:
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(explain + page_sql)
        plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
    print("page query plan:")
    for line in plan:
        print("   ", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="reuse the database of an earlier run")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    if not args.reuse:
        start = time.perf_counter()
        build(args.participants)
        print(f"built {args.participants} participants in {time.perf_counter() - start:.1f} s")
    measure(args.requests)


if __name__ == "__main__":
    main()
