from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A county (or the equivalent unit of another country), loaded from a fixture."""

    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code"))
    code = models.CharField(_("code"), max_length=8, help_text=_("the official number, e.g. 46 for Vestland"))
    name = models.CharField(_("name"), max_length=100)
    # A coarser grouping (Norway: landsdel) used when exports must generalise county away.
    area = models.CharField(_("area"), max_length=100, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["country", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="region_unique_code")]

    def __str__(self):
        return self.name
