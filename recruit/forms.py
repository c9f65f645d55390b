from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from recruit.models import Membership, Participant, Study
from recruit.pipeline import Status
from recruit.services.participants import EDITABLE_FIELDS as PARTICIPANT_FIELDS
from recruit.services.studies import EDITABLE_FIELDS as STUDY_FIELDS
from recruit.timezones import zone_choices


class ParticipantForm(forms.ModelForm):
    """Fields only; the service validates the model and saves it."""

    class Meta:
        model = Participant
        fields = PARTICIPANT_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "time_zone" in self.fields:
            self.fields["time_zone"].widget = forms.Select(
                choices=[("", _("The study's (%(zone)s)") % {"zone": settings.TIME_ZONE}), *zone_choices()]
            )

    def _post_clean(self):
        # Skip ModelForm's model validation here: the service runs full_clean() and the view
        # puts its errors on this form, so the rule has one home.
        pass


class ParticipantCreateForm(ParticipantForm):
    study = forms.ModelChoiceField(
        queryset=Study.objects.none(), label=_("Add through study"),
        help_text=_("The study's team will see this participant."),
    )

    class Meta(ParticipantForm.Meta):
        fields = ("study", *PARTICIPANT_FIELDS)

    def __init__(self, *args, studies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study"].queryset = studies
        if studies.count() == 1:
            self.fields["study"].initial = studies.first()


class StudyForm(forms.ModelForm):
    class Meta:
        model = Study
        fields = STUDY_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def _post_clean(self):
        pass


class EnrollForm(forms.Form):
    study = forms.ModelChoiceField(queryset=Study.objects.none(), label=_("Study"))
    status = forms.ChoiceField(
        label=_("Starting status"),
        choices=[(s, Status(s).label) for s in (Status.INVITED, Status.RESPONDED, Status.ELIGIBLE)],
    )

    def __init__(self, *args, studies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study"].queryset = studies


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class MembershipForm(forms.Form):
    username = forms.CharField(label=_("User name or e-mail"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.COORDINATOR)

    error_messages = {"unknown_user": _("No user has this user name or e-mail.")}

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        users = get_user_model().objects.filter(is_active=True)
        user = users.filter(username=value).first() or users.filter(email__iexact=value).first()
        if user is None:
            raise forms.ValidationError(self.error_messages["unknown_user"], code="unknown_user")
        self.cleaned_data["user"] = user
        return value
