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
