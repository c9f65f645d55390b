"""Back up the database and the media files (signed consent PDFs) into a new directory."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recruit.actors import Actor
from recruit.services.backup import BackupError, backup_create


class Command(BaseCommand):
    help = ("Write a backup: the database (pg_dump custom format, or SQLite's online backup), every media file "
            "and a manifest with each file's SHA-256, into DEST (a new or empty directory).")

    def add_arguments(self, parser):
        parser.add_argument("destination", metavar="DEST", type=Path)

    def handle(self, *args, destination, **options):
        try:
            manifest = backup_create(actor=Actor.system("backup"), destination=destination)
        except BackupError as error:
            raise CommandError(str(error)) from None
        media = len(manifest["files"]) - 1
        self.stdout.write(f"Backup written to {destination}: database ({manifest['database']['vendor']}), "
                          f"{media} media files, {manifest['signatures']} signatures with their PDFs checked.")
