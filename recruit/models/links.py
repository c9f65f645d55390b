from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalLink(models.Model):
    """A personal link sent to a participant: one purpose, one enrollment, hashed, expiring.

    Only the SHA-256 of the token is stored; the token itself exists only in the message sent.
    """

    class Purpose(models.TextChoices):
        CONSENT = "consent", _("Consent")
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        POLL = "poll", _("Availability poll")
        BOOKING = "booking", _("Booking")
        SCREENING = "screening", _("Screening questionnaire")
        OWN_DATA = "own_data", _("Own data")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    enrollment = models.ForeignKey(
        "recruit.Enrollment", verbose_name=_("enrollment"), on_delete=models.CASCADE, related_name="links"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    first_used_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    # Set when the link has done its one job (e.g. a consent was signed); it then stops working.
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal link")
        verbose_name_plural = _("personal links")
        indexes = [models.Index(fields=["enrollment", "purpose"], name="link_enrollment_purpose")]

    def __str__(self):
        return f"{self.get_purpose_display()} link {self.pk}"


class LinkFailure(models.Model):
    """A wrong, expired or used token presented from an address; many in a short time answer 429."""

    ip_address = models.GenericIPAddressField(_("address"), null=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("failed link attempt")
        verbose_name_plural = _("failed link attempts")
        indexes = [models.Index(fields=["ip_address", "at"], name="linkfailure_ip_at")]
