"""Personal links: the one token scheme for every participant-facing page.

A token is `secrets.token_urlsafe(32)`; only its SHA-256 is stored. A link has one purpose
and one enrollment, expires, and stops working once it has done its job or is revoked.
"""
import contextlib
import contextvars
import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruit.models import Enrollment, LinkFailure, PersonalLink

DEFAULT_DAYS = 14
# Bad tokens allowed from one address within the window before answering 429.
FAILURE_LIMIT = 20
FAILURE_WINDOW = datetime.timedelta(minutes=15)


class LinkError(Exception):
    """Why a link does not open, in words for the participant."""

    MESSAGES = {
        "unknown": _("This link is not valid. Check that you copied the whole address from the e-mail."),
        "expired": _("This link has expired. Ask the study team for a new one."),
        "completed": _("This link has already been used. Ask the study team if you need a new one."),
        "revoked": _("This link is no longer valid. Ask the study team for a new one."),
        "wrong_purpose": _("This link is not for this page."),
    }

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.code])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Set inside links_issued_together(): links issued there wait in this list for one bulk insert.
_pending: contextvars.ContextVar[list | None] = contextvars.ContextVar("pending_links", default=None)


def link_issue(*, enrollment: Enrollment, purpose: str, days: int | None = None) -> tuple[PersonalLink, str]:
    """A new link and its token; the token is returned once and never stored."""
    if purpose not in PersonalLink.Purpose.values:
        raise ValueError(f"unknown link purpose {purpose!r}")
    token = secrets.token_urlsafe(32)
    days = days or settings.RECRUIT_LINK_DAYS.get(purpose, DEFAULT_DAYS)
    link = PersonalLink(
        token_hash=token_hash(token), purpose=purpose, enrollment=enrollment,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    pending = _pending.get()
    if pending is None:
        link.save(force_insert=True)
    else:
        pending.append(link)
    return link, token


@contextlib.contextmanager
def links_issued_together():
    """Links issued inside the block are inserted together when it ends (a campaign batch renders
    hundreds of messages with two links each: one INSERT per batch instead of one per link).

    Use it inside a transaction, so the links and what refers to them are committed together;
    the links' ids are unset until the block ends.
    """
    pending: list[PersonalLink] = []
    reset = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(reset)
    PersonalLink.objects.bulk_create(pending, batch_size=500)


def link_url(token: str) -> str:
    """The address to put in an e-mail."""
    return f"{settings.SITE_URL}/l/{token}/"


def link_open(token: str) -> PersonalLink:
    """The link for a token presented in a URL, recording the first visit; raises LinkError."""
    link = PersonalLink.objects.select_related("enrollment").filter(token_hash=token_hash(token)).first()
    if link is None:
        raise LinkError("unknown")
    link_check(link)
    if link.first_used_at is None:
        PersonalLink.objects.filter(pk=link.pk, first_used_at__isnull=True).update(first_used_at=timezone.now())
        link.refresh_from_db(fields=["first_used_at"])
    return link


def link_check(link: PersonalLink, purpose: str | None = None) -> None:
    if purpose is not None and link.purpose != purpose:
        raise LinkError("wrong_purpose")
    if link.revoked_at is not None:
        raise LinkError("revoked")
    if link.completed_at is not None:
        raise LinkError("completed")
    if link.expires_at <= timezone.now():
        raise LinkError("expired")


def link_complete(link: PersonalLink) -> bool:
    """Mark the link used for its one job; False if another request completed it first."""
    done = PersonalLink.objects.filter(pk=link.pk, completed_at__isnull=True).update(completed_at=timezone.now())
    link.refresh_from_db(fields=["completed_at"])
    return bool(done)


def links_revoke(*, enrollment: Enrollment, purpose: str) -> int:
    """Revoke an enrollment's open links of one purpose (e.g. before sending a new one)."""
    return PersonalLink.objects.filter(
        enrollment=enrollment, purpose=purpose, revoked_at__isnull=True, completed_at__isnull=True
    ).update(revoked_at=timezone.now())


def failures_exceeded(ip: str | None) -> bool:
    since = timezone.now() - FAILURE_WINDOW
    return LinkFailure.objects.filter(ip_address=ip, at__gte=since).count() >= FAILURE_LIMIT


@transaction.atomic
def failure_record(ip: str | None) -> None:
    LinkFailure.objects.create(ip_address=ip)
    # Keep the table small: old failures no longer count.
    LinkFailure.objects.filter(at__lt=timezone.now() - FAILURE_WINDOW * 4).delete()
