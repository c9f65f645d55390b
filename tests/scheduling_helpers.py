"""Builders for the scheduling tests: sessions at given times, bookable enrollments."""
import datetime

from django.utils import timezone

from recruit.models import Enrollment, Session
from tests.conftest import make_participant
from tests.consent_support import consent_given


def make_session(study, *, start=None, hours=2, capacity=6, **overrides) -> Session:
    """A session (written directly, without the service's checks) starting `start` or in a week."""
    start = start or timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
    fields = {"kind": Session.Kind.FOCUS_GROUP, "title": "", "capacity": capacity, **overrides}
    return Session.objects.create(study=study, starts_at=start, ends_at=start + datetime.timedelta(hours=hours), **fields)


def make_bookable(study, status="consented", **overrides) -> Enrollment:
    """An enrollment of a new participant, moved straight to a status that can be booked."""
    participant = make_participant(study, **overrides)
    enrollment = Enrollment.objects.get(study=study, participant=participant)
    Enrollment.objects.filter(pk=enrollment.pk).update(status=status)
    enrollment.status = status
    if status in ("consented", "scheduled", "attended", "no_show"):
        consent_given(enrollment)  # those statuses hold a valid signature (the consent gate checks it)
    return enrollment
