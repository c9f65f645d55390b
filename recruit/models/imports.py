from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ParticipantImport(models.Model):
    """An uploaded participant list on its way into the registry: mapped, validated, then committed.

    The file is kept (it is small) so the mapping and preview steps read the same bytes the
    commit imports; `mapping` is {column index: field}, and the last one a user chose for a
    study is offered again for their next file.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        IMPORTED = "imported", _("Imported")

    study = models.ForeignKey(
        "recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE, related_name="participant_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    filename = models.CharField(_("file name"), max_length=255)
    data = models.BinaryField(_("file"))
    headers = models.JSONField(_("columns"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    update_fields = models.JSONField(_("fields to update"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("participant import")
        verbose_name_plural = _("participant imports")
        indexes = [models.Index(fields=["study", "created_by", "created_at"], name="import_study_user")]

    def __str__(self):
        return self.filename
