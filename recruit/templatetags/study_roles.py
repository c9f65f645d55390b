"""What the signed-in user may do in a study, for showing tabs (never for access: the views check that)."""
from django import template

from recruit.models import Membership
from recruit.selectors import EDIT_ROLES, study_role

register = template.Library()


@register.simple_tag
def study_access(study, user) -> dict:
    """One query, so every study page shows the same tabs whatever its view put in the context."""
    role = study_role(user, study)
    return {"is_owner": role == Membership.Role.OWNER, "can_edit": role in EDIT_ROLES}
