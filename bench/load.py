"""Benchmark: a mixed workload against gunicorn + PostgreSQL on 127.0.0.1, optionally restarting PostgreSQL mid-run.

    python bench/load.py [--seconds 60] [--clients 12] [--fault] [--workers 3] [--threads 4]
        [--database-url postgres://root@127.0.0.1:5432/recruit_bench_load]

Creates the database afresh (DROP and CREATE DATABASE), migrates it and seeds one recruiting
study: three coordinators, participants (generated as by the demo) of whom some have a consent
link and are eligible to sign, some have signed (real PDFs) and hold a booking link, and small
sessions that fill up during the run. It then starts gunicorn (gthread) on a free port and runs
--clients client threads for --seconds, each picking one action at a time:

    coordinators: list and filter participants on the web page and through the API
    participants: open their consent page or their booking page through their personal link,
                  book a seat in a session that still shows free seats (a session may fill up
                  meanwhile: "full" is an answer, not an error), or read, answer and sign
                  their consent

It prints requests/s and p50/p95/p99 latency per kind of request and overall, HTTP status
counts, 5xx responses, sessions overbooked, and checks that every acknowledged write is in the
database: a booking the server confirmed (a redirect carrying the success message) and a
signature it confirmed (the redirect to the done page), with its PDF matching its hash.

--fault restarts PostgreSQL at half time (`pg_ctlcluster --skip-systemctl-redirect VERSION main
restart`), with the application left running: it must recover by itself (health-checked
persistent connections). Requests that fail while PostgreSQL is down are counted as "errors
during the restart window" (requests overlapping the time from the restart until 2 s after
PostgreSQL accepts connections again); any 5xx outside that window fails the run, as does any acknowledged write lost. The
fault is opt-in because restarting PostgreSQL interrupts everyone else using the server.
Exits non-zero if any check fails.
"""
import argparse
import hashlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/recruit_bench_load"
RESTART_GRACE = 2.0  # seconds after PostgreSQL accepts connections again that still count as the restart window
# Action weights: coordinators' reads, participants' page views, and the two writes.
ACTIONS = {"web_list": 20, "api_list": 20, "consent_page": 15, "booking_page": 15, "book": 15, "sign": 15}
KINDS = ["coordinator web list", "coordinator API list", "link entry", "consent page", "booking page",
         "booking POST", "consent answer POST", "consent sign POST"]


# Database ----------------------------------------------------------------------------------------

def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"database name {name!r}: use lowercase letters, digits and _")
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {name}")


@dataclass
class Seed:
    study: int
    sessions: list[int]
    coordinator_cookies: list[str]
    tokens: list[str]
    signers: list[dict]  # {"enrollment", "token", "name", "statements"}
    bookers: list[dict]  # {"enrollment", "token"}


def seed(args) -> Seed:
    import datetime

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from recruit.actors import Actor
    from recruit.demo import demo_sign, generate_people, seed_consent
    from recruit.models import Enrollment, Membership, Participant, SchedulingSettings, Session, Study
    from recruit.services.consent import current_version_for
    from recruit.services.links import link_issue

    call_command("migrate", verbosity=0)
    users = [get_user_model().objects.create_user(f"coordinator{i}", password=None) for i in range(3)]
    study = Study.objects.create(code="GPQI", title="Load benchmark", status=Study.Status.RECRUITING,
                                 principal_investigator="Bench Mark")
    for user, role in zip(users, ["owner", "coordinator", "coordinator"]):
        Membership.objects.create(study=study, user=user, role=role)
    seed_consent(actor=Actor.system("bench"), study=study)
    SchedulingSettings.objects.create(study=study, self_booking=True)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=3)
    sessions = Session.objects.bulk_create([
        Session(study=study, starts_at=start + datetime.timedelta(days=i), capacity=args.capacity,
                ends_at=start + datetime.timedelta(days=i, hours=2), place=f"Room {i}")
        for i in range(args.sessions)
    ])
    people = generate_people(args.participants, seed=7)
    for fields in people:
        fields["source_study"] = study
    participants = Participant.objects.bulk_create([Participant(**fields) for fields in people], batch_size=1000)
    statuses = (["eligible"] * args.signers + ["eligible"] * args.bookers
                + ["invited", "responded"] * args.participants)[:len(participants)]
    enrollments = Enrollment.objects.bulk_create(
        [Enrollment(study=study, participant=p, status=s) for p, s in zip(participants, statuses)], batch_size=1000)
    signers, bookers = [], []
    for enrollment in enrollments[:args.signers]:
        _link, token = link_issue(enrollment=enrollment, purpose="consent")
        version = current_version_for(study, enrollment.participant.preferred_language)
        signers.append({"enrollment": enrollment.pk, "token": token, "name": enrollment.participant.full_name,
                        "statements": [s.position for s in version.statements.all()]})
    for enrollment in enrollments[args.signers:args.signers + args.bookers]:
        demo_sign(enrollment)  # a real signature and PDF: sessions require consent
        _link, token = link_issue(enrollment=enrollment, purpose="booking")
        bookers.append({"enrollment": enrollment.pk, "token": token})
    cookies = []
    for user in users:
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    tokens = [Token.objects.create(user=user).key for user in users]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    return Seed(study.pk, [s.pk for s in sessions], cookies, tokens, signers, bookers)


# Server ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(args, port: int, env: dict, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "recruit.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
         "--threads", str(args.threads), "--worker-class", "gthread", "--log-level", "warning",
         "--backlog", "256", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            if server.poll() is not None:
                sys.exit(f"gunicorn exited; see {log}")
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def restart_postgresql() -> tuple[float, float]:
    """Restart the local cluster; returns (began, accepting again) as perf_counter times."""
    version = sorted(os.listdir("/etc/postgresql"))[0]
    began = time.perf_counter()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True,
                   capture_output=True)
    while subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode != 0:
        time.sleep(0.05)
    return began, time.perf_counter()


# Clients -----------------------------------------------------------------------------------------

@dataclass
class Record:
    kind: str
    began: float
    elapsed: float
    status: int | str  # HTTP status, or "connection error"


@dataclass
class Results:
    records: list[Record] = field(default_factory=list)
    booked: list[tuple[int, int]] = field(default_factory=list)  # acknowledged (enrollment, session)
    signed: list[int] = field(default_factory=list)  # acknowledged enrollments
    outcomes: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)  # a sample of unexpected answers, to explain them
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record):
        with self.lock:
            self.records.append(record)

    def count(self, outcome: str):
        with self.lock:
            self.outcomes[outcome] += 1


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# A session on the booking page that still shows free seats: its form has no hidden "waitlist" field.
OPEN_SESSION = re.compile(r'name="session" value="(\d+)">(?!\s*<input type="hidden" name="waitlist")')


class Client:
    """One client thread: a keep-alive connection, switching cookie jars between the people it plays."""

    def __init__(self, base: str, results: Results, seed: Seed, rng: random.Random, signers, bookers, index: int):
        import requests

        self.requests = requests
        self.http = requests.Session()
        self.base, self.results, self.seed, self.rng = base, results, seed, rng
        self.signers, self.bookers = signers, bookers  # this client's own people
        self.jars: dict[str, object] = {}
        self.opened: set[str] = set()
        self.coordinator = index % len(seed.tokens)

    def call(self, kind, method, path, jar=None, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        self.http.cookies = jar if jar is not None else self.requests.cookies.RequestsCookieJar()
        began = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, **kwargs)
        except self.requests.RequestException:
            self.results.add(Record(kind, began, time.perf_counter() - began, "connection error"))
            self.http = self.requests.Session()
            return None
        self.results.add(Record(kind, began, time.perf_counter() - began, response.status_code))
        if response.status_code >= 400 and len(self.results.unexpected) < 20:
            errors = re.findall(r'(?:errorlist|form-errors|role="alert")[^>]*>(.*?)</', response.text, re.S)
            detail = " | ".join(" ".join(e.split()) for e in errors)[:300] or " ".join(response.text[:200].split())
            self.results.unexpected.append(f"{began - getattr(self.results, 'started', began):.1f} s {kind} "
                                           f"{response.status_code}: {detail}")
        return response

    def person(self, who: dict):
        """The person's cookie jar, after opening their personal link once (it moves into the session)."""
        token = who["token"]
        jar = self.jars.setdefault(token, self.requests.cookies.RequestsCookieJar())
        if token not in self.opened:
            response = self.call("link entry", "GET", f"/l/{token}/", jar)
            if response is None or response.status_code != 302:
                return None
            jar.update(response.cookies)
            self.opened.add(token)
        return jar

    def filters(self) -> dict:
        rng = self.rng
        query = {"study": self.seed.study}
        if rng.random() < 0.6:
            query["gender"] = rng.choice(["female", "male"])
        if rng.random() < 0.5:
            low = rng.randrange(30, 60)
            query.update(age_min=low, age_max=low + rng.choice([5, 10, 20]))
        if rng.random() < 0.4:
            query["practice_setting"] = rng.choice(["urban", "semi_urban", "rural"])
        if rng.random() < 0.3:
            query["status"] = rng.choice(["eligible", "invited", "consented", "scheduled"])
        if rng.random() < 0.2:
            query["q"] = rng.choice(["an", "legesenter", "berg", "ol"])
        if rng.random() < 0.3:
            query["page"] = 2
        return query

    def web_list(self):
        jar = self.requests.cookies.RequestsCookieJar()
        jar.set("sessionid", self.seed.coordinator_cookies[self.coordinator])
        self.call("coordinator web list", "GET", "/participants/", jar, params=self.filters())

    def api_list(self):
        query = self.filters()
        query.pop("page", None)
        self.call("coordinator API list", "GET", "/api/v1/participants/", params=query,
                  headers={"Authorization": f"Token {self.seed.tokens[self.coordinator]}"})

    def consent_page(self):
        waiting = [s for s in self.signers if not s.get("done")]
        if waiting:
            who = self.rng.choice(waiting)
            jar = self.person(who)
            if jar is not None:
                self.call("consent page", "GET", "/consent/", jar)

    def booking_page(self):
        who = self.rng.choice(self.bookers)
        jar = self.person(who)
        if jar is not None:
            self.call("booking page", "GET", "/booking/", jar)

    def book(self):
        waiting = [b for b in self.bookers if not b.get("done")]
        if not waiting:
            return
        who = self.rng.choice(waiting)
        jar = self.person(who)
        page = jar is not None and self.call("booking page", "GET", "/booking/", jar)
        if not page or page.status_code != 200:
            return
        jar.update(page.cookies)
        choices = OPEN_SESSION.findall(page.text)
        if not choices:
            who["done"] = True
            self.results.count("booking: no session with free seats shown")
            return
        session = int(self.rng.choice(choices))
        response = self.call("booking POST", "POST", "/booking/book/", jar,
                             data={"csrfmiddlewaretoken": CSRF.search(page.text).group(1), "session": session})
        if response is None or response.status_code != 302:
            return
        who["done"] = True
        level = message_level(response.cookies.get("messages"))
        if level == "success":
            with self.results.lock:
                self.results.booked.append((who["enrollment"], session))
            self.results.count("booking: booked")
        else:
            self.results.count(f"booking: refused ({level})")

    def sign(self):
        waiting = [s for s in self.signers if not s.get("done")]
        if not waiting:
            return
        who = self.rng.choice(waiting)
        jar = self.person(who)
        page = jar is not None and self.call("consent page", "GET", "/consent/", jar)
        if not page or page.status_code != 200:
            return
        jar.update(page.cookies)
        data = {f"statement_{position}": "on" for position in who["statements"]}
        data.update(csrfmiddlewaretoken=CSRF.search(page.text).group(1), typed_name=who["name"], drawn_signature="")
        answered = self.call("consent answer POST", "POST", "/consent/", jar, data=data)
        if answered is None or answered.status_code != 302:
            return
        jar.update(answered.cookies)
        signed = self.call("consent sign POST", "POST", "/consent/review/", jar,
                           data={"csrfmiddlewaretoken": data["csrfmiddlewaretoken"], "confirmed": "on"})
        if signed is None:
            return
        if signed.status_code == 302 and signed.headers["Location"].endswith("/consent/done/"):
            who["done"] = True
            with self.results.lock:
                self.results.signed.append(who["enrollment"])
            self.results.count("signing: signed")

    def run(self, deadline: float):
        actions = list(ACTIONS)
        weights = [ACTIONS[a] for a in actions]
        while time.perf_counter() < deadline:
            getattr(self, self.rng.choices(actions, weights)[0])()


def message_level(cookie: str | None) -> str:
    """The level of the message the server put in the response's messages cookie (signed by Django)."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage

    messages = CookieStorage(None)._decode(cookie) if cookie else None
    if not messages:
        return "no message"
    return constants.DEFAULT_TAGS.get(messages[-1].level, str(messages[-1].level))


# Report ------------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def check_database(seed: Seed, results: Results, media: Path) -> dict:
    from django.db import connection
    from django.db.models import Count, Q

    from recruit.models import Booking, Session, SignatureRecord

    connection.close()  # the bench's own connection did not survive a restart
    rows = Session.objects.filter(pk__in=seed.sessions).annotate(
        held=Count("bookings", filter=Q(bookings__status="booked")))
    overbooked = sum(row.held > row.capacity or row.booked > row.capacity or row.held != row.booked for row in rows)
    full = sum(row.booked >= row.capacity for row in rows)
    booked = set(Booking.objects.filter(status="booked", session__in=seed.sessions)
                 .values_list("enrollment_id", "session_id"))
    signatures = {e: (pdf, digest) for e, pdf, digest in SignatureRecord.objects.filter(
        enrollment_id__in=[s["enrollment"] for s in seed.signers]).values_list("enrollment_id", "pdf", "pdf_sha256")}
    lost_bookings = [b for b in results.booked if b not in booked]
    lost_signatures = [e for e in results.signed if e not in signatures]
    unproven = 0
    for pdf, digest in signatures.values():
        path = media / pdf
        if not pdf or not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            unproven += 1
    return {"overbooked": overbooked, "full": full, "booked_in_db": len(booked), "lost_bookings": lost_bookings,
            "lost_signatures": lost_signatures, "signatures_in_db": len(signatures), "unproven": unproven}


def report(args, seed: Seed, results: Results, wall: float, window, db: dict, versions: str) -> int:
    records = results.records
    def in_window(r):  # the request overlapped the restart: it began before the window closed and ended after it opened
        return bool(window) and r.began <= window[1] + RESTART_GRACE and r.began + r.elapsed >= window[0]

    failed = [r for r in records if r.status == "connection error" or r.status >= 500]
    window_errors = [r for r in failed if in_window(r)]
    outside_5xx = [r for r in failed if not in_window(r)]
    measured = [r for r in records if not in_window(r)]
    print(f"recruit load benchmark: {versions}; gunicorn {args.workers} workers x {args.threads} threads "
          f"(gthread); {args.clients} client threads; {os.cpu_count()} CPUs")
    print(f"data: 1 study, 3 coordinators, {args.participants} participants ({len(seed.signers)} to sign, "
          f"{len(seed.bookers)} with a booking link), {len(seed.sessions)} sessions x {args.capacity} seats")
    if window:
        print(f"fault: PostgreSQL restarted at {window[0] - results.started:.1f} s, accepting again after "
              f"{window[1] - window[0]:.1f} s; restart window = until {RESTART_GRACE:.0f} s later")
    else:
        print("fault: none (add --fault to restart PostgreSQL at half time)")
    print(f"duration: {wall:.1f} s, {len(records)} requests, {len(records) / wall:.1f} requests/s")
    print()
    print(f"{'kind':<24}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    by_kind = defaultdict(list)
    for record in measured:
        by_kind[record.kind].append(record)
    for kind in [*KINDS, "overall"]:
        rows = measured if kind == "overall" else by_kind.get(kind, [])
        if not rows:
            continue
        latencies = [r.elapsed * 1000 for r in rows]
        statuses = Counter(str(r.status) for r in rows)
        print(f"{kind:<24}{len(rows):>9}{len(rows) / wall:>8.1f}{percentile(latencies, .5):>9.1f}"
              f"{percentile(latencies, .95):>9.1f}{percentile(latencies, .99):>9.1f}  "
              + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print("(latencies exclude requests begun inside the restart window)" if window else "")
    print(", ".join(f"{k} {v}" for k, v in sorted(results.outcomes.items())))
    if window:
        kinds = Counter(str(r.status) for r in window_errors)
        print(f"errors during restart window: {len(window_errors)}"
              + (f" ({', '.join(f'{s}: {n}' for s, n in sorted(kinds.items()))})" if window_errors else ""))
    if window:
        after = [r for r in records if r.began >= window[1]]
        first_ok = min((r.began + r.elapsed for r in after if r.status != "connection error" and r.status < 500),
                       default=None)
        last_error = max((r.began + r.elapsed for r in failed), default=None)
        print("recovery: first successful answer "
              + (f"{first_ok - window[1]:.2f} s" if first_ok else "never")
              + " after PostgreSQL accepted connections again; last error "
              + (f"{last_error - window[1]:+.2f} s from then" if last_error else "none"))
    print(f"5xx responses{' outside the restart window' if window else ''}: {len(outside_5xx)}")
    print(f"sessions full: {db['full']} of {len(seed.sessions)}; overbooked sessions: {db['overbooked']}")
    print(f"bookings acknowledged: {len(results.booked)} (in database: {db['booked_in_db']}); "
          f"signatures acknowledged: {len(results.signed)} (in database: {db['signatures_in_db']}, "
          f"PDF missing or not matching its hash: {db['unproven']})")
    lost = len(db["lost_bookings"]) + len(db["lost_signatures"])
    print(f"acknowledged writes lost = {lost}")
    for line in results.unexpected if args.verbose else []:
        print("  unexpected answer at " + line)
    ok = not outside_5xx and db["overbooked"] == 0 and lost == 0 and db["unproven"] == 0
    print("result: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--fault", action="store_true", help="restart PostgreSQL at half time")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--participants", type=int, default=3000)
    parser.add_argument("--signers", type=int, default=400)
    parser.add_argument("--bookers", type=int, default=300)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=4)
    parser.add_argument("--verbose", action="store_true", help="show a sample of the 4xx/5xx answers")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="recruit-load-"))
    env = {
        **os.environ, "DATABASE_URL": args.database_url, "DJANGO_ENV": "development", "DEBUG": "false",
        "CONN_MAX_AGE": "60", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING", "MEDIA_ROOT": str(work / "media"),
        "SECRET_KEY": os.urandom(32).hex(), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        # The API's per-user throttle would answer 429 to a benchmark's three coordinators.
        "API_RATE_USER": "1000000/minute", "DJANGO_SETTINGS_MODULE": "recruit.settings",
    }
    os.environ.update(env)
    recreate_database(args.database_url)
    import django

    django.setup()
    from django.db import connection

    print(f"seeding {args.database_url} ...", flush=True)
    data = seed(args)
    connection.ensure_connection()
    versions = f"PostgreSQL {connection.pg_version // 10000} on 127.0.0.1"
    connection.close()
    port = free_port()
    log = work / "gunicorn.log"
    server = start_server(args, port, env, log)
    results = Results()
    rng = random.Random(2026)
    rng.shuffle(data.signers)
    rng.shuffle(data.bookers)
    clients = [Client(f"http://127.0.0.1:{port}", results, data, random.Random(i), data.signers[i::args.clients],
                      data.bookers[i::args.clients], i) for i in range(args.clients)]
    window = None
    try:
        for client in clients:  # warm each worker (imports, connections) with a read that changes nothing
            client.api_list()
        results.records.clear()
        results.started = time.perf_counter()
        deadline = results.started + args.seconds
        threads = [threading.Thread(target=c.run, args=(deadline,)) for c in clients]
        for thread in threads:
            thread.start()
        if args.fault:
            time.sleep(args.seconds / 2)
            window = restart_postgresql()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - results.started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    db = check_database(data, results, work / "media")
    code = report(args, data, results, wall, window, db, versions)
    errors = [line for line in log.read_text(errors="replace").splitlines() if "Error" in line or "error" in line]
    if errors:
        print(f"server log ({log}): {len(errors)} error lines, e.g. {errors[-1][:200]}")
    sys.exit(code)


if __name__ == "__main__":
    main()
