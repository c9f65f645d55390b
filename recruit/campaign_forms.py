from django import forms
from django.utils.translation import gettext_lazy as _

from recruit.models import Campaign, RecruitmentSettings
from recruit.services.campaigns import EDITABLE_FIELDS, SETTINGS_FIELDS

# The registry filters a campaign may use (search, study and status filters make no sense here).
FILTER_FIELDS = ("gender", "age_min", "age_max", "experience_min", "experience_max", "county",
                 "practice_setting", "role", "is_specialist")
MERGE_HELP = _("Merge fields: {{ given_name }}, {{ family_name }}, {{ full_name }}, {{ study_title }}, "
               "{{ principal_investigator }}, {{ screening_link }} (required in the message). "
               "An unsubscribe link is added to every message.")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [name for name in EDITABLE_FIELDS if name != "filters"]
        widgets = {"body_nb": forms.Textarea(attrs={"rows": 8}), "body_en": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body_nb"].help_text = MERGE_HELP

    def _post_clean(self):
        pass  # the service validates the campaign


def filters_from(data) -> dict:
    """The campaign's filter values from a submitted form, in ParticipantFilter's own terms."""
    filters = {}
    for name in FILTER_FIELDS:
        values = [value for value in data.getlist(name) if value not in ("", None)]
        if values:
            filters[name] = values if name in ("gender", "county", "practice_setting", "role") else values[0]
    return filters


class RecruitmentSettingsForm(forms.ModelForm):
    class Meta:
        model = RecruitmentSettings
        fields = SETTINGS_FIELDS

    def _post_clean(self):
        pass
