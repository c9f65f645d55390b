"""Forms of the consent pages: fields and labels only; the services hold the rules."""
from django import forms
from django.utils.translation import gettext_lazy as _

from recruit.models import ConsentVersion, Language, Withdrawal
from recruit.services.consent import EDITABLE_FIELDS


class ConsentVersionForm(forms.ModelForm):
    class Meta:
        model = ConsentVersion
        fields = EDITABLE_FIELDS
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 4}) for name in EDITABLE_FIELDS if name not in ("title", "end_date")},
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def _post_clean(self):
        pass  # the service validates


class StatementForm(forms.Form):
    text = forms.CharField(label=_("Statement"), max_length=500, required=False,
                           widget=forms.TextInput(attrs={"class": "wide"}))
    required = forms.BooleanField(label=_("Required"), required=False)


StatementFormSet = forms.formset_factory(StatementForm, extra=2, max_num=20, absolute_max=20)


class ConsentDocumentForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class RecordWithdrawalForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Received"), choices=[(c.value, c.label) for c in Withdrawal.Channel
                                      if c not in (Withdrawal.Channel.LINK, Withdrawal.Channel.EMAIL_LINK)],
    )
    reason = forms.CharField(label=_("Reason (if the participant gave one)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SigningForm(forms.Form):
    """The participant's answers; statement fields are added per version (statement_<position>)."""

    typed_name = forms.CharField(
        label=_("Your full name"), max_length=200, required=False,
        help_text=_("Type your given and family name as the study team has them. Typing your name is your signature."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    drawn_signature = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, statements, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for statement in statements:
            fields[f"statement_{statement.position}"] = forms.BooleanField(
                label=statement.text, required=False,
                help_text=_("Required") if statement.required else _("Optional"),
            )
        self.fields = {**fields, **self.fields}
        self.statements = statements

    def answers(self) -> dict[int, bool]:
        return {s.position: bool(self.cleaned_data.get(f"statement_{s.position}")) for s in self.statements}


class ConfirmForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("I confirm that the information above is correct and that I sign this consent."), required=False,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
