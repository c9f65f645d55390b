from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """An e-mail to a participant in the outbox.

    Rendered only when it is sent (so it carries current details, in the participant's
    language); `key` is unique, so the same message can never be queued twice, and a send
    claims the row with a conditional update, so it is never sent twice either.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=200, unique=True)
    participant = models.ForeignKey(
        "recruit.Participant", verbose_name=_("participant"), on_delete=models.CASCADE, related_name="messages"
    )
    study = models.ForeignKey(
        "recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="messages",
    )
    # Ids the renderer needs (e.g. {"booking": 12}); never personal data itself.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    not_before = models.DateTimeField(_("send after"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    subject = models.CharField(_("subject as sent"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["status", "not_before"], name="message_due"),
            models.Index(fields=["study", "kind", "status"], name="message_study_kind"),
        ]

    def __str__(self):
        return f"{self.kind} to participant {self.participant_id} ({self.status})"
