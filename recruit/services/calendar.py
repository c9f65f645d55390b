"""Calendar files (RFC 5545) for bookings, made with the icalendar library.

One booking is one event: its UID never changes, and SEQUENCE (the booking's revisions plus
the session's) rises with every change, so a calendar replaces the earlier copy; a
cancellation is the same event with METHOD:CANCEL and STATUS:CANCELLED (RFC 5546, iTIP).
Times are written in the study's zone (Europe/Oslo by default) with its VTIMEZONE, so they
stay right across daylight-saving changes.
"""
import datetime
import zoneinfo
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

PRODID = "-//recruit//scheduling//EN"


def booking_uid(booking) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "recruit"
    return f"booking-{booking.pk}@{host}"


def booking_sequence(booking) -> int:
    return booking.sequence + booking.session.sequence


def booking_ics(booking, *, cancel: bool = False, now: datetime.datetime | None = None) -> bytes:
    """The booking as a calendar file: METHOD:REQUEST, or METHOD:CANCEL for a cancellation."""
    session = booking.session
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("sequence", booking_sequence(booking))
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", f"{session.display_title} – {session.study.title}")
    location = session.place or session.video_link or session.phone
    if location:
        event.add("location", location)
    if session.video_link:
        event.add("url", session.video_link)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or 'noreply@localhost'}")
    organizer.params["cn"] = session.study.title
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.enrollment.participant.email}")
    attendee.params["role"] = "REQ-PARTICIPANT"
    event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_issue(*, user) -> str:
    """A new private feed URL token for the user; earlier feeds stop working."""
    import secrets

    from recruit.models import CalendarFeed
    from recruit.services.links import token_hash

    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    CalendarFeed.objects.create(user=user, token_hash=token_hash(token))
    return token


def feed_revoke(*, user) -> int:
    from recruit.models import CalendarFeed

    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def feed_user(token: str):
    """The user whose live feed this token opens, or None."""
    from recruit.models import CalendarFeed
    from recruit.services.links import token_hash

    feed = CalendarFeed.objects.select_related("user").filter(
        token_hash=token_hash(token), revoked_at__isnull=True, user__is_active=True).first()
    return feed.user if feed else None


def feed_ics(sessions) -> bytes:
    """The sessions as one calendar (no participants' names: a feed URL can end up in many apps)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "recruit")
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "recruit"
    now = timezone.now()
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("sequence", session.sequence)
        event.add("dtstamp", now)
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", session.ends_at.astimezone(zone))
        event.add("summary", f"{session.study.code}: {session.display_title} ({session.booked}/{session.capacity})")
        location = session.place or session.video_link or session.phone
        if location:
            event.add("location", location)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
