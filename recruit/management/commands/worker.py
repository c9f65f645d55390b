"""The task worker: django-tasks' db_worker, after resuming what a stopped worker left behind
(recruit/services/worker.py). Run this instead of db_worker."""
from django.core.management import call_command
from django.core.management.base import BaseCommand

from recruit.services.worker import worker_id, worker_resume


class Command(BaseCommand):
    help = ("Run the background task worker (e-mails, campaigns), first resuming what a stopped worker left: "
            "use this instead of db_worker.")

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="*", help="queues to work on, comma-separated (default: all)")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between looks for new tasks when idle (default 1)")

    def handle(self, *args, queue_name, interval, **options):
        resumed = worker_resume()
        self.stdout.write(
            f"Resumed: {resumed['campaigns']} sending campaigns, {resumed['requeued']} due e-mails queued again; "
            f"{resumed['interrupted']} e-mails interrupted by a stopped worker marked failed (not resent); "
            f"{resumed['orphaned']} orphaned tasks marked failed."
        )
        call_command("db_worker", queue_name=queue_name, interval=interval, reload=False, startup_delay=False,
                     worker_id=worker_id(), verbosity=options["verbosity"])
