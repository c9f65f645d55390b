"""Template filters about the signed-in user's role in a study (for showing tabs, never for access)."""
from django import template

from recruit.models import Membership
from recruit.selectors import study_role

register = template.Library()


@register.filter
def owned_by(study, user) -> bool:
    return study_role(user, study) == Membership.Role.OWNER
