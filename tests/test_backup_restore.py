"""Backup and restore: signed consents survive a restore into a fresh database with PDFs that still
prove themselves, and a damaged or altered backup is refused, naming what is wrong.

The backup runs here, against the test database; each restore runs `manage.py restore` in its own
process against a new database (another PostgreSQL database, or a new SQLite file) and a new
media folder, as an operator would.
"""
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from recruit.models import Enrollment, Region, SignatureRecord
from recruit.regions import load_regions

from .conftest import make_participant
from .consent_support import published_consent, sign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed(study_a):
    """Three participants of study A who signed the consent through the signing service (PDFs stored)."""
    load_regions(Region)  # a transactional test may start from a flushed database
    version = published_consent(study_a)
    signatures = []
    for _ in range(3):
        participant = make_participant(study_a)
        enrollment = Enrollment.objects.get(participant=participant, study=study_a)
        Enrollment.objects.filter(pk=enrollment.pk).update(status="eligible")
        signatures.append(sign(enrollment, version))
    return signatures


@pytest.fixture
def fresh_database(tmp_path):
    """The DATABASE_URL of a new, empty database of the same kind as the test database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    db = settings.DATABASES["default"]
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    yield f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore(source, database_url, media, *extra):
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media), "DJANGO_ENV": "development"}
    return subprocess.run([sys.executable, "manage.py", "restore", str(source), *extra], cwd=settings.BASE_DIR,
                          env=env, capture_output=True, text=True, timeout=120)


def execute(database_url, query) -> list[tuple]:
    """Run one statement on the restored database, without Django."""
    if database_url.startswith("sqlite:"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            return db.execute(query).fetchall()
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as db:
        cursor = db.execute(query)
        return cursor.fetchall() if cursor.description else []


def restored_signatures(database_url) -> list[tuple[int, str, str]]:
    """(id, pdf, pdf_sha256) of every signature in the restored database."""
    return execute(database_url, f"SELECT id, pdf, pdf_sha256 FROM {SignatureRecord._meta.db_table} ORDER BY id")


def test_a_restore_into_a_fresh_database_keeps_every_consent_pdf_provable(signed, tmp_path, fresh_database):
    call_command("backup", str(tmp_path / "backup"))
    media = tmp_path / "restored-media"

    result = restore(tmp_path / "backup", fresh_database, media)

    assert result.returncode == 0, result.stderr
    assert "all 3 consent PDFs match" in result.stdout
    rows = restored_signatures(fresh_database)
    assert [row[0] for row in rows] == [s.pk for s in signed]
    for pk, name, recorded in rows:
        assert hashlib.sha256((media / name).read_bytes()).hexdigest() == recorded
        assert recorded == SignatureRecord.objects.get(pk=pk).pdf_sha256


def test_the_manifest_lists_every_file_with_its_hash(signed, tmp_path):
    call_command("backup", str(tmp_path / "backup"))

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    for signature in signed:
        assert listed[f"media/{signature.pdf}"] == signature.pdf_sha256
    for path, digest in listed.items():
        assert hashlib.sha256((tmp_path / "backup" / path).read_bytes()).hexdigest() == digest


def test_a_tampered_pdf_in_the_backup_is_refused_before_anything_is_restored(signed, tmp_path, fresh_database):
    call_command("backup", str(tmp_path / "backup"))
    pdf = tmp_path / "backup" / "media" / signed[1].pdf
    pdf.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"%%EOF\n% changed"))

    result = restore(tmp_path / "backup", fresh_database, tmp_path / "restored-media")

    assert result.returncode != 0
    assert f"media/{signed[1].pdf} does not match its SHA-256 in the manifest" in result.stderr
    assert not (tmp_path / "restored-media").exists() or not any((tmp_path / "restored-media").rglob("*.pdf"))


def test_a_tampered_pdf_with_a_rewritten_manifest_is_caught_by_the_recorded_hash(signed, tmp_path, fresh_database):
    call_command("backup", str(tmp_path / "backup"))
    pdf = tmp_path / "backup" / "media" / signed[1].pdf
    pdf.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"%%EOF\n% changed"))
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for entry in manifest["files"]:
        if entry["path"] == f"media/{signed[1].pdf}":
            entry["sha256"], entry["size"] = hashlib.sha256(pdf.read_bytes()).hexdigest(), pdf.stat().st_size
    manifest_path.write_text(json.dumps(manifest))

    result = restore(tmp_path / "backup", fresh_database, tmp_path / "restored-media")

    assert result.returncode != 0
    assert f"first: signature {signed[1].pk} ({signed[1].pdf}): the PDF's SHA-256 is" in result.stderr


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(signed, tmp_path, fresh_database):
    call_command("backup", str(tmp_path / "backup"))
    execute(fresh_database, "CREATE TABLE unrelated (id integer)")

    refused = restore(tmp_path / "backup", fresh_database, tmp_path / "restored-media")
    assert refused.returncode != 0
    assert "The database is not empty" in refused.stderr
    assert not (tmp_path / "restored-media").exists() or not any((tmp_path / "restored-media").rglob("*.pdf"))

    forced = restore(tmp_path / "backup", fresh_database, tmp_path / "restored-media", "--force")
    assert forced.returncode == 0, forced.stderr
    assert len(restored_signatures(fresh_database)) == 3


def test_a_live_pdf_that_no_longer_matches_its_record_fails_the_backup_naming_it(signed, tmp_path):
    live = Path(settings.MEDIA_ROOT) / signed[0].pdf
    live.write_bytes(b"%PDF-1.4 not the signed document")

    with pytest.raises(CommandError, match=f"first: signature {signed[0].pk} "):
        call_command("backup", str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "manifest.json").exists()  # still written: nothing more is lost


def test_a_signature_whose_pdf_is_gone_from_the_live_media_fails_the_backup_naming_it(signed, tmp_path):
    (Path(settings.MEDIA_ROOT) / signed[2].pdf).unlink()

    with pytest.raises(CommandError, match=f"first: signature {signed[2].pk} .*the PDF is missing"):
        call_command("backup", str(tmp_path / "backup"))


def test_backup_refuses_a_directory_that_is_not_empty(signed, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("an older backup")

    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(tmp_path / "backup"))
