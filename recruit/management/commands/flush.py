"""Django's flush, able to empty the append-only audit table on SQLite.

flush deliberately wipes every table. PostgreSQL empties tables with TRUNCATE, which the audit
trigger (a row trigger on UPDATE and DELETE) does not see; SQLite empties them with DELETE,
which it refuses. So on SQLite the audit triggers are set aside for the flush and put back,
exactly as they were, in the same step. The test runner flushes between transactional tests.
"""
from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'recruit_auditevent'"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')  # noqa: S608 - names read from sqlite_master
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
