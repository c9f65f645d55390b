from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from recruit import spreadsheets
from recruit.actors import Actor
from recruit.models import Study
from recruit.services.imports import IMPORTABLE_FIELDS, ImportRejected, participants_import


class Command(BaseCommand):
    help = (
        "Import participants from a CSV or XLSX file into the registry through a study. Every row is "
        "validated first; by default nothing is imported while any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv (UTF-8 or Windows-1252) or .xlsx file; the first row names the columns")
        parser.add_argument("--study", required=True, help="the study's short code, e.g. GPQI-2026")
        parser.add_argument("--skip-bad-rows", action="store_true", help="import the good rows and report the bad ones")
        parser.add_argument(
            "--update-fields", nargs="+", default=[], metavar="FIELD", choices=IMPORTABLE_FIELDS,
            help="fields to update on participants already in the registry (matched by HPR number, then e-mail); "
                 "by default they are left as they are",
        )
        parser.add_argument(
            "--mapping", nargs="+", default=[], metavar="COLUMN=FIELD",
            help="which column holds which field, e.g. 'Fornavn=given_name'; unnamed columns are recognised "
                 "by common Norwegian and English headings",
        )

    def handle(self, *args, file, study, skip_bad_rows, update_fields, mapping, **options):
        study_obj = Study.objects.filter(code=study.strip().upper()).first()
        if study_obj is None:
            raise CommandError(f"No study has the code {study!r}.")
        path = Path(file)
        try:
            table = spreadsheets.read_table(path.read_bytes(), path.name)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        except spreadsheets.SpreadsheetError as error:
            raise CommandError(str(error)) from error

        explicit = {}
        for pair in mapping:
            column, sep, name = pair.partition("=")
            if not sep:
                raise CommandError(f"--mapping takes COLUMN=FIELD, not {pair!r}.")
            if name.strip() not in IMPORTABLE_FIELDS:
                raise CommandError(f"{name.strip()!r} is not a field; choose from {', '.join(IMPORTABLE_FIELDS)}.")
            explicit[column.strip()] = name.strip()
        guessed = spreadsheets.guess_mapping(table.headers, IMPORTABLE_FIELDS, explicit)
        missing = set(explicit) - set(table.headers)
        if missing:
            raise CommandError(f"No column named {', '.join(sorted(missing))} in the file.")

        try:
            result = participants_import(
                actor=Actor.system("import_participants"), study=study_obj, table=table, mapping=guessed,
                update_fields=update_fields, skip_bad_rows=skip_bad_rows, filename=path.name,
            )
        except ImportRejected as rejected:
            self._report_errors(rejected.plan.errors)
            raise CommandError(rejected.messages[0]) from rejected
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if result.errors:
            self.stderr.write(f"Skipped {len(set(e['row'] for e in result.errors))} bad rows:")
            self._report_errors(result.errors)
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.skipped} skipped."
        )

    def _report_errors(self, errors):
        for error in errors:
            error = error if isinstance(error, dict) else error.__dict__
            self.stderr.write(f"Row {error['row']}, {error['column'] or error['field']}: {error['message']}")
