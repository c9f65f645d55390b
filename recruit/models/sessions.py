from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Session(models.Model):
    """A focus group or interview at a time and place, with a number of seats.

    `booked` counts the active (booked, not waitlisted) bookings. It changes only through
    services.bookings with conditional UPDATEs, and the database refuses booked > capacity,
    so no interleaving of requests can overbook a session.
    """

    class Kind(models.TextChoices):
        FOCUS_GROUP = "focus_group", _("Focus group")
        GROUP_INTERVIEW = "group_interview", _("Group interview")
        INDIVIDUAL_INTERVIEW = "individual_interview", _("Individual interview")
        TELEPHONE_INTERVIEW = "telephone_interview", _("Telephone interview")

    study = models.ForeignKey(
        "recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE, related_name="sessions"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.FOCUS_GROUP)
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True, help_text=_("Address and room"))
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, help_text=_("Number to call or be called on"))
    capacity = models.PositiveSmallIntegerField(_("seats"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0, editable=False)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("moderator"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="moderated_sessions",
    )
    co_moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("co-moderator"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="co_moderated_sessions",
    )
    notes = models.TextField(_("notes"), blank=True)
    requires_consent = models.BooleanField(
        _("requires consent"), default=True,
        help_text=_("Only participants with a valid consent can be booked."),
    )
    # Raised on every change of time or place, so calendar files replace the old ones (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="session_not_overbooked",
                violation_error_message=_("A session cannot have more bookings than seats."),
            ),
            models.CheckConstraint(condition=models.Q(booked__gte=0), name="session_booked_not_negative"),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="session_has_seats",
                violation_error_message=_("A session needs at least one seat."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["study", "starts_at"], name="session_study_starts")]

    def __str__(self):
        return f"{self.display_title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def display_title(self) -> str:
        return self.title or str(self.get_kind_display())

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.booked, 0)

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = ValidationError(_("A session must end after it starts."), code="ends_before_start")
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = ValidationError(_("A session needs at least one seat."), code="no_seats")
        elif self.capacity is not None and self.capacity < self.booked:
            errors["capacity"] = ValidationError(
                _("%(booked)s participants are booked; the session cannot have fewer seats than that."),
                code="capacity_below_booked", params={"booked": self.booked},
            )
        if errors:
            raise ValidationError(errors)


class Booking(models.Model):
    """A participant's seat (or place on the waitlist) in a session."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Not marked")
        ATTENDED = "attended", _("Attended")
        NO_SHOW_EXCUSED = "no_show_excused", _("No-show (excused)")
        NO_SHOW = "no_show", _("No-show")

    class Source(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        PARTICIPANT = "participant", _("Participant (self-booking)")
        GROUP_BUILDER = "group_builder", _("Group builder")
        WAITLIST = "waitlist", _("Waitlist promotion")
        API = "api", _("API")

    ACTIVE = (Status.BOOKED, Status.WAITLISTED)

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="bookings")
    enrollment = models.ForeignKey(
        "recruit.Enrollment", verbose_name=_("enrollment"), on_delete=models.CASCADE, related_name="bookings"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    attendance = models.CharField(_("attendance"), max_length=16, choices=Attendance.choices, blank=True, default="")
    source = models.CharField(_("booked by"), max_length=16, choices=Source.choices, default=Source.COORDINATOR)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When the booking joined the waitlist; the first waiting is promoted first.
    waitlisted_at = models.DateTimeField(_("waitlisted"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # Raised on every change, so a calendar update or cancellation replaces the earlier file.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)

    class Meta:
        ordering = ["session", "status", "waitlisted_at", "id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrollment"], condition=models.Q(status__in=["booked", "waitlisted"]),
                name="booking_one_active_per_session",
                violation_error_message=_("This participant already has a place in this session."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["booked", "waitlisted", "cancelled"]), name="booking_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(attendance__in=["", "attended", "no_show_excused", "no_show"]),
                name="booking_attendance_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status"], name="booking_session_status"),
            models.Index(fields=["enrollment", "status"], name="booking_enrollment_status"),
        ]

    def __str__(self):
        return f"Booking {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


def default_reminder_hours() -> list[int]:
    return [72, 24]


class SchedulingSettings(models.Model):
    """A study's scheduling choices: reminders, and whether and until when participants book themselves."""

    study = models.OneToOneField(
        "recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE, related_name="scheduling_settings"
    )
    reminder_hours = models.JSONField(
        _("reminders (hours before)"), default=default_reminder_hours, blank=True,
        help_text=_("Hours before a session when participants get a reminder, e.g. [72, 24]."),
    )
    self_booking = models.BooleanField(_("participants book themselves"), default=False)
    participant_deadline_hours = models.PositiveIntegerField(
        _("participants' deadline (hours before)"), default=24,
        help_text=_("Participants can book, move or cancel until this many hours before a session."),
    )
    coordinator_deadline_hours = models.PositiveIntegerField(
        _("coordinators' deadline (hours before)"), default=0,
        help_text=_("Coordinators can change bookings until this many hours before a session."),
    )

    class Meta:
        verbose_name = _("scheduling settings")
        verbose_name_plural = _("scheduling settings")

    def __str__(self):
        return f"Scheduling settings for {self.study_id}"

    # Sixty days: further ahead than any recruitment plans, and a date arithmetic can always do.
    MAX_HOURS = 24 * 60

    def clean(self):
        super().clean()
        errors = {}
        hours = self.reminder_hours
        if not isinstance(hours, list) or not all(
            isinstance(h, int) and not isinstance(h, bool) and 0 < h <= self.MAX_HOURS for h in hours
        ):
            errors["reminder_hours"] = ValidationError(
                _("List whole hours between 1 and 1440, e.g. [72, 24]."), code="bad_reminders")
        for name in ("participant_deadline_hours", "coordinator_deadline_hours"):
            value = getattr(self, name)
            if value is not None and value > self.MAX_HOURS:
                errors[name] = ValidationError(
                    _("At most %(max)s hours (60 days)."), code="deadline_too_far", params={"max": self.MAX_HOURS})
        if (
            "coordinator_deadline_hours" not in errors and self.coordinator_deadline_hours is not None
            and self.participant_deadline_hours is not None
            and self.coordinator_deadline_hours > self.participant_deadline_hours
        ):
            # The rule: coordinators keep their own, later deadline to tidy up after participants.
            errors["coordinator_deadline_hours"] = ValidationError(
                _("Coordinators' deadline cannot come before the participants' (at most %(hours)s hours before)."),
                code="coordinator_deadline_first", params={"hours": self.participant_deadline_hours})
        if errors:
            raise ValidationError(errors)

    @classmethod
    def for_study(cls, study) -> "SchedulingSettings":
        """The study's settings, or the defaults (unsaved) when it has none."""
        try:
            return study.scheduling_settings
        except cls.DoesNotExist:
            return cls(study=study)


class CalendarFeed(models.Model):
    """A coordinator's private calendar subscription of their studies' sessions.

    The URL holds a random token; only its SHA-256 is stored. Revoking it (or making a new one)
    stops the old URL at once.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="calendar_feeds")
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"Calendar feed {self.pk} of user {self.user_id}"
