"""The Build groups page's form: which pool, which sessions, which attributes and how much each counts."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruit.pipeline import Status
from recruit.services.grouping import (
    ATTRIBUTES, DEFAULT_ATTRIBUTES, DEFAULT_STATUSES, DEFAULT_TIME_LIMIT, GROUPABLE_STATUSES, MAX_TIME_LIMIT,
    GroupingOptions, session_label,
)


class SessionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, session):
        return f"{session.display_title}, {session_label(session)} ({session.capacity})"


class GroupingForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label=_("Participants with status"), widget=forms.CheckboxSelectMultiple,
        choices=[(s, Status(s).label) for s in GROUPABLE_STATUSES], initial=list(DEFAULT_STATUSES),
    )
    sessions = SessionChoiceField(
        label=_("Sessions (one group each; seats in brackets)"), widget=forms.CheckboxSelectMultiple,
        queryset=None,
    )
    min_size = forms.IntegerField(
        label=_("Smallest group"), required=False, min_value=0, max_value=500,
        help_text=_("Empty: as equal as possible."),
    )
    separate_colleagues = forms.BooleanField(
        label=_("Keep colleagues from one practice apart"), required=False, initial=True,
    )
    allow_unassigned = forms.BooleanField(
        label=_("Leave people out when there are too few seats"), required=False, initial=True,
    )
    seed = forms.IntegerField(label=_("Seed"), min_value=0, initial=0, help_text=_("Another seed, another proposal."))
    time_limit = forms.FloatField(
        label=_("Time limit (seconds)"), min_value=0.1, max_value=MAX_TIME_LIMIT, initial=DEFAULT_TIME_LIMIT,
    )

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        upcoming = study.sessions.filter(starts_at__gt=timezone.now()).order_by("starts_at", "pk")
        self.fields["sessions"].queryset = upcoming
        self.fields["sessions"].initial = [s.pk for s in upcoming]
        for name, (kind, label) in ATTRIBUTES.items():
            self.fields[f"weight_{name}"] = forms.FloatField(
                label=label, min_value=0, max_value=100, required=False,
                initial=DEFAULT_ATTRIBUTES.get(name, 0),
            )

    def weight_fields(self):
        return [self[f"weight_{name}"] for name in ATTRIBUTES]

    def options(self, *, pinned: dict[int, int] | None = None) -> GroupingOptions:
        data = self.cleaned_data
        return GroupingOptions(
            statuses=tuple(data["statuses"]),
            session_ids=tuple(s.pk for s in data["sessions"]),
            min_size=data["min_size"],
            attributes={name: data[f"weight_{name}"] for name in ATTRIBUTES if data.get(f"weight_{name}")},
            separate_colleagues=data["separate_colleagues"],
            allow_unassigned=data["allow_unassigned"],
            seed=data["seed"] if data["seed"] is not None else 0,
            time_limit=data["time_limit"] or DEFAULT_TIME_LIMIT,
            pinned=pinned or {},
        )
