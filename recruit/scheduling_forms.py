"""Forms for the scheduling pages: fields only; the services validate and save."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from recruit.models import Booking, Enrollment, Session
from recruit.services.sessions import EDITABLE_FIELDS

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _when(label):
    return forms.DateTimeField(
        label=label, input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
    )


class SessionForm(forms.ModelForm):
    starts_at = _when(_("Starts"))
    ends_at = _when(_("Ends"))
    video_link = forms.URLField(label=_("Video link"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Session
        fields = EDITABLE_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        members = get_user_model().objects.filter(memberships__study=study).order_by("username")
        for name in ("moderator", "co_moderator"):
            self.fields[name].queryset = members

    def _post_clean(self):
        pass  # the service runs full_clean() and the conflict rules; the view puts errors here


class BookingForm(forms.Form):
    enrollment = forms.ModelChoiceField(queryset=Enrollment.objects.none(), label=_("Participant"))
    waitlist = forms.BooleanField(label=_("Put on the waitlist if the session is full"), required=False)

    def __init__(self, *args, enrollments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = enrollments
        self.fields["enrollment"].label_from_instance = lambda e: f"{e.participant.full_name} ({e.get_status_display()})"


class MoveForm(forms.Form):
    session = forms.ModelChoiceField(queryset=Session.objects.none(), label=_("Move to"))

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        label=_("Attendance"), choices=[c for c in Booking.Attendance.choices if c[0]],
    )


class SchedulingSettingsForm(forms.ModelForm):
    reminder_hours = forms.CharField(
        label=_("Reminders (hours before)"), required=False,
        help_text=_("Comma-separated, e.g. 72, 24. Leave empty for no reminders."),
    )

    class Meta:
        from recruit.models import SchedulingSettings

        model = SchedulingSettings
        fields = ["reminder_hours", "self_booking", "participant_deadline_hours", "coordinator_deadline_hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["reminder_hours"] = ", ".join(str(h) for h in (self.instance.reminder_hours or []))

    def clean_reminder_hours(self):
        text = self.cleaned_data["reminder_hours"].replace(";", ",")
        try:
            return sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True)
        except ValueError:
            raise forms.ValidationError(_("List whole hours, e.g. 72, 24."), code="bad_reminders") from None
