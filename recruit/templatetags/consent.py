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
                "date": date_format(version.end_date, "j F Y")}
        sections.append((str(heading), text))
    return sections
