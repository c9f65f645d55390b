from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecruitmentSettings(models.Model):
    """A study's rules for inviting people: how often one person may be contacted, and how fast to send."""

    study = models.OneToOneField(
        "recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE, related_name="recruitment_settings"
    )
    # Survey fatigue: GPs get many invitations; a person invited this many times (by any study) within
    # the window is left out of new campaigns.
    contact_limit = models.PositiveSmallIntegerField(
        _("contact limit"), default=3, validators=[MinValueValidator(1)],
        help_text=_("Leave out people already invited this many times (by any study) within the period below."),
    )
    contact_window_months = models.PositiveSmallIntegerField(
        _("period (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    send_rate_per_minute = models.PositiveIntegerField(
        _("e-mails per minute"), default=300, validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text=_("Campaigns send at most this many e-mails a minute, to stay within the mail server's limits."),
    )

    class Meta:
        verbose_name = _("recruitment settings")
        verbose_name_plural = _("recruitment settings")

    def __str__(self):
        return f"{self.study.code} recruitment settings"


class Campaign(models.Model):
    """An invitation e-mail sent to the participants a registry filter chooses, with reminders."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")

    study = models.ForeignKey("recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE,
                              related_name="campaigns")
    name = models.CharField(_("name"), max_length=200)
    # The registry filter's query (as ParticipantFilter reads it), e.g. {"gender": ["female"], "age_min": "40"}.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    subject_nb = models.CharField(_("subject (bokmål)"), max_length=200)
    body_nb = models.TextField(_("message (bokmål)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("message (English)"))
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    max_reminders = models.PositiveSmallIntegerField(
        _("reminders at most"), default=2, validators=[MaxValueValidator(5)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Bumped at each start and resume; a sending task of an older round stops, so a pause followed by
    # a quick resume never leaves two task chains sending.
    sending_round = models.PositiveIntegerField(_("sending round"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name


class CampaignRecipient(models.Model):
    """One person invited by a campaign: their enrollment, the invitation in the outbox, reminders sent.

    Whether they responded is their enrollment's status (anything past "invited"), so a screening
    answer, a decline or a coordinator's move all count without a second record.
    """

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="recipients")
    participant = models.ForeignKey("recruit.Participant", verbose_name=_("participant"), on_delete=models.CASCADE,
                                    related_name="campaign_invitations")
    enrollment = models.ForeignKey("recruit.Enrollment", verbose_name=_("enrollment"), on_delete=models.CASCADE,
                                   related_name="campaign_invitations")
    message = models.OneToOneField("recruit.Message", verbose_name=_("invitation"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="campaign_recipient")
    reminders_sent = models.PositiveSmallIntegerField(_("reminders"), default=0)
    last_contacted_at = models.DateTimeField(_("last contacted"))
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "participant"], name="campaign_recipient_unique"),
        ]
        indexes = [
            # The contact limit counts a person's invitations within a period.
            models.Index(fields=["participant", "created_at"], name="recipient_participant_time"),
            models.Index(fields=["campaign", "last_contacted_at"], name="recipient_campaign_contact"),
        ]

    def __str__(self):
        return f"{self.campaign} → participant {self.participant_id}"
