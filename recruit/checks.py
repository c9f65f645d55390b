"""Deployment checks of recruit's own settings, reported by `manage.py check --deploy`."""
from django.conf import settings
from django.core import checks

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@checks.register(checks.Tags.security, deploy=True)
def email_encrypted(app_configs, **kwargs):
    """Invitations and reminders carry personal links: sent in clear text to a relay elsewhere, anyone on the
    network between could read them. A relay on this machine (the production default) hands them on itself."""
    if not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        return []
    if settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL or settings.EMAIL_HOST in LOCAL_HOSTS:
        return []
    return [checks.Warning(
        f"E-mail goes to {settings.EMAIL_HOST} without TLS, and the messages carry participants' personal links.",
        hint="Use EMAIL_URL=smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465.",
        id="recruit.W001",
    )]
