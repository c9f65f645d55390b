from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitConfig(AppConfig):
    name = "recruit"
    verbose_name = _("Recruitment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from recruit import checks  # noqa: F401 - registers the deployment checks
        # Register the booking e-mails' renderers wherever messages are sent (pages, worker, commands).
        from recruit.services import availability, booking_messages  # noqa: F401
        # Register the outbox renderers of each feature (the worker imports no views).
        from recruit.services import consent_requests  # noqa: F401
