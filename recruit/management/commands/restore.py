"""Restore a backup made by `manage.py backup` into an empty database and media folder."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from recruit.actors import Actor
from recruit.services.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore SRC (made by `manage.py backup`) into the database of DATABASE_URL, which must be empty, and "
            "the media folder; checks the manifest first and every consent PDF's SHA-256 afterwards.")

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="SRC", type=Path)
        parser.add_argument("--force", action="store_true",
                            help="restore even though the database or media folder already holds data (replaced)")

    def handle(self, *args, source, force, **options):
        try:
            result = backup_restore(actor=Actor.system("restore"), source=source, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {source}: {result['files']} media files; all {result['signatures']} consent "
                          "PDFs match the SHA-256 in their records.")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("The backup predates this version of recruit: run `manage.py migrate` next.")
