"""Erase the personal data of studies past their end date plus RECRUIT_RETENTION_DAYS."""
from django.core.management.base import BaseCommand

from recruit.services.gdpr import purge, retention_days


class Command(BaseCommand):
    help = "Erase participants of studies that ended more than RECRUIT_RETENTION_DAYS ago (keeps proof of consent)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        result = purge(dry_run=dry_run)
        verb = "would erase" if dry_run else "erased"
        self.stdout.write(
            f"{result['studies']} studies past their end date + {retention_days()} days: {verb} "
            f"{result['erased']} participants; {result['detached']} kept for other studies lost those enrollments."
        )
