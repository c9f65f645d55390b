"""The recruitment pipeline: an enrollment's statuses and the moves allowed between them.

One place for the rule; the page, the API, the admin and the commands all go through
services.enrollments.enrollment_transition, which asks this module.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    INVITED = "invited", _("Invited")
    RESPONDED = "responded", _("Responded")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    CONSENTED = "consented", _("Consented")
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Status
# Withdrawal is possible from every status but itself: participation is voluntary at every step.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.INVITED: frozenset({S.RESPONDED, S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN}),
    S.RESPONDED: frozenset({S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN}),
    # A screening decision can be corrected.
    S.ELIGIBLE: frozenset({S.INELIGIBLE, S.CONSENTED, S.WITHDRAWN}),
    S.INELIGIBLE: frozenset({S.ELIGIBLE, S.WITHDRAWN}),
    # Consented -> eligible when a new consent version must be signed again.
    S.CONSENTED: frozenset({S.ELIGIBLE, S.SCHEDULED, S.WITHDRAWN}),
    # Scheduled -> consented when the booking is cancelled.
    S.SCHEDULED: frozenset({S.CONSENTED, S.ATTENDED, S.NO_SHOW, S.WITHDRAWN}),
    # Attendance can be corrected; a no-show can be booked again.
    S.ATTENDED: frozenset({S.NO_SHOW, S.WITHDRAWN}),
    S.NO_SHOW: frozenset({S.ATTENDED, S.SCHEDULED, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
}

# The funnel's stages, in order; a status counts as having reached every stage up to its own.
FUNNEL = [S.INVITED, S.RESPONDED, S.ELIGIBLE, S.CONSENTED, S.SCHEDULED, S.ATTENDED]


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def allowed_next(from_status: str) -> list[str]:
    """The statuses reachable from from_status, in pipeline order."""
    allowed = TRANSITIONS.get(from_status, frozenset())
    return [status for status in Status.values if status in allowed]
