from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.models import Membership, Study
from recruit.services.access import require_study_editor, require_study_owner
from recruit.services.audit import audit_record, values_created
from recruit.services.fields import apply_changes, checked_fields

EDITABLE_FIELDS = (
    "title", "code", "description", "principal_investigator", "ethics_reference",
    "start_date", "end_date", "status",
)


def study_create(*, actor: Actor, **fields) -> Study:
    """Create a study; the creating user becomes its owner."""
    study = Study(**checked_fields(fields, EDITABLE_FIELDS))
    study.full_clean()
    with transaction.atomic():
        study.save()
        if actor.user is not None:
            Membership.objects.create(study=study, user=actor.user, role=Membership.Role.OWNER)
        audit_record(
            actor=actor, action="study.create", obj=study, study=study,
            detail={"changes": values_created(study, fields)},
        )
    return study


def study_update(*, actor: Actor, study: Study, **fields) -> Study:
    require_study_editor(actor, study)
    changes = apply_changes(study, fields, EDITABLE_FIELDS)
    if changes:
        with transaction.atomic():
            study.save(update_fields=list(changes))
            audit_record(actor=actor, action="study.update", obj=study, study=study, detail={"changes": changes})
    return study


def membership_add(*, actor: Actor, study: Study, user, role: str) -> Membership:
    require_study_owner(actor, study)
    membership = Membership(study=study, user=user, role=role)
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        audit_record(
            actor=actor, action="membership.create", obj=membership, study=study,
            detail={"user": user.get_username(), "role": role},
        )
    return membership


def membership_update(*, actor: Actor, membership: Membership, role: str) -> Membership:
    require_study_owner(actor, membership.study)
    old_role = membership.role
    if old_role == role:
        return membership
    with transaction.atomic():
        if old_role == Membership.Role.OWNER:
            _refuse_losing_last_owner(membership)
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role"])
        audit_record(
            actor=actor, action="membership.update", obj=membership, study=membership.study,
            detail={"changes": {"role": [old_role, role]}},
        )
    return membership


def membership_remove(*, actor: Actor, membership: Membership) -> None:
    require_study_owner(actor, membership.study)
    with transaction.atomic():
        if membership.role == Membership.Role.OWNER:
            _refuse_losing_last_owner(membership)
        audit_record(
            actor=actor, action="membership.delete", obj=membership, study=membership.study,
            detail={"user": membership.user.get_username(), "role": membership.role},
        )
        membership.delete()


def _refuse_losing_last_owner(membership: Membership) -> None:
    # Lock the study's owner rows so two owners cannot demote each other at once.
    owners = list(
        Membership.objects.select_for_update()
        .filter(study_id=membership.study_id, role=Membership.Role.OWNER)
        .values_list("pk", flat=True)
    )
    if owners == [membership.pk]:
        raise ValidationError(
            {"role": ValidationError(_("A study must keep at least one owner."), code="last_owner")}
        )

