from django.db import models
from django.utils.translation import gettext_lazy as _


class ParticipationProof(models.Model):
    """What is kept of an erased participant in a study: their code and when they consented,
    withdrew and were erased. No name, contact detail or other personal data (GDPR art. 17(3)(b)
    and (e): proof that processing was lawful may be kept)."""

    study = models.ForeignKey(
        "recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE, related_name="participation_proofs"
    )
    code = models.CharField(_("pseudonym"), max_length=12)
    consented_at = models.DateTimeField(_("consented"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrew"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), auto_now_add=True)
    # Each signature the participant gave, without who signed: [{"signature", "version", "language",
    # "text_hash", "signed_at", "withdrawn_at", "pdf_deleted"}]. Which text was agreed to and when is
    # the proof; the signed PDF (name, signature) is deleted from storage with the rest.
    consent_evidence = models.JSONField(_("consent evidence"), default=list, blank=True)
    signed_pdfs_deleted = models.PositiveIntegerField(_("signed PDFs deleted"), default=0)

    class Meta:
        ordering = ["study", "code"]
        verbose_name = _("participation proof")
        verbose_name_plural = _("participation proofs")

    def __str__(self):
        return f"{self.study_id}:{self.code}"
