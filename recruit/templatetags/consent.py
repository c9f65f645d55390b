from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from recruit.models.consent import SECTIONS

register = template.Library()


@register.filter
def consent_sections(version):
    """(heading, text) in letter order, the end date added to the end-of-project section."""
    sections = []
    for name, heading in SECTIONS:
        text = getattr(version, name)
        if name == "data_end" and version.end_date:
            text = f"{text}\n\n" + _("The project is scheduled to end on %(date)s.") % {
                "date": date_format(version.end_date)}
        sections.append((str(heading), text))
    return sections


@register.simple_tag
def consent_signatures_for(participant, user):
    """The participant's signature records in the user's studies, newest first (for the participant page)."""
    from recruit.selectors_consent import signatures_visible_to

    return list(
        signatures_visible_to(user).filter(enrollment__participant=participant)
        .select_related("enrollment__study", "version__document").defer("drawn_signature")
        .order_by("-signed_at", "-id")
    )
