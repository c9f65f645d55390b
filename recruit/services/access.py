"""The permission checks services make, so every entry point refuses the same writes."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.selectors import EDIT_ROLES, participants_editable_by, study_role
from recruit.models import Membership


def require_study_editor(actor: Actor, study) -> None:
    if actor.trusted:
        return
    if study_role(actor.user, study) not in EDIT_ROLES:
        raise PermissionDenied(_("You may not change study %(code)s.") % {"code": study.code})


def require_study_owner(actor: Actor, study) -> None:
    if actor.trusted:
        return
    if study_role(actor.user, study) != Membership.Role.OWNER:
        raise PermissionDenied(_("Only the study's owners may do this."))


def require_participant_editor(actor: Actor, participant) -> None:
    if actor.trusted:
        return
    if not participants_editable_by(actor.user).filter(pk=participant.pk).exists():
        raise PermissionDenied(_("You may not change this participant."))
