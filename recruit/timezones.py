"""The viewer's time zone: times are stored aware (UTC) and shown in the zone of whoever reads them.

Where the zone comes from, first match wins:
  1. a participant's stored time zone (Participant.time_zone, set by a coordinator), on their
     personal-link pages and in every e-mail to them;
  2. the browser's own zone, which static/js/timezone.js puts in the COOKIE (no account setting
     to keep up to date, and it follows a coordinator who travels);
  3. settings.TIME_ZONE (Europe/Oslo), where the sessions take place.
E-mails are sent by background tasks, with no browser: they use 1, else 3. Pages label times
with the zone they are shown in.
"""
import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

COOKIE = "recruit_tz"


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(known_zones())]


def checked_zone(name) -> zoneinfo.ZoneInfo | None:
    """The zone of that IANA name, or None for anything else (a cookie is user input)."""
    if not isinstance(name, str) or name not in known_zones():
        return None
    return zoneinfo.ZoneInfo(name)


def validate_zone(value: str) -> None:
    if value and checked_zone(value) is None:
        raise ValidationError(_("Choose a time zone such as Europe/Oslo."), code="unknown_time_zone")


def zone_for(participant) -> zoneinfo.ZoneInfo:
    """The zone a participant's e-mails are written in: theirs if set, else the study default."""
    return checked_zone(getattr(participant, "time_zone", "")) or zoneinfo.ZoneInfo(settings.TIME_ZONE)


def activate_for_participant(request, participant) -> None:
    """On a participant's page, their stored zone wins over the browser's."""
    zone = checked_zone(participant.time_zone)
    if zone is not None:
        timezone.activate(zone)
        request.time_zone_source = "participant"


class TimeZoneMiddleware:
    """Activates the browser's zone from the cookie for the request, and nothing after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = checked_zone(request.COOKIES.get(COOKIE))
        if zone is not None:
            timezone.activate(zone)
            request.time_zone_source = "browser"
        else:
            timezone.deactivate()
            request.time_zone_source = "default"
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
