"""Who is acting: a signed-in user, a participant through a personal link, or the system.

Services take an Actor so the audit log and the status history record the same facts
whichever entry point (page, API, admin, command, task) did the work.
"""
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class Actor:
    user: object | None = None
    ip: str | None = None
    label: str = ""
    # Trusted actors were authorised by other means (a command run on the server, a task, a
    # participant's verified personal link); services skip the study-membership checks for them.
    trusted: bool = False

    @classmethod
    def from_request(cls, request, label: str = "") -> "Actor":
        user = getattr(request, "user", None)
        if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
            user = None
        return cls(user=user, ip=client_ip(request), label=label)

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(user=None, ip=None, label=label, trusted=True)

    @classmethod
    def participant(cls, request) -> "Actor":
        """A participant acting through a personal link the caller has already verified."""
        return cls(user=None, ip=client_ip(request), label="participant", trusted=True)

    @property
    def is_superuser(self) -> bool:
        return bool(self.user is not None and self.user.is_superuser)

    def __str__(self):
        if self.user is not None:
            return self.user.get_username()
        return self.label or "anonymous"


def client_ip(request) -> str | None:
    # REMOTE_ADDR is the only address we can trust; a proxy in front must set it (gunicorn
    # --forwarded-allow-ips) rather than have us believe any X-Forwarded-For header.
    return request.META.get("REMOTE_ADDR") or None
