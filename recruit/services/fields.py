from django.db import models
from django.forms.models import model_to_dict

from recruit.services.audit import changes_between


def checked_fields(fields: dict, allowed: tuple[str, ...]) -> dict:
    """The fields, refusing any a caller may not write (a programming error, not user input)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"not writable: {', '.join(sorted(unknown))}")
    return fields


def apply_changes(instance: models.Model, fields: dict, allowed: tuple[str, ...]) -> dict:
    """Set the fields on the instance, validate it, and return {field: [old, new]} of what changed."""
    checked_fields(fields, allowed)
    before = model_to_dict(instance, fields=list(fields))
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    return changes_between(before, model_to_dict(instance, fields=list(fields)))
