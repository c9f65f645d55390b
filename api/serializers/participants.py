from django.utils import timezone
from django.utils.functional import cached_property
from rest_framework import serializers

from api.serializers.planned import PlannedReadMixin

from recruit.models import Enrollment, Participant, Region, Study
from recruit.selectors import studies_editable_by
from recruit.services.participants import EDITABLE_FIELDS


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "country", "code", "name", "area"]


class ParticipantEnrollmentSerializer(PlannedReadMixin, serializers.ModelSerializer):
    study_code = serializers.CharField(source="study.code", read_only=True)

    class Meta:
        model = Enrollment
        fields = ["id", "study", "study_code", "status"]


class ParticipantSerializer(PlannedReadMixin, serializers.ModelSerializer):
    age = serializers.SerializerMethodField(help_text="Age this year, from the birth year.")
    experience = serializers.SerializerMethodField(help_text="Years in general practice this year.")
    enrollments = ParticipantEnrollmentSerializer(
        source="visible_enrollments", many=True, read_only=True,
        help_text="Enrollments in the studies you are a member of.",
    )

    class Meta:
        model = Participant
        fields = ["id", *EDITABLE_FIELDS, "age", "experience", "enrollments", "created_at", "updated_at"]
        # The service checks uniqueness (case-insensitive e-mail, HPR number when given).
        validators = []

    @cached_property
    def _today(self):  # once per list, not twice per row
        return timezone.localdate()

    def get_age(self, participant) -> int:
        return participant.age(self._today)

    def get_experience(self, participant) -> int | None:
        return participant.experience(self._today)


class ParticipantCreateSerializer(ParticipantSerializer):
    study = serializers.PrimaryKeyRelatedField(
        queryset=Study.objects.none(), write_only=True,
        help_text="The study the participant is added through; you must coordinate it.",
    )

    class Meta(ParticipantSerializer.Meta):
        fields = [*ParticipantSerializer.Meta.fields, "study"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["study"].queryset = studies_editable_by(request.user if request else None)
