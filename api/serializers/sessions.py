from rest_framework import serializers

from api.serializers.fields import UsernameField
from recruit.models import Booking, Enrollment, SchedulingSettings, Session
from recruit.selectors import enrollments_visible_to, studies_editable_by
from recruit.services.sessions import EDITABLE_FIELDS, SCHEDULING_SETTINGS_FIELDS


class SessionSerializer(serializers.ModelSerializer):
    moderator = UsernameField(allow_null=True, required=False, help_text="User name of a study member.")
    co_moderator = UsernameField(allow_null=True, required=False, help_text="User name of a study member.")
    seats_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = Session
        fields = ["id", "study", *EDITABLE_FIELDS, "booked", "seats_left", "sequence", "created_at"]
        read_only_fields = ["booked", "sequence"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["study"].queryset = studies_editable_by(request.user if request else None)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["study"].read_only = True


class BookingSerializer(serializers.ModelSerializer):
    participant = serializers.SerializerMethodField(help_text="The booked participant's id and name.")

    class Meta:
        model = Booking
        fields = ["id", "session", "enrollment", "participant", "status", "attendance", "source",
                  "created_at", "waitlisted_at", "cancelled_at", "cancel_reason", "sequence"]
        read_only_fields = ["status", "attendance", "source", "created_at", "waitlisted_at", "cancelled_at",
                            "cancel_reason", "sequence"]

    def get_participant(self, booking) -> dict:
        participant = booking.enrollment.participant
        return {"id": participant.pk, "name": participant.full_name}


class BookingCreateSerializer(serializers.Serializer):
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.none())
    enrollment = serializers.PrimaryKeyRelatedField(queryset=Enrollment.objects.none())
    waitlist = serializers.BooleanField(default=False, help_text="Join the waitlist when the session is full.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request else None
        # The study and its scheduling settings come along: booking_create checks access and deadlines with them.
        self.fields["session"].queryset = Session.objects.filter(
            study__in=studies_editable_by(user).values("pk")).select_related("study__scheduling_settings")
        self.fields["enrollment"].queryset = enrollments_visible_to(user)


class BookingMoveSerializer(serializers.Serializer):
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["session"].queryset = Session.objects.filter(
            study__in=studies_editable_by(request.user if request else None).values("pk"))


class BookingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AttendanceSerializer(serializers.Serializer):
    attendance = serializers.ChoiceField(choices=[c for c in Booking.Attendance.values if c])


class SchedulingSettingsSerializer(serializers.ModelSerializer):
    """A study's self-booking, deadlines and reminders (the defaults until first saved)."""

    reminder_hours = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=SchedulingSettings.MAX_HOURS), max_length=10,
        help_text="Hours before a session when booked participants get a reminder, e.g. [72, 24]; [] for none.",
    )

    class Meta:
        model = SchedulingSettings
        fields = ["study", *SCHEDULING_SETTINGS_FIELDS]
        read_only_fields = ["study"]

    def validate_reminder_hours(self, hours):
        return sorted(set(hours), reverse=True)
