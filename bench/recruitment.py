"""Benchmark: survey recruitment at scale — import, campaign queueing, sending.

    python bench/recruitment.py [--rows 10000]

1. import a 10,000-row XLSX file (parse, validate every row, bulk insert);
2. create a campaign inviting all of them and queue its 10,000 invitations (enrollments,
   status history, outbox rows, recipients);
3. send the queue through the campaign's worker task body with the locmem mail backend
   (each message claimed, rendered with two fresh personal links, sent, marked).

Uses its own database: a fresh SQLite file under var/bench/ unless DATABASE_URL is set (e.g.
DATABASE_URL=postgres://root@127.0.0.1:5432/recruit_recruitment_bench, which it then empties).
Prints wall time and the process's peak resident memory after each step.
Targets (issue 6): import < 15 s, queueing < 5 s, >= 500 messages/s, memory < 300 MB.
"""
import argparse
import datetime
import io
import os
import random
import resource
import sys
import time
from pathlib import Path

from freshdb import fresh_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruit.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'recruitment.sqlite3'}")
# Queued sends must wait for step 3, so the task backend only records them here.
os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def report(step: str, seconds: float, extra: str = "") -> None:
    print(f"{step:<34} {seconds:7.2f} s   peak RSS {peak_mb():6.0f} MB   {extra}", flush=True)


def make_xlsx(rows: int) -> bytes:
    from openpyxl import Workbook

    rng = random.Random(6)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Fornavn", "Etternavn", "E-post", "Fødselsår", "Kjønn", "Startet i allmennpraksis", "HPR-nummer",
                  "Fylke", "Kommune", "Praksistype", "Legekontor", "Telefon"])
    counties = ["Vestland", "Oslo", "Rogaland", "Trøndelag", "Nordland", "Innlandet", "Agder", "Østfold"]
    for i in range(rows):
        birth = rng.randint(1956, 1996)
        sheet.append([
            f"Åse{i}", f"Ørjasæter{i % 997}", f"lege{i}@example.org", birth, rng.choice(["Kvinne", "Mann"]),
            rng.randint(birth + 27, 2025), 1_000_000 + i, rng.choice(counties), "Bergen",
            rng.choice(["by", "tettsted", "land"]), f"Legesenter {i // 4}", f"9{i:07d}",
        ])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEBUG = False
    from recruit import spreadsheets
    from recruit.actors import Actor
    from recruit.models import Message, Participant, RecruitmentSettings, Study
    from recruit.services import campaigns
    from recruit.services.imports import IMPORTABLE_FIELDS, participants_import

    print(f"database: {connection.vendor}, rows: {args.rows}")
    fresh_database()
    study = Study.objects.create(code="BENCH", title="Fastlegestudien", status="recruiting")
    RecruitmentSettings.objects.create(study=study, send_rate_per_minute=100_000)
    data = make_xlsx(args.rows)
    print(f"XLSX file: {len(data) / 1e6:.1f} MB")
    actor = Actor.system("bench")

    started = time.perf_counter()
    table = spreadsheets.read_table(data, "gps.xlsx")
    read = time.perf_counter() - started
    mapping = spreadsheets.guess_mapping(table.headers, IMPORTABLE_FIELDS)
    result = participants_import(actor=actor, study=study, table=table, mapping=mapping)
    elapsed = time.perf_counter() - started
    assert result.created == args.rows, result
    report("1. import XLSX", elapsed, f"(reading {read:.2f} s; {result.created} created)")
    del table, data

    campaign = campaigns.campaign_create(
        actor=actor, study=study, name="Bench", subject_nb="Invitasjon til {{ study_title }}",
        body_nb="Hei {{ given_name }}!\n\nSvar her: {{ screening_link }}", subject_en="Invitation",
        body_en="Dear {{ full_name }},\n\nAnswer here: {{ screening_link }}",
    )
    started = time.perf_counter()
    queued = campaigns.campaign_start(actor=actor, campaign=campaign)
    elapsed = time.perf_counter() - started
    report("2. create campaign + queue", elapsed, f"({queued} invitations queued)")

    # Every invitation is due within 6 s at the rate set above; send as if those seconds had passed.
    later = timezone.now() + datetime.timedelta(minutes=1)
    real_now = timezone.now
    timezone.now = lambda: later + datetime.timedelta(seconds=time.perf_counter() - started)
    started = time.perf_counter()
    sent = campaigns.campaign_send_due(campaign.pk)
    elapsed = time.perf_counter() - started
    timezone.now = real_now
    assert sent == queued == len(mail.outbox) == Message.objects.filter(status="sent").count()
    report("3. send queue (locmem)", elapsed, f"({sent} sent, {sent / elapsed:.0f} messages/s)")
    print(f"participants in registry: {Participant.objects.count()}")


if __name__ == "__main__":
    main()
