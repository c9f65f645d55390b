"""Withdrawal: as easy as consent, from the participant's link or recorded by a coordinator.

Cancels the bookings still to come, moves the enrollment to withdrawn, and keeps minimal proof:
the Withdrawal row (when, how, the reason if one was given) and the signature records, now marked
withdrawn, with their PDFs unchanged. Export, erasure and others call withdraw() rather than
re-implementing it.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.models import Enrollment, SignatureRecord, Withdrawal
from recruit.pipeline import Status
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record
from recruit.services.enrollments import enrollment_transition
from recruit.services.links import links_revoke

MAX_REASON = 2000


def _cancel_bookings(*, actor: Actor, enrollment: Enrollment, reason: str) -> int:
    # Scheduling owns bookings (imported here: bookings reads the consent gate, which reads consent).
    from recruit.services.bookings import bookings_cancel_for_enrollment

    return bookings_cancel_for_enrollment(actor=actor, enrollment=enrollment, reason=reason)


def withdraw(
    *, actor: Actor, enrollment: Enrollment, reason: str = "", channel: str = Withdrawal.Channel.LINK,
) -> Withdrawal:
    """Withdraw an enrollment from the study, or refuse with a clear reason (nothing changed)."""
    require_study_editor(actor, enrollment.study)
    if channel not in Withdrawal.Channel.values:
        raise ValidationError({"channel": ValidationError(_("Choose how the withdrawal was received."),
                                                          code="bad_channel")})
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": ValidationError(
            _("The reason has at most %(n)s characters."), code="reason_long", params={"n": MAX_REASON})})
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().select_related("study", "participant").get(pk=enrollment.pk)
        if locked.status == Status.WITHDRAWN:
            raise ValidationError(_("This participant has already withdrawn."), code="already_withdrawn")
        cancelled = _cancel_bookings(actor=actor, enrollment=locked, reason=_("Withdrawn from the study"))
        now = timezone.now()
        withdrawal = Withdrawal.objects.create(
            enrollment=locked, at=now, channel=channel, reason=reason, recorded_by=actor.user,
            recorded_by_label=actor.label[:50], cancelled_bookings=cancelled,
        )
        signatures = SignatureRecord.objects.filter(enrollment=locked, withdrawn_at__isnull=True)
        withdrawn_signatures = signatures.update(withdrawn_at=now, withdrawal=withdrawal)
        # Cancelling a booking may have moved the enrollment (scheduled -> consented): read it again.
        locked.refresh_from_db(fields=["status", "status_changed_at"])
        enrollment_transition(actor=actor, enrollment=locked, to_status=Status.WITHDRAWN,
                              note=f"withdrawal {withdrawal.pk} ({channel})")
        links_revoke(enrollment=locked, purpose="consent")
        audit_record(actor=actor, action="consent.withdraw", obj=withdrawal, study=locked.study,
                     detail={"enrollment": locked.pk, "channel": channel, "gave_reason": bool(reason),
                             "bookings_cancelled": cancelled, "signatures": withdrawn_signatures})
    enrollment.status, enrollment.status_changed_at = locked.status, locked.status_changed_at
    return withdrawal
