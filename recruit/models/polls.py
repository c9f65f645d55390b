from django.db import models
from django.utils.translation import gettext_lazy as _


class Poll(models.Model):
    """An availability poll: candidate times a study's participants answer yes / if need be / no.

    Hidden: a participant sees only the times and their own answers, never who else answered.
    """

    study = models.ForeignKey("recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE, related_name="polls")
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message to participants"), blank=True)
    is_open = models.BooleanField(_("open for answers"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("availability poll")
        verbose_name_plural = _("availability polls")

    def __str__(self):
        return self.title


class PollOption(models.Model):
    """A candidate time; once chosen it becomes a session, and the answers become availability for it."""

    poll = models.ForeignKey(Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="options")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    session = models.OneToOneField(
        "recruit.Session", verbose_name=_("session"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="poll_option",
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("candidate time")
        verbose_name_plural = _("candidate times")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="polloption_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class PollAnswer(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        IF_NEED_BE = "if_need_be", _("If need be")
        NO = "no", _("No")

    option = models.ForeignKey(PollOption, verbose_name=_("candidate time"), on_delete=models.CASCADE,
                               related_name="answers")
    enrollment = models.ForeignKey("recruit.Enrollment", verbose_name=_("enrollment"), on_delete=models.CASCADE,
                                   related_name="poll_answers")
    answer = models.CharField(_("answer"), max_length=12, choices=Answer.choices)
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        constraints = [
            models.UniqueConstraint(fields=["option", "enrollment"], name="pollanswer_one_per_option"),
            models.CheckConstraint(condition=models.Q(answer__in=["yes", "if_need_be", "no"]), name="pollanswer_valid"),
        ]
