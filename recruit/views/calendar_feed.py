"""A coordinator's private, revocable calendar feed of their studies' sessions."""
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruit.actors import Actor, client_ip
from recruit.models import CalendarFeed, Session
from recruit.selectors import studies_visible_to
from recruit.services.audit import audit_record
from recruit.services.calendar import feed_ics, feed_issue, feed_revoke, feed_user
from recruit.services.links import failure_record, failures_exceeded

# How far back a feed reaches; calendars keep what they already fetched.
FEED_PAST = datetime.timedelta(days=90)


@login_required
def calendar_feed_page(request):
    token = request.session.pop("calendar_feed_token", None)
    url = request.build_absolute_uri(reverse("calendar-feed", args=[token])) if token else None
    active = CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).first()
    return render(request, "scheduling/calendar_feed.html", {"url": url, "active": active})


@login_required
@require_POST
def calendar_feed_action(request):
    if request.POST.get("action") == "revoke":
        feed_revoke(user=request.user)
        messages.success(request, _("Your calendar feed address no longer works."))
    else:
        # Shown once, on the next page; only its hash is stored.
        request.session["calendar_feed_token"] = feed_issue(user=request.user)
        messages.success(request, _("A new calendar feed address is ready; the old one no longer works."))
    audit_record(actor=Actor.from_request(request), action=f"calendar_feed.{request.POST.get('action', 'issue')}")
    return redirect("calendar-feed-page")


def calendar_feed(request, token):
    # The token is a credential: guesses count with wrong personal-link tokens, and many from one
    # address in a short time are answered 429 (even a right token, until the window passes).
    ip = client_ip(request)
    if failures_exceeded(ip):
        return HttpResponse(_("Too many wrong addresses. Try again later."), status=429,
                            content_type="text/plain; charset=utf-8")
    user = feed_user(token)
    if user is None:
        failure_record(ip)
        raise Http404
    sessions = (Session.objects.filter(study__in=studies_visible_to(user).values("pk"),
                                       starts_at__gte=timezone.now() - FEED_PAST)
                .select_related("study").order_by("starts_at"))
    response = HttpResponse(feed_ics(sessions), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
