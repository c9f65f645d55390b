from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,19}$",
    _("Use 2–20 capital letters, digits or hyphens, e.g. GPQI-2026."),
    code="study_code",
)


class Study(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RECRUITING = "recruiting", _("Recruiting")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    code = models.CharField(_("short code"), max_length=20, unique=True, validators=[code_validator])
    description = models.TextField(_("description"), blank=True)
    principal_investigator = models.CharField(_("principal investigator"), max_length=200, blank=True)
    ethics_reference = models.CharField(
        _("ethics approval reference"), max_length=100, blank=True,
        help_text=_("REK or Sikt reference number"),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="recruit.Membership", related_name="studies", verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="study_ends_after_start",
                violation_error_message=_("The end date must not be before the start date."),
            )
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    def clean(self):
        super().clean()
        if self.code:
            self.code = self.code.strip().upper()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": ValidationError(_("The end date must not be before the start date."), code="end_before_start")}
            )


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        COORDINATOR = "coordinator", _("Coordinator")
        VIEWER = "viewer", _("Viewer")

    study = models.ForeignKey(Study, verbose_name=_("study"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.COORDINATOR)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["study", "role", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["study", "user"], name="membership_unique_user",
                violation_error_message=_("This user is already a member of the study."),
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.study.code} ({self.get_role_display()})"

    @property
    def can_edit(self) -> bool:
        return self.role in {self.Role.OWNER, self.Role.COORDINATOR}
