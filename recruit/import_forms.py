from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from recruit.services.imports import IMPORTABLE_FIELDS, field_labels

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"), help_text=_("A CSV file (UTF-8 or Windows-1252) or an Excel .xlsx file. "
                                            "The first row must name the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    error_messages = {"too_big": _("The file is larger than 20 MB.")}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(self.error_messages["too_big"], code="too_big")
        return upload


class ImportMappingForm(forms.Form):
    """One choice per column of the file: which registry field it holds, if any."""

    update_fields = forms.MultipleChoiceField(
        label=_("Update these fields of participants already in the registry"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Participants are matched by HPR number, then e-mail. Other fields are left as they are, "
                    "and an empty cell never erases a value."),
    )

    def __init__(self, *args, headers, mapping, update_fields, **kwargs):
        super().__init__(*args, **kwargs)
        labels = field_labels()
        choices = [("", _("— not imported —"))] + [(name, capfirst(labels[name])) for name in IMPORTABLE_FIELDS]
        self.columns = []
        for index, header in enumerate(headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(n)s") % {"n": index + 1}, choices=choices, required=False,
                initial=mapping.get(str(index), ""),
            )
            self.columns.append(name)
        self.fields["update_fields"].choices = [(name, capfirst(labels[name])) for name in IMPORTABLE_FIELDS]
        self.fields["update_fields"].initial = update_fields
        self.order_fields([*self.columns, "update_fields"])

    def mapping(self) -> dict:
        return {name.removeprefix("column_"): self.cleaned_data[name] for name in self.columns
                if self.cleaned_data.get(name)}


class ImportCommitForm(forms.Form):
    skip_bad_rows = forms.BooleanField(
        label=_("Skip the rows with errors and import the rest"), required=False,
    )
