from django.core.management.base import BaseCommand

from recruit.services.messages import messages_send_due


class Command(BaseCommand):
    help = "Send queued e-mails that are due (run every few minutes; safe to run alongside the worker)."

    def handle(self, *args, **options):
        sent = messages_send_due()
        self.stdout.write(f"{sent} messages sent.")
