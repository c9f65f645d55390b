from django.core.management.base import BaseCommand

from recruit.services.campaigns import campaign_reminders_queue, campaigns_send_due


class Command(BaseCommand):
    help = (
        "Queue due campaign reminders and send the campaigns' due messages. Run it every few minutes "
        "(cron or a systemd timer); running it twice, or beside the worker, sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reminders-only", action="store_true", help="queue reminders, send nothing")

    def handle(self, *args, reminders_only, **options):
        reminders = campaign_reminders_queue()
        sent = 0 if reminders_only else campaigns_send_due()
        self.stdout.write(f"{reminders} reminders queued, {sent} messages sent.")
