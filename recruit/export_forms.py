"""Forms of the export pages: fields only, the services check the values."""
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from recruit.anonymise.table1 import DEFAULT_K, MIN_K
from recruit.pipeline import Status
from recruit.services.table1 import DEFAULT_AGE_WIDTH, DEFAULT_STATUSES, REPORTABLE_STATUSES, groupings


def count_withdrawn_field() -> forms.BooleanField:
    """The same opt-in on both export pages: issue 7's "included only as counts where the protocol says so"."""
    return forms.BooleanField(
        label=_("State how many withdrew"), required=False,
        help_text=_("Where the protocol says so: their number only, never their data."),
    )


class Table1Form(forms.Form):
    k = forms.IntegerField(
        label=_("Smallest count shown (k)"), min_value=MIN_K, initial=DEFAULT_K,
    )
    group_by = forms.ChoiceField(label=_("Columns"), choices=())
    age_width = forms.IntegerField(label=_("Age band width (years)"), min_value=1, max_value=40, initial=DEFAULT_AGE_WIDTH)
    experience_edges = forms.CharField(
        label=_("Experience bands start at"), initial="0, 5, 10, 20", max_length=100,
        help_text=_("Years, separated by commas: 0, 5, 10, 20 gives 0–4, 5–9, 10–19, 20+."),
    )
    statuses = forms.MultipleChoiceField(
        label=_("Include"), widget=forms.CheckboxSelectMultiple, initial=list(DEFAULT_STATUSES),
        choices=[(s.value, s.label) for s in Status if s.value in REPORTABLE_STATUSES],
        help_text=_("Withdrawn and restricted participants are never included."),
    )
    count_withdrawn = count_withdrawn_field()

    def __init__(self, data=None, *, group_by="status", **kwargs):
        # No query string: the defaults, as if submitted, so the page shows a table at once.
        if not data or "k" not in data:
            data = QueryDict(mutable=True)
            data.update({
                "k": DEFAULT_K, "group_by": group_by, "age_width": DEFAULT_AGE_WIDTH,
                "experience_edges": "0, 5, 10, 20",
            })
            data.setlist("statuses", list(DEFAULT_STATUSES))
        super().__init__(data, **kwargs)
        self.fields["group_by"].choices = list(groupings().items())
        # Formatted here, in the reader's language: "%" on a lazy string at import would fix it in English.
        self.fields["k"].help_text = _("Counts below k are merged or hidden. At least %(min)s.") % {"min": MIN_K}


class PseudonymisedForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("Columns besides the code"), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Names, contact details, HPR number, practice, municipality and birth year are never exported."),
    )
    k = forms.IntegerField(
        label=_("Each combination shared by at least (k)"), min_value=MIN_K, initial=DEFAULT_K,
    )
    count_withdrawn = count_withdrawn_field()

    def __init__(self, data=None, **kwargs):
        from recruit.services.pseudonyms import DEFAULT_QUASI_IDENTIFIERS, quasi_identifiers

        if not data or "k" not in data:
            data = QueryDict(mutable=True)
            data["k"] = DEFAULT_K
            data.setlist("columns", list(DEFAULT_QUASI_IDENTIFIERS))
        super().__init__(data, **kwargs)
        self.fields["columns"].choices = list(quasi_identifiers().items())
