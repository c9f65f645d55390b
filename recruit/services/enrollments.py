from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recruit import pipeline
from recruit.actors import Actor
from recruit.models import Enrollment, Participant, StatusChange
from recruit.selectors import participants_visible_to
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record
from recruit.services.consent_gate import has_valid_consent


def enrollment_create(
    *, actor: Actor, study, participant: Participant, status: str = pipeline.Status.INVITED, note: str = ""
) -> Enrollment:
    """Enrol a participant the actor can see into one of the actor's studies."""
    require_study_editor(actor, study)
    if not actor.trusted and not participants_visible_to(actor.user).filter(pk=participant.pk).exists():
        raise PermissionDenied(_("You may not enrol this participant."))
    if status not in (pipeline.Status.INVITED, pipeline.Status.RESPONDED, pipeline.Status.ELIGIBLE):
        raise ValidationError(
            {"status": ValidationError(
                _("A new enrollment starts as invited, responded or eligible."), code="bad_initial_status"
            )}
        )
    enrollment = Enrollment(study=study, participant=participant, status=status)
    enrollment.full_clean()
    with transaction.atomic():
        enrollment.save()
        _record_change(actor, enrollment, "", status, note)
    return enrollment


def enrollment_transition(*, actor: Actor, enrollment: Enrollment, to_status: str, note: str = "") -> Enrollment:
    """Move an enrollment along the pipeline, or refuse with a clear reason."""
    require_study_editor(actor, enrollment.study)
    from_status = enrollment.status
    if to_status not in pipeline.Status.values:
        raise ValidationError(
            {"status": ValidationError(_("%(status)s is not a pipeline status."), code="unknown_status",
                                       params={"status": to_status})}
        )
    if not pipeline.can_transition(from_status, to_status):
        allowed = ", ".join(str(pipeline.Status(s).label) for s in pipeline.allowed_next(from_status))
        raise ValidationError(
            {"status": ValidationError(
                _("An enrollment cannot move from %(from)s to %(to)s. From %(from)s it can move to: %(allowed)s."),
                code="transition_not_allowed",
                params={
                    "from": pipeline.Status(from_status).label,
                    "to": pipeline.Status(to_status).label,
                    "allowed": allowed or _("nothing (this is a final status)"),
                },
            )}
        )
    # Consented means signed: only a valid signature (services.signing) makes the move, never a click.
    # Scheduled -> consented is a cancelled booking, not a new consent.
    if (to_status == pipeline.Status.CONSENTED and from_status != pipeline.Status.SCHEDULED
            and not has_valid_consent(enrollment)):
        raise ValidationError(
            {"status": ValidationError(
                _("An enrollment becomes consented only when the participant signs the study's current "
                  "consent version. Send a consent request from the study's Consent page instead."),
                code="consent_required",
            )}
        )
    now = timezone.now()
    with transaction.atomic():
        # The status in the WHERE clause makes two concurrent moves from one status unable to both win.
        moved = Enrollment.objects.filter(pk=enrollment.pk, status=from_status).update(
            status=to_status, status_changed_at=now
        )
        if not moved:
            raise ValidationError(
                {"status": ValidationError(
                    _("This enrollment was changed by someone else meanwhile; reload and try again."),
                    code="concurrent_change",
                )}
            )
        enrollment.status, enrollment.status_changed_at = to_status, now
        _record_change(actor, enrollment, from_status, to_status, note)
    return enrollment


def _record_change(actor: Actor, enrollment: Enrollment, from_status: str, to_status: str, note: str) -> None:
    StatusChange.objects.create(
        enrollment=enrollment, from_status=from_status, to_status=to_status,
        actor=actor.user, actor_label=actor.label, note=note[:500],
    )
    audit_record(
        actor=actor,
        action="enrollment.create" if not from_status else "enrollment.transition",
        obj=enrollment,
        study=enrollment.study,
        detail={"from": from_status, "to": to_status},
    )
