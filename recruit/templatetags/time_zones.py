"""{% zone_label %}: the zone the page shows times in, for beside a time ("(America/New York)")."""
from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def zone_label():
    name = timezone.get_current_timezone_name()
    return format_html('<span class="time-zone">({})</span>', name.replace("_", " "))
