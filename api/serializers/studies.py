from rest_framework import serializers

from api.serializers.fields import UsernameField
from recruit.models import Enrollment, Membership, StatusChange, Study
from recruit.pipeline import Status
from recruit.selectors import participants_visible_to, studies_editable_by, studies_owned_by
from recruit.services.studies import EDITABLE_FIELDS


class StudySerializer(serializers.ModelSerializer):
    my_role = serializers.CharField(
        read_only=True, allow_null=True, help_text="Your role in the study (superusers: null unless a member)."
    )

    class Meta:
        model = Study
        fields = ["id", *EDITABLE_FIELDS, "my_role", "created_at"]


class MembershipSerializer(serializers.ModelSerializer):
    user = UsernameField(help_text="The member's user name.")

    class Meta:
        model = Membership
        fields = ["id", "study", "user", "role", "created_at"]
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["study"].queryset = studies_owned_by(request.user if request else None)


class MembershipUpdateSerializer(MembershipSerializer):
    class Meta(MembershipSerializer.Meta):
        read_only_fields = ["study", "user"]


class EnrollmentSerializer(serializers.ModelSerializer):
    study_code = serializers.CharField(source="study.code", read_only=True)
    status = serializers.ChoiceField(
        choices=Status.choices, default=Status.INVITED,
        help_text="On create, the starting status (invited, responded or eligible); "
        "afterwards change it with the transition action.",
    )

    class Meta:
        model = Enrollment
        fields = ["id", "study", "study_code", "participant", "status", "status_changed_at", "created_at"]
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request else None
        self.fields["study"].queryset = studies_editable_by(user)
        self.fields["participant"].queryset = participants_visible_to(user)


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StatusChangeSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = StatusChange
        fields = ["id", "from_status", "to_status", "at", "actor", "note"]

    def get_actor(self, obj) -> str:
        return obj.actor.get_username() if obj.actor else obj.actor_label
