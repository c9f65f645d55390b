"""The participant's own booking page, reached through a personal link (purpose "booking").

It shows open sessions with the number of seats left, never who else is coming. GET shows;
POST books, moves or cancels through the same services as the coordinators' pages, with the
participants' deadline.
"""
import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.models import Booking, SchedulingSettings, Session
from recruit.services.bookings import booking_cancel, booking_create, booking_move
from recruit.services.calendar import booking_ics
from recruit.views.links import LANDINGS, participant_link_required

LANDINGS["booking"] = "self-booking"

# The booking services word their refusals for coordinators ("the participant has not given one");
# on this page the participant reads them, so these are said to them instead.
PARTICIPANT_MESSAGES = {
    "no_consent": gettext_lazy("This time needs your signed consent first. Sign the consent form the study team "
                               "sent you by e-mail (or ask them for a new link), then come back to book."),
    "already_booked": gettext_lazy("You already have a place at this time."),
    "participant_overlap": gettext_lazy("You are already booked at a time that overlaps this one."),
    "not_bookable": gettext_lazy("You cannot book a time in this study now. Contact the study team if you think "
                                 "this is wrong."),
    "restricted": gettext_lazy("You cannot book a time in this study now. Contact the study team if you think "
                               "this is wrong."),
}


def same_origin_referrer(view):
    """Pages with forms: with Referrer-Policy no-referrer, browsers post `Origin: null`, which Django's
    CSRF check refuses. These pages carry no token in their URL (the link entry moved it into the
    session), so same-origin is safe: other sites still get no Referer."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


def _mine(enrollment):
    return (Booking.objects.filter(enrollment=enrollment, status__in=Booking.ACTIVE)
            .select_related("session__study").order_by("session__starts_at"))


@same_origin_referrer
@participant_link_required("booking")
def self_booking(request):
    enrollment = request.enrollment
    settings = SchedulingSettings.for_study(enrollment.study)
    now = timezone.now()
    cutoff = now + timezone.timedelta(hours=settings.participant_deadline_hours)
    mine = list(_mine(enrollment))
    held = {b.session_id for b in mine}
    current = next((b for b in mine if b.status == Booking.Status.BOOKED and b.session.starts_at > now), None)
    open_sessions = [] if not settings.self_booking else list(
        Session.objects.filter(study=enrollment.study, starts_at__gt=cutoff).exclude(pk__in=held)
        .only("id", "study_id", "kind", "title", "starts_at", "ends_at", "place", "video_link", "phone",
              "capacity", "booked")
        .order_by("starts_at")
    )
    for booking in mine:
        booking.changeable = settings.self_booking and booking.session.starts_at > cutoff
    return render(request, "scheduling/self_booking.html", {
        "enrollment": enrollment, "settings": settings, "mine": mine, "current": current,
        "open_sessions": open_sessions, "deadline_hours": settings.participant_deadline_hours,
    })


def _act(request, action):
    try:
        action()
    except ValidationError as error:
        errors = (error.error_list if not hasattr(error, "error_dict")
                  else [e for field in error.error_dict.values() for e in field])
        messages.error(request, " ".join(
            str(PARTICIPANT_MESSAGES[e.code]) if e.code in PARTICIPANT_MESSAGES else " ".join(e.messages)
            for e in errors
        ))
        return False
    return True


@require_POST
@participant_link_required("booking")
def self_booking_book(request):
    enrollment = request.enrollment
    session = get_object_or_404(Session.objects.select_related("study"), pk=request.POST.get("session") or 0,
                                study=enrollment.study)
    actor = Actor.participant(request)
    current = _mine(enrollment).filter(status=Booking.Status.BOOKED, session__starts_at__gt=timezone.now()).first()
    if current is not None and request.POST.get("move"):
        if _act(request, lambda: booking_move(actor=actor, booking=current, session=session,
                                              source=Booking.Source.PARTICIPANT)):
            messages.success(request, _("Your booking is moved. We have sent you the new details."))
    else:
        result = {}

        def book():
            result["booking"] = booking_create(actor=actor, session=session, enrollment=enrollment,
                                               source=Booking.Source.PARTICIPANT,
                                               waitlist=bool(request.POST.get("waitlist")))

        if _act(request, book):
            if result["booking"].status == Booking.Status.WAITLISTED:
                messages.success(request, _("You are on the waitlist. We will write to you if a seat becomes free."))
            else:
                messages.success(request, _("You are booked. We have sent you a confirmation."))
    return redirect("self-booking")


@require_POST
@participant_link_required("booking")
def self_booking_cancel(request):
    booking = get_object_or_404(_mine(request.enrollment), pk=request.POST.get("booking") or 0)
    if _act(request, lambda: booking_cancel(actor=Actor.participant(request), booking=booking,
                                            reason=_("Cancelled by the participant"))):
        messages.success(request, _("Your booking is cancelled."))
    return redirect("self-booking")


@participant_link_required("booking")
def self_booking_calendar(request, booking_pk):
    booking = get_object_or_404(
        Booking.objects.filter(enrollment=request.enrollment, status=Booking.Status.BOOKED)
        .select_related("session__study", "enrollment__participant"), pk=booking_pk)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8; method=REQUEST")
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.pk}.ics"'
    return response
