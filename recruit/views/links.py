"""The entry point of every personal link, and the guard of every participant page.

GET /l/<token>/ exchanges the token for a short session and redirects to the purpose's own
page, so the token never appears in a later URL or Referer (as Django's password reset does).
"""
import functools

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers

from recruit.actors import client_ip
from recruit.models import PersonalLink
from recruit.services.links import LinkError, failure_record, failures_exceeded, link_check, link_open
from recruit.timezones import activate_for_participant

# Where each purpose's link leads; a feature adds its page here.
LANDINGS: dict[str, str] = {}


def session_key(purpose: str) -> str:
    return f"link:{purpose}"


def private(response):
    """No caching and no Referer for pages that belong to one participant."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    return response


def link_error(request, error: LinkError, status: int = 410):
    return private(render(request, "participant/link_error.html", {"message": error.message}, status=status))


def link_entry(request, token):
    ip = client_ip(request)
    if failures_exceeded(ip):
        return private(render(request, "participant/too_many.html", status=429))
    try:
        link = link_open(token)
    except LinkError as error:
        failure_record(ip)
        return link_error(request, error, status=404 if error.code == "unknown" else 410)
    request.session.cycle_key()
    request.session[session_key(link.purpose)] = link.pk
    request.session.set_expiry(settings.RECRUIT_LINK_SESSION_SECONDS)
    try:
        target = reverse(LANDINGS[link.purpose])
    except (KeyError, NoReverseMatch):
        target = reverse("link-landing")
        request.session["link:landing"] = link.purpose
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, link.enrollment.participant.preferred_language,
        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE, httponly=True,
    )
    return private(response)


def link_landing(request):
    """Shown for a purpose whose page does not exist (yet): the link worked, nothing to do here."""
    return private(render(request, "participant/landing.html"))


def participant_link_required(purpose: str, *, allow_completed: bool = False):
    """Guard a participant page: the session must hold a valid link of this purpose.

    Sets request.link and request.enrollment (with participant and study).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            link_id = request.session.get(session_key(purpose))
            link = (
                PersonalLink.objects.select_related("enrollment__participant", "enrollment__study")
                .filter(pk=link_id, purpose=purpose)
                .first()
                if link_id
                else None
            )
            if link is None:
                return link_error(request, LinkError("unknown"), status=403)
            try:
                link_check(link)
            except LinkError as error:
                if not (allow_completed and error.code == "completed"):
                    return link_error(request, error)
            request.link, request.enrollment = link, link.enrollment
            activate_for_participant(request, link.enrollment.participant)
            response = private(view(request, *args, **kwargs))
            # These URLs hold no token, and under no-referrer Chromium sends "Origin: null" with a
            # form's POST, which Django's CSRF check refuses; same-origin still tells no other site.
            response["Referrer-Policy"] = "same-origin"
            return response

        return wrapped

    return decorator
