from django import template

from recruit.funnel_selectors import study_funnel

register = template.Library()


@register.inclusion_tag("recruitment/funnel_card.html")
def recruitment_funnel(study):
    """The study's recruitment funnel and its weekly progress, as SVG charts with tables."""
    return {"study": study, "funnel": study_funnel(study)}
