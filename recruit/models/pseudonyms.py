from django.db import models
from django.utils.translation import gettext_lazy as _


class Pseudonym(models.Model):
    """A participant's code in one study (GP07): stable for the study, unrelated across studies.

    Numbers are handed out in random order, so a code tells nothing about when or how someone
    was enrolled. After erasure the participant link is cleared and the code stays, as the
    pseudonym under which the minimal proof of consent and withdrawal is kept.
    """

    study = models.ForeignKey(
        "recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE, related_name="pseudonyms"
    )
    participant = models.ForeignKey(
        "recruit.Participant", verbose_name=_("participant"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="pseudonyms",
    )
    prefix = models.CharField(_("prefix"), max_length=4)
    number = models.PositiveIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=12)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["study", "prefix", "number"]
        verbose_name = _("pseudonym")
        verbose_name_plural = _("pseudonyms")
        constraints = [
            models.UniqueConstraint(fields=["study", "code"], name="pseudonym_unique_code"),
            models.UniqueConstraint(fields=["study", "prefix", "number"], name="pseudonym_unique_number"),
            models.UniqueConstraint(
                fields=["study", "participant"], condition=models.Q(participant__isnull=False),
                name="pseudonym_unique_participant",
            ),
        ]

    def __str__(self):
        return self.code
