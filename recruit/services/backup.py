"""Backup and restore: the database and the media files (signed consent PDFs), with a manifest.

A backup is a directory:

    manifest.json        what is in it, and the SHA-256 and size of every file below
    database.dump        PostgreSQL: pg_dump's custom format   (or database.sqlite3: SQLite's online backup)
    media/…              every stored file, under its storage name

The database is dumped first, the media copied after it. A signature's PDF is stored before its
row commits, so every signature in the dump finds its PDF in the copy (a file newer than the dump
is harmless); the backup then reads the signatures back out of the dump and checks each one's PDF
in the copy, so a PDF erased while the backup ran fails the backup instead of the restore. Restoring goes into an empty database and checks, before anything is written,
that every file still has its manifest hash, and afterwards that every signature's PDF has the
SHA-256 recorded in the database: a backup that cannot prove the consents it holds is refused.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump/pg_restore with arguments we build, never a shell
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection

from recruit.actors import Actor
from recruit.models import SignatureRecord
from recruit.services.audit import audit_record

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and names the file or record."""


@dataclass
class Mismatch:
    signature_id: int
    path: str
    reason: str

    def __str__(self):
        return f"signature {self.signature_id} ({self.path or 'no PDF'}): {self.reason}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor() -> str:
    if connection.vendor not in DUMPS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the configured database, so no password appears in a process list."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, value in (("PGDATABASE", settings["NAME"]), ("PGUSER", settings.get("USER")),
                            ("PGPASSWORD", settings.get("PASSWORD")), ("PGHOST", settings.get("HOST")),
                            ("PGPORT", str(settings.get("PORT") or ""))):
        if value:
            env[variable] = value
    if settings.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = settings["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str]) -> str:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} was not found; install the PostgreSQL client tools of the server's version.")
    result = subprocess.run([tool, *command[1:]], env=_pg_environment(), capture_output=True, text=True)  # noqa: S603 - fixed tool, our own arguments
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _database_dump(target: Path) -> None:
    if _vendor() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"])
    else:
        # The online backup API copies a consistent snapshot while the application keeps writing.
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()


def _dump_signatures(dump: Path, vendor: str) -> list[tuple[int, str, str]]:
    """(id, pdf, pdf_sha256) of every signature in the dump itself: exactly what a restore will hold."""
    table = SignatureRecord._meta.db_table
    if vendor == "sqlite":
        with closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True)) as db:
            return db.execute(f"SELECT id, pdf, pdf_sha256 FROM {table} ORDER BY id").fetchall()  # noqa: S608 - the model's table
    data = _run(["pg_restore", "--data-only", f"--table={table}", "--file=-", str(dump)])
    rows, columns = [], None
    for line in data.splitlines():
        if columns is None:
            if line.startswith(f"COPY public.{table} ("):
                columns = line.split("(", 1)[1].split(")", 1)[0].split(", ")
            continue
        if line == "\\.":
            break
        values = dict(zip(columns, line.split("\t")))  # COPY escapes tabs inside values
        rows.append((int(values["id"]), values["pdf"], values["pdf_sha256"]))
    return sorted(rows)


def _media_names(directory: str = "") -> list[str]:
    """Every stored file's name, through the storage API (local folder or S3 bucket alike)."""
    try:
        directories, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [f"{directory}/{name}" if directory else name for name in files]
    for sub in directories:
        names += _media_names(f"{directory}/{sub}" if directory else sub)
    return sorted(names)


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"The manifest names a file outside the media folder: {name!r}.")
    return str(path)


def consent_pdfs_verify(*, signatures=None, read=None) -> tuple[int, list[Mismatch]]:
    """Check each signature's PDF against the SHA-256 in its record; returns (checked, mismatches).

    `read(name) -> bytes | None` reads a stored file (default: the media storage)."""
    def from_storage(name: str) -> bytes | None:
        try:
            with default_storage.open(name, "rb") as handle:
                return handle.read()
        except (FileNotFoundError, OSError):
            return None

    read = read or from_storage
    if signatures is None:
        signatures = SignatureRecord.objects.order_by("pk").values_list("pk", "pdf", "pdf_sha256")
    checked, mismatches = 0, []
    for pk, name, recorded in signatures:
        checked += 1
        if not name or not recorded:
            mismatches.append(Mismatch(pk, name, "the record has no PDF"))
            continue
        data = read(name)
        if data is None:
            mismatches.append(Mismatch(pk, name, "the PDF is missing"))
            continue
        found = hashlib.sha256(data).hexdigest()
        if found != recorded:
            mismatches.append(Mismatch(pk, name, f"the PDF's SHA-256 is {found}, the record says {recorded}"))
    return checked, mismatches


def backup_create(*, actor: Actor, destination: Path) -> dict:
    """Write a backup into `destination` (a new or empty directory); returns the manifest.

    Raises BackupError if a signature in the dump has no PDF in the copy or one that no longer matches
    its record (the backup is still written, so nothing more is lost; the message names the signature)."""
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty; give a new directory for each backup.")
    vendor = _vendor()
    (destination / MEDIA).mkdir(parents=True, exist_ok=True)
    destination.chmod(0o700)  # it holds every participant's personal data
    started = datetime.datetime.now(datetime.timezone.utc)
    _database_dump(destination / DUMPS[vendor])
    signatures = _dump_signatures(destination / DUMPS[vendor], vendor)
    files = [{"path": DUMPS[vendor], "sha256": _sha256(destination / DUMPS[vendor]),
              "size": (destination / DUMPS[vendor]).stat().st_size}]
    copied = {}
    for name in _media_names():
        target = destination / MEDIA / _safe_name(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as source, target.open("wb") as out:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        copied[name] = target
        files.append({"path": f"{MEDIA}/{name}", "sha256": digest.hexdigest(), "size": target.stat().st_size})
    manifest = {
        "format": FORMAT, "created_at": started.isoformat(), "database": {"vendor": vendor, "file": DUMPS[vendor]},
        "signatures": len(signatures), "files": files,
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    audit_record(actor=actor, action="backup.create", detail={"files": len(files), "signatures": len(signatures)})

    def read_copy(name):
        return copied[name].read_bytes() if name in copied else None

    _checked, mismatches = consent_pdfs_verify(signatures=signatures, read=read_copy)
    if mismatches:
        raise BackupError(f"Backup written to {destination}, but {len(mismatches)} consent PDF(s) do not match their "
                          f"records; first: {mismatches[0]}")
    return manifest


def backup_verify(source: Path) -> dict:
    """The manifest, after checking every file it lists has its size and SHA-256 and nothing was added."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source / MANIFEST} is missing: is {source} a recruit backup?") from None
    except json.JSONDecodeError as error:
        raise BackupError(f"{source / MANIFEST} is not valid JSON: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}; this recruit reads format {FORMAT}.")
    listed = set()
    for entry in manifest["files"]:
        name = _safe_name(entry["path"])
        listed.add(name)
        path = source / name
        if not path.is_file():
            raise BackupError(f"{name} is listed in the manifest but missing from the backup.")
        if path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: the backup is damaged or altered.")
    extra = sorted(str(p.relative_to(source).as_posix()) for p in (source / MEDIA).rglob("*") if p.is_file())
    extra = [name for name in extra if name not in listed]
    if extra:
        raise BackupError(f"{extra[0]} is in the backup but not in its manifest.")
    return manifest


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _database_load(source: Path, manifest: dict, *, force: bool) -> None:
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(f"The backup holds a {manifest['database']['vendor']} database; DATABASE_URL is {vendor}.")
    dump = source / manifest["database"]["file"]
    if vendor == "postgresql":
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                   f"--dbname={connection.settings_dict['NAME']}"]
        if force:
            command += ["--clean", "--if-exists"]
        connection.close()
        _run([*command, str(dump)])
    else:
        connection.ensure_connection()
        origin = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            origin.backup(connection.connection)
        finally:
            origin.close()
        connection.close()


def _media_entries(manifest: dict) -> list[tuple[str, dict]]:
    """(storage name, manifest entry) of each media file in the backup."""
    return [(_safe_name(e["path"])[len(MEDIA) + 1:], e) for e in manifest["files"] if e["path"].startswith(f"{MEDIA}/")]


def _media_conflict(manifest: dict) -> str | None:
    """The first file the media storage already holds with other content, if any."""
    for name, entry in _media_entries(manifest):
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as handle:
                if hashlib.sha256(handle.read()).hexdigest() != entry["sha256"]:
                    return name
    return None


def _media_load(source: Path, manifest: dict) -> int:
    entries = _media_entries(manifest)
    for name, entry in entries:
        if default_storage.exists(name):
            default_storage.delete(name)
        with (source / entry["path"]).open("rb") as handle:
            stored = default_storage.save(name, File(handle))
        if stored != name:
            raise BackupError(f"The media storage stored {name} as {stored}.")
    return len(entries)


def backup_restore(*, actor: Actor, source: Path, force: bool = False) -> dict:
    """Restore a backup into this (empty) database and media storage, then prove every consent PDF.

    Returns {"files", "signatures"}; raises BackupError naming the first damaged file or the
    first signature whose PDF does not match its record."""
    source = Path(source)
    manifest = backup_verify(source)
    if not database_is_empty() and not force:
        raise BackupError("The database is not empty. Restore into a new, empty database (createdb), or use --force "
                          "to replace its contents.")
    conflict = _media_conflict(manifest)
    if conflict and not force:
        raise BackupError(f"The media folder already holds a different {conflict}; restore into an empty media "
                          "folder, or use --force to overwrite.")
    _database_load(source, manifest, force=force)
    files = _media_load(source, manifest)
    checked, mismatches = consent_pdfs_verify()
    if mismatches:
        raise BackupError(f"{len(mismatches)} of {checked} consent PDFs do not match their records; first: "
                          f"{mismatches[0]}")
    audit_record(actor=actor, action="backup.restore",
                 detail={"created_at": manifest["created_at"], "files": files, "signatures": checked})
    return {"files": files, "signatures": checked}
