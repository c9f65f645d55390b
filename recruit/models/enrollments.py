from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recruit.pipeline import Status


class Enrollment(models.Model):
    """A participant in a study, with their place in the recruitment pipeline."""

    Status = Status

    study = models.ForeignKey(
        "recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE, related_name="enrollments"
    )
    participant = models.ForeignKey(
        "recruit.Participant", verbose_name=_("participant"), on_delete=models.CASCADE, related_name="enrollments"
    )
    # Changed only by services.enrollments.enrollment_transition, which records each move.
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.INVITED)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)
    created_at = models.DateTimeField(_("enrolled"), auto_now_add=True)

    class Meta:
        ordering = ["study", "participant"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["study", "participant"], name="enrollment_unique_participant",
                violation_error_message=_("This participant is already enrolled in the study."),
            ),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="enrollment_status_valid"),
        ]
        indexes = [
            models.Index(fields=["study", "status"], name="enrollment_study_status"),
            models.Index(fields=["participant", "study"], name="enrollment_participant_study"),
        ]

    def __str__(self):
        return f"{self.participant} in {self.study.code}: {self.get_status_display()}"


class StatusChange(models.Model):
    """One move along the pipeline: who moved the enrollment, from where to where, and when."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrollment"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    # Who acted when no user did: "participant" (through a personal link) or "system".
    actor_label = models.CharField(_("by (label)"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.from_status or '–'} → {self.to_status}"
