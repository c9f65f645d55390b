"""A study's sessions: the calendar (list, week, month), a session with who is booked, and the forms."""
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.models import Booking, Session
from recruit.scheduling_forms import AttendanceForm, BookingForm, MoveForm, SessionForm
from recruit.selectors import EDIT_ROLES, studies_visible_to, study_role
from recruit.services import consent_gate
from recruit.services.audit import audit_record
from recruit.services.bookings import (
    BOOKABLE_STATUSES,
    NO_SHOW_FLAG_AT,
    booking_cancel,
    booking_create,
    booking_mark_attendance,
    booking_move,
    unexcused_no_shows,
)
from recruit.services.sessions import session_create, session_update
from recruit.views.helpers import add_service_errors

CALENDAR_VIEWS = ("list", "week", "month")


def _study(request, pk, *, edit=False):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    role = study_role(request.user, study)
    if edit and role not in EDIT_ROLES:
        raise PermissionDenied
    return study, role in EDIT_ROLES


def _session(study, session_pk):
    return get_object_or_404(Session.objects.filter(study=study).select_related("study", "moderator", "co_moderator"),
                             pk=session_pk)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
def session_list(request, pk):
    study, can_edit = _study(request, pk)
    view = request.GET.get("view") if request.GET.get("view") in CALENDAR_VIEWS else "list"
    today = timezone.localdate()
    anchor = parse_date(request.GET.get("date") or "") or today
    sessions = study.sessions.select_related("moderator").order_by("starts_at", "pk")
    context = {"study": study, "can_edit": can_edit, "view": view, "today": today, "section": "sessions"}
    if view == "list":
        past = request.GET.get("when") == "past"
        now = timezone.now()
        sessions = sessions.filter(ends_at__lt=now).order_by("-starts_at") if past else sessions.filter(ends_at__gte=now)
        context.update(sessions=sessions, past=past)
        return render(request, "scheduling/session_list.html", context)
    if view == "week":
        start = anchor - datetime.timedelta(days=anchor.weekday())
        end = start + datetime.timedelta(days=7)
        previous, following = start - datetime.timedelta(days=7), end
    else:
        first = anchor.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        start = first - datetime.timedelta(days=first.weekday())
        last = following - datetime.timedelta(days=1)
        end = last + datetime.timedelta(days=7 - last.weekday())
    by_day: dict[datetime.date, list] = {}
    for session in sessions.filter(starts_at__gte=_day_start(start), starts_at__lt=_day_start(end)):
        by_day.setdefault(timezone.localtime(session.starts_at).date(), []).append(session)
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days)]
    cells = [{"day": day, "sessions": by_day.get(day, []), "in_month": view == "week" or day.month == anchor.month}
             for day in days]
    context.update(
        weeks=[cells[i:i + 7] for i in range(0, len(cells), 7)], anchor=anchor,
        previous=previous, following=following, weekdays=days[:7],
    )
    return render(request, "scheduling/session_calendar.html", context)


@login_required
def session_new(request, pk):
    study, _can_edit = _study(request, pk, edit=True)
    form = SessionForm(request.POST or None, study=study)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_create(actor=Actor.from_request(request), study=study, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session created."))
            return redirect("session-detail", pk=study.pk, session_pk=session.pk)
    return render(request, "scheduling/session_form.html", {"form": form, "study": study, "section": "sessions"})


@login_required
def session_edit(request, pk, session_pk):
    study, _can_edit = _study(request, pk, edit=True)
    session = _session(study, session_pk)
    form = SessionForm(request.POST or None, instance=session, study=study)
    if request.method == "POST" and form.is_valid():
        try:
            session_update(actor=Actor.from_request(request), session=_session(study, session_pk), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect("session-detail", pk=study.pk, session_pk=session.pk)
    return render(request, "scheduling/session_form.html",
                  {"form": form, "study": study, "session": session, "section": "sessions"})


@login_required
def session_detail(request, pk, session_pk):
    study, can_edit = _study(request, pk)
    session = _session(study, session_pk)
    bookings = list(
        session.bookings.exclude(status=Booking.Status.CANCELLED)
        .select_related("enrollment__participant", "enrollment__study")
        .order_by("status", "waitlisted_at", "created_at", "pk")
    )
    no_shows = unexcused_no_shows([b.enrollment.participant_id for b in bookings])
    for booking in bookings:
        booking.has_consent = consent_gate.has_valid_consent(booking.enrollment)
        booking.no_shows = no_shows.get(booking.enrollment.participant_id, 0)
        booking.flagged = booking.no_shows >= NO_SHOW_FLAG_AT
    audit_record(actor=Actor.from_request(request), action="session.view", obj=session, study=study,
                 detail={"bookings": len(bookings)})
    context = {
        "study": study, "session": session, "can_edit": can_edit, "section": "sessions",
        "booked": [b for b in bookings if b.status == Booking.Status.BOOKED],
        "waitlisted": [b for b in bookings if b.status == Booking.Status.WAITLISTED],
        "started": session.starts_at <= timezone.now(),
        "cancelled_count": session.bookings.filter(status=Booking.Status.CANCELLED).count(),
    }
    if can_edit:
        holding = session.bookings.filter(status__in=Booking.ACTIVE).values("enrollment")
        context["booking_form"] = BookingForm(enrollments=_bookable(study).exclude(pk__in=holding))
        context["move_form"] = MoveForm(sessions=_move_targets(study, session))
        context["attendance_form"] = AttendanceForm()
    return render(request, "scheduling/session_detail.html", context)


def _bookable(study):
    return (study.enrollments.filter(status__in=BOOKABLE_STATUSES).select_related("participant")
            .order_by("participant__family_name", "participant__given_name"))


def _move_targets(study, session):
    return study.sessions.filter(starts_at__gt=timezone.now()).exclude(pk=session.pk).order_by("starts_at")


@login_required
@require_POST
def booking_new(request, pk, session_pk):
    study, _can_edit = _study(request, pk, edit=True)
    session = _session(study, session_pk)
    form = BookingForm(request.POST, enrollments=_bookable(study))
    if form.is_valid():
        try:
            booking = booking_create(
                actor=Actor.from_request(request), session=session, enrollment=form.cleaned_data["enrollment"],
                waitlist=form.cleaned_data["waitlist"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if booking.status == Booking.Status.WAITLISTED:
                messages.success(request, _("The session is full; the participant is on the waitlist."))
            else:
                messages.success(request, _("Participant booked."))
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect("session-detail", pk=study.pk, session_pk=session.pk)


def _booking(study, session_pk, booking_pk):
    return get_object_or_404(
        Booking.objects.filter(session__study=study, session_id=session_pk).select_related("session__study", "enrollment"),
        pk=booking_pk,
    )


@login_required
@require_POST
def booking_cancel_view(request, pk, session_pk, booking_pk):
    study, _can_edit = _study(request, pk, edit=True)
    booking = _booking(study, session_pk, booking_pk)
    try:
        booking_cancel(actor=Actor.from_request(request), booking=booking, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Booking cancelled."))
    return redirect("session-detail", pk=study.pk, session_pk=session_pk)


@login_required
@require_POST
def booking_move_view(request, pk, session_pk, booking_pk):
    study, _can_edit = _study(request, pk, edit=True)
    booking = _booking(study, session_pk, booking_pk)
    form = MoveForm(request.POST, sessions=_move_targets(study, booking.session))
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("session-detail", pk=study.pk, session_pk=session_pk)
    try:
        booking_move(actor=Actor.from_request(request), booking=booking, session=form.cleaned_data["session"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("session-detail", pk=study.pk, session_pk=session_pk)
    messages.success(request, _("Booking moved."))
    return redirect("session-detail", pk=study.pk, session_pk=form.cleaned_data["session"].pk)


@login_required
@require_POST
def booking_attendance_view(request, pk, session_pk, booking_pk):
    study, _can_edit = _study(request, pk, edit=True)
    booking = _booking(study, session_pk, booking_pk)
    form = AttendanceForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose attended, no-show (excused) or no-show."))
        booking_mark_attendance(actor=Actor.from_request(request), booking=booking,
                                attendance=form.cleaned_data["attendance"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Attendance saved."))
    return redirect("session-detail", pk=study.pk, session_pk=session_pk)


@login_required
def booking_calendar_file(request, pk, session_pk, booking_pk):
    """The booking's .ics (a cancelled booking's file cancels the calendar entry)."""
    from django.http import HttpResponse

    from recruit.services.calendar import booking_ics

    study, _can_edit = _study(request, pk)
    booking = get_object_or_404(
        Booking.objects.filter(session__study=study, session_id=session_pk)
        .select_related("session__study", "enrollment__participant"),
        pk=booking_pk,
    )
    cancelled = booking.status == Booking.Status.CANCELLED
    response = HttpResponse(booking_ics(booking, cancel=cancelled),
                            content_type=f"text/calendar; charset=utf-8; method={'CANCEL' if cancelled else 'REQUEST'}")
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.pk}.ics"'
    audit_record(actor=Actor.from_request(request), action="booking.calendar", obj=booking, study=study)
    return response


@login_required
def scheduling_settings_edit(request, pk):
    from recruit.models import SchedulingSettings
    from recruit.scheduling_forms import SchedulingSettingsForm
    from recruit.services.sessions import scheduling_settings_update

    study, _can_edit = _study(request, pk, edit=True)
    form = SchedulingSettingsForm(request.POST or None, instance=SchedulingSettings.for_study(study))
    if request.method == "POST" and form.is_valid():
        try:
            scheduling_settings_update(actor=Actor.from_request(request), study=study, **{
                name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Scheduling settings saved."))
            return redirect("session-list", pk=study.pk)
    return render(request, "scheduling/settings_form.html", {"form": form, "study": study, "section": "sessions"})


@login_required
@require_POST
def booking_invitations_view(request, pk):
    from recruit.services.sessions import booking_invitations_send

    study, _can_edit = _study(request, pk, edit=True)
    count = booking_invitations_send(actor=Actor.from_request(request), study=study)
    messages.success(request, _("Booking links are on their way to %(count)s participants.") % {"count": count})
    return redirect("session-list", pk=study.pk)
