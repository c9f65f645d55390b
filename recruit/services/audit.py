import json

from django.db import models
from django.forms.models import model_to_dict

from recruit.actors import Actor
from recruit.models import AuditEvent


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    study=None,
    detail: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label or (actor.user.get_username() if actor.user else ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        study=study,
        ip_address=actor.ip,
        detail=detail or {},
    )


def changes_between(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed, JSON-safe."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def values_created(instance: models.Model, fields) -> dict:
    """{field: [None, value]} for a new row's given fields, in the same shape as changes_between."""
    return changes_between({}, model_to_dict(instance, fields=list(fields)))


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def _mentions(value: str) -> list[str]:
    """The ways a string can appear in a JSON column's text: as is and JSON-escaped (SQLite)."""
    escaped = json.dumps(value)[1:-1]
    return list({value, escaped})


def audit_redact_for_participant(participant) -> int:
    """Redact the audit events about a participant (GDPR erasure); returns how many changed.

    The one update the append-only log allows: `detail` becomes exactly {"redacted": true}.
    Covers events on the participant and their enrollments, and events whose detail mentions
    their e-mail, name, HPR number or phone. Who acted, what and when stay.
    """
    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    about = Q(object_type="recruit.participant", object_id=str(participant.pk))
    enrollment_ids = [str(pk) for pk in participant.enrollments.values_list("pk", flat=True)]
    if enrollment_ids:
        about |= Q(object_type="recruit.enrollment", object_id__in=enrollment_ids)
    values = [participant.email, participant.full_name, participant.hpr_number, participant.phone]
    mention = Q()
    for value in values:
        if value and len(value) >= 4:
            for form in _mentions(value):
                mention |= Q(detail_text__icontains=form)
    events = AuditEvent.objects.annotate(detail_text=Cast("detail", TextField()))
    ids = set(events.filter(about).values_list("pk", flat=True))
    if mention:
        ids |= set(events.filter(mention).values_list("pk", flat=True))
    return AuditEvent.objects.filter(pk__in=ids).exclude(detail={"redacted": True}).update(detail={"redacted": True})
