from django.core.management.base import BaseCommand, CommandError

from recruit import demo


class Command(BaseCommand):
    help = "Load demo participants, two demo studies and a demo coordinator (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=200, help="how many people (default 200)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")

    def handle(self, *args, participants, seed: int, **options):
        if participants < 50:
            raise CommandError("--participants must be at least 50, so both demo studies can be filled.")
        result = demo.seed(participants=participants, seed=seed)
        self.stdout.write(
            f"Participants: {result.participants_created} created, {result.participants_existing} already there. "
            f"Studies created: {result.studies_created}. Enrollments created: {result.enrollments_created}."
        )
        if result.demo_password:
            self.stdout.write(self.style.SUCCESS(
                f"Log in as '{demo.DEMO_USERNAME}' with the password {result.demo_password} "
                "(shown only this once; `python manage.py changepassword demo` sets a new one)."
            ))
        else:
            self.stdout.write(
                f"The demo user '{demo.DEMO_USERNAME}' already exists; its password was shown when it was created "
                "(`python manage.py changepassword demo` sets a new one)."
            )

