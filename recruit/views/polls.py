"""Availability polls: the coordinator's pages (create, matrix, reminders, make a session) and the
participant's page (answer through a personal link, purpose "poll"; no other names shown)."""
import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.models import Poll, PollAnswer, PollOption, Session
from recruit.services.audit import audit_record
from recruit.services.availability import (
    poll_answer,
    poll_create,
    poll_invite,
    poll_matrix,
    poll_option_to_session,
    poll_recipients,
)
from recruit.views.links import LANDINGS, participant_link_required
from recruit.views.self_booking import same_origin_referrer
from recruit.views.sessions import _study

LANDINGS["poll"] = "participant-poll"


class PollForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    times = forms.CharField(
        label=gettext_lazy("Candidate times"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("One a line: date, start and end, e.g. 2027-03-02 16:00-18:00."),
    )
    message = forms.CharField(label=gettext_lazy("Message to participants"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean_times(self):
        times = []
        for number, line in enumerate(self.cleaned_data["times"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            try:
                day, span = line.split()
                start, end = span.split("-")
                starts_at = timezone.make_aware(datetime.datetime.fromisoformat(f"{day} {start}"))
                ends_at = timezone.make_aware(datetime.datetime.fromisoformat(f"{day} {end}"))
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(n)s is not a time like 2027-03-02 16:00-18:00."), code="bad_time",
                    params={"n": number}) from None
            times.append((starts_at, ends_at))
        return times


class SessionFromOptionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Session.Kind.choices)
    capacity = forms.IntegerField(label=gettext_lazy("Seats"), min_value=1, max_value=500, initial=6)


@login_required
def poll_list(request, pk):
    study, can_edit = _study(request, pk)
    form = PollForm(request.POST or None)
    if request.method == "POST":
        study, can_edit = _study(request, pk, edit=True)
        if form.is_valid():
            try:
                poll = poll_create(actor=Actor.from_request(request), study=study, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Poll created. Send it to the participants when you are ready."))
                return redirect("poll-detail", pk=study.pk, poll_pk=poll.pk)
    polls = study.polls.all()
    return render(request, "scheduling/poll_list.html",
                  {"study": study, "can_edit": can_edit, "polls": polls, "form": form, "section": "sessions"})


@login_required
def poll_detail(request, pk, poll_pk):
    study, can_edit = _study(request, pk)
    poll = get_object_or_404(study.polls, pk=poll_pk)
    matrix = poll_matrix(poll)
    audit_record(actor=Actor.from_request(request), action="poll.view", obj=poll, study=study,
                 detail={"rows": len(matrix["rows"])})
    return render(request, "scheduling/poll_detail.html", {
        "study": study, "poll": poll, "can_edit": can_edit, "section": "sessions",
        "session_form": SessionFromOptionForm(), **matrix,
    })


@login_required
@require_POST
def poll_send(request, pk, poll_pk):
    study, _can_edit = _study(request, pk, edit=True)
    poll = get_object_or_404(study.polls, pk=poll_pk)
    reminder = request.POST.get("who") == "waiting"
    if reminder:
        enrollments = poll_matrix(poll)["waiting"]
        if request.POST.get("enrollment"):
            enrollments = [e for e in enrollments if str(e.pk) == request.POST["enrollment"]]
    else:
        enrollments = poll_recipients(poll)
    count = poll_invite(actor=Actor.from_request(request), poll=poll, enrollments=enrollments, reminder=reminder)
    messages.success(request, _("The poll link is on its way to %(count)s participants.") % {"count": count})
    return redirect("poll-detail", pk=study.pk, poll_pk=poll.pk)


@login_required
@require_POST
def poll_option_session(request, pk, poll_pk, option_pk):
    study, _can_edit = _study(request, pk, edit=True)
    option = get_object_or_404(PollOption.objects.filter(poll__study=study, poll_id=poll_pk).select_related("poll"),
                               pk=option_pk)
    form = SessionFromOptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("poll-detail", pk=study.pk, poll_pk=poll_pk)
    try:
        session = poll_option_to_session(actor=Actor.from_request(request), option=option,
                                         title=option.poll.title, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("poll-detail", pk=study.pk, poll_pk=poll_pk)
    messages.success(request, _("Session created from the chosen time."))
    return redirect("session-detail", pk=study.pk, session_pk=session.pk)


@same_origin_referrer
@participant_link_required("poll")
def participant_poll(request):
    enrollment = request.enrollment
    polls = list(Poll.objects.filter(study=enrollment.study, is_open=True).prefetch_related("options"))
    mine = {a.option_id: a.answer for a in PollAnswer.objects.filter(enrollment=enrollment, option__poll__in=polls)}
    if request.method == "POST":
        errors = []
        for poll in polls:
            answers = {o.pk: request.POST.get(f"option-{o.pk}") for o in poll.options.all()
                       if request.POST.get(f"option-{o.pk}")}
            try:
                poll_answer(actor=Actor.participant(request), poll=poll, enrollment=enrollment, answers=answers)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            messages.error(request, " ".join(errors))
        else:
            messages.success(request, _("Thank you. Your answers are saved; you can change them here until the poll closes."))
        return redirect("participant-poll")
    for poll in polls:
        for option in poll.options.all():
            option.mine = mine.get(option.pk, "")
    return render(request, "scheduling/participant_poll.html", {
        "enrollment": enrollment, "polls": polls, "choices": PollAnswer.Answer.choices,
    })
