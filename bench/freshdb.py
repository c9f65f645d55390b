"""The benchmarks' own database, emptied and migrated: a SQLite file is removed, a PostgreSQL schema dropped.

Each benchmark sets DATABASE_URL to a database of its own before Django starts, so this never
touches the database `make run` serves.
"""
from pathlib import Path


def fresh_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
