from django.db import transaction

from recruit.actors import Actor
from recruit.models import Participant
from recruit.services.access import require_participant_editor, require_study_editor
from recruit.services.audit import audit_record, values_created
from recruit.services.fields import apply_changes, checked_fields

# The fields a coordinator writes; everything else is kept by the system.
EDITABLE_FIELDS = (
    "given_name", "family_name", "email", "phone", "birth_year", "gender", "gp_start_year",
    "is_specialist", "role", "county", "municipality", "practice_setting", "practice_name",
    "hpr_number", "cme_group", "preferred_language", "time_zone", "do_not_contact", "notes",
)


def participant_create(*, actor: Actor, study, **fields) -> Participant:
    """Add a person to the registry through one of the actor's studies."""
    require_study_editor(actor, study)
    participant = Participant(source_study=study, **checked_fields(fields, EDITABLE_FIELDS))
    participant.full_clean()
    with transaction.atomic():
        participant.save()
        audit_record(
            actor=actor, action="participant.create", obj=participant, study=study,
            detail={"changes": values_created(participant, fields)},
        )
    return participant


def participant_update(*, actor: Actor, participant: Participant, **fields) -> Participant:
    require_participant_editor(actor, participant)
    changes = apply_changes(participant, fields, EDITABLE_FIELDS)
    if not changes:
        return participant
    with transaction.atomic():
        participant.save(update_fields=[*changes, "updated_at"])
        # The study it was added through, so that study's owners see the change in their audit log.
        audit_record(
            actor=actor, action="participant.update", obj=participant, study=participant.source_study,
            detail={"changes": changes},
        )
    return participant

