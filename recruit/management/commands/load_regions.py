from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from recruit.models import Region
from recruit.regions import load_regions


class Command(BaseCommand):
    help = "Load or update regions (counties) from a fixture file, e.g. fixtures/regions_no.json."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        try:
            with transaction.atomic():
                count = load_regions(Region, path)
        except (KeyError, ValueError, TypeError) as error:
            raise CommandError(f"{path} is not a region fixture: {error}") from None
        self.stdout.write(f"{count} regions loaded from {path}.")
