from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

key_validator = RegexValidator(r"^[a-z][a-z0-9_]{0,39}$", _("Use lower-case letters, digits and _, e.g. uses_video."),
                               code="question_key")


class ScreeningQuestion(models.Model):
    """A study-specific question in the screening questionnaire, in bokmål and English."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes or no")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Short text")

    study = models.ForeignKey("recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE,
                              related_name="screening_questions")
    key = models.CharField(_("key"), max_length=40, validators=[key_validator],
                           help_text=_("A short name for rules and exports, e.g. uses_video."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_nb = models.CharField(_("question (bokmål)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # For choice questions: [{"value": "ehr", "nb": "Journalsystem", "en": "Health record"}, ...]
    options = models.JSONField(_("options"), default=list, blank=True)
    is_required = models.BooleanField(_("required"), default=True)
    # Reportable answers may be summarised in the anonymised participant-characteristics table.
    is_reportable = models.BooleanField(_("reportable"), default=False)

    class Meta:
        ordering = ["study", "position", "id"]
        verbose_name = _("screening question")
        verbose_name_plural = _("screening questions")
        constraints = [models.UniqueConstraint(fields=["study", "key"], name="screening_question_unique_key",
                                               violation_error_message=_("The study already has a question with this key."))]

    def __str__(self):
        return self.key

    def option_label(self, value: str, language: str) -> str:
        for option in self.options:
            if option.get("value") == value:
                return option.get("en" if language.startswith("en") else "nb") or value
        return value


class EligibilityRule(models.Model):
    """One condition a screened participant must meet to be eligible: attribute, operator, value."""

    class Operator(models.TextChoices):
        EQ = "eq", _("is")
        NE = "ne", _("is not")
        GTE = "gte", _("is at least")
        LTE = "lte", _("is at most")
        GT = "gt", _("is more than")
        LT = "lt", _("is less than")
        IN = "in", _("is one of (comma-separated)")
        CONTAINS = "contains", _("includes")

    study = models.ForeignKey("recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE,
                              related_name="eligibility_rules")
    # A registry attribute (age, experience, gender, role, ...) or a question as "q.<key>".
    attribute = models.CharField(_("attribute"), max_length=50)
    operator = models.CharField(_("operator"), max_length=8, choices=Operator.choices)
    value = models.CharField(_("value"), max_length=200)

    class Meta:
        ordering = ["study", "id"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")

    def __str__(self):
        return f"{self.attribute} {self.operator} {self.value}"


class ScreeningResponse(models.Model):
    """A participant's answers to the screening questionnaire, and what they decided."""

    enrollment = models.OneToOneField("recruit.Enrollment", verbose_name=_("enrollment"), on_delete=models.CASCADE,
                                      related_name="screening_response")
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    may_contact = models.BooleanField(_("may be contacted"), default=False)
    is_eligible = models.BooleanField(_("eligible"), null=True)
    declined = models.BooleanField(_("declined"), default=False)
    submitted_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("screening response")
        verbose_name_plural = _("screening responses")

    def __str__(self):
        return f"screening of enrollment {self.enrollment_id}"
