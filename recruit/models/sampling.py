from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SamplingQuota(models.Model):
    """A cell of the study's sampling frame, or a target for one attribute.

    `criteria` names registry attributes (see recruit.sampling.CRITERIA), e.g.
    {"gender": "female", "age_min": 40, "age_max": 49}. The target is a count of consented
    participants, or a percentage of all consented ones ("at least 40% women").
    """

    study = models.ForeignKey("recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE,
                              related_name="sampling_quotas")
    label = models.CharField(_("label"), max_length=100)
    criteria = models.JSONField(_("criteria"), default=dict)
    target = models.PositiveIntegerField(_("target"), validators=[MaxValueValidator(100_000)])
    target_is_percent = models.BooleanField(_("target is a percentage"), default=False)

    class Meta:
        ordering = ["study", "id"]
        verbose_name = _("sampling quota")
        verbose_name_plural = _("sampling quotas")

    def __str__(self):
        return self.label
