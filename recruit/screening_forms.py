from django import forms
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from recruit.models import EligibilityRule, Participant, PollAnswer, ScreeningQuestion
from recruit.services.screening import DEMOGRAPHICS

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ScreeningForm(forms.ModelForm):
    """The participant's questionnaire: their registry details to confirm, the study's questions, consent to contact.

    The model's rules check the details when the service saves them; the questions are checked here.
    """

    may_contact = forms.BooleanField(
        label=_("The study team may contact me about taking part in this study"), required=False, initial=True,
    )

    class Meta:
        model = Participant
        fields = DEMOGRAPHICS

    def __init__(self, *args, questions, poll_options=(), previous_answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll_options = list(poll_options)
        english = (get_language() or "nb").startswith("en")
        self.questions = list(questions)
        for name in DEMOGRAPHICS:
            self.fields[name].required = name in ("birth_year", "gender")
        self.fields["birth_year"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "bday-year"})
        self.fields["gp_start_year"].widget.attrs.update({"inputmode": "numeric"})
        for question in self.questions:
            label = question.text_en if english else question.text_nb
            options = [(o["value"], o["en"] if english else o["nb"]) for o in question.options]
            required = question.is_required
            kind = question.kind
            if kind == ScreeningQuestion.Kind.YES_NO:
                field = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
            elif kind == ScreeningQuestion.Kind.SINGLE:
                field = forms.ChoiceField(choices=options, widget=forms.RadioSelect)
            elif kind == ScreeningQuestion.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple)
            elif kind == ScreeningQuestion.Kind.NUMBER:
                field = forms.DecimalField(widget=forms.NumberInput(attrs={"inputmode": "decimal"}), max_digits=12,
                                           decimal_places=2)
            else:
                field = forms.CharField(max_length=300)
            field.label, field.required = label, required
            self.fields[f"q_{question.key}"] = field
        # The study's open availability polls: yes / if need be / no per proposed time, as on the poll page.
        previous_answers = previous_answers or {}
        for option in self.poll_options:
            start, end = timezone.localtime(option.starts_at), timezone.localtime(option.ends_at)
            self.fields[f"t_{option.pk}"] = forms.ChoiceField(
                label=f"{formats.date_format(start, 'WEEKDAY_DATETIME_FORMAT')}–{formats.time_format(end)}",
                choices=PollAnswer.Answer.choices, widget=forms.RadioSelect, required=False,
                initial=previous_answers.get(option.pk),
            )
        self.order_fields([*DEMOGRAPHICS, *(f"q_{q.key}" for q in self.questions),
                           *(f"t_{o.pk}" for o in self.poll_options), "may_contact"])

    def _post_clean(self):
        pass  # the service validates the participant

    def demographics(self) -> dict:
        return {name: self.cleaned_data[name] for name in DEMOGRAPHICS if name in self.cleaned_data}

    def availability(self) -> dict[int, str]:
        """{poll option id: yes | if_need_be | no} for the times the participant answered."""
        return {option.pk: self.cleaned_data[f"t_{option.pk}"] for option in self.poll_options
                if self.cleaned_data.get(f"t_{option.pk}")}

    def answers(self) -> dict:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.key}")
            if value in (None, "", []):
                continue
            if question.kind == ScreeningQuestion.Kind.YES_NO:
                value = value == "yes"
            elif question.kind == ScreeningQuestion.Kind.NUMBER:
                value = float(value)
            answers[question.key] = value
        return answers


class QuestionForm(forms.ModelForm):
    options_text = forms.CharField(
        label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice questions: one option per line, as 'bokmål | English'."),
    )

    class Meta:
        model = ScreeningQuestion
        fields = ("key", "text_nb", "text_en", "kind", "is_required", "is_reportable", "position")
        help_texts = {"is_reportable": _("Summarise the answers in Table 1 (with small-cell protection). "
                                         "Never for free text.")}

    def _post_clean(self):
        pass


class RuleForm(forms.ModelForm):
    class Meta:
        model = EligibilityRule
        fields = ("attribute", "operator", "value")

    def __init__(self, *args, attributes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attribute"] = forms.ChoiceField(label=_("Attribute"), choices=[(a, a) for a in attributes])

    def _post_clean(self):
        pass
