from rest_framework import serializers

from recruit.models import ConsentDocument, ConsentRequest, ConsentVersion, Enrollment, SignatureRecord, Withdrawal
from recruit.selectors import enrollments_visible_to, studies_editable_by
from recruit.services.consent import EDITABLE_FIELDS


def _user(serializer):
    request = serializer.context.get("request")
    return request.user if request else None


class ConsentDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentDocument
        fields = ["id", "study", "language", "created_at"]
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study"].queryset = studies_editable_by(_user(self))


class StatementSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True)
    text = serializers.CharField(max_length=500)
    required = serializers.BooleanField(default=True)


class ConsentVersionSerializer(serializers.ModelSerializer):
    study = serializers.IntegerField(source="document.study_id", read_only=True)
    language = serializers.CharField(source="document.language", read_only=True)
    statements = StatementSerializer(many=True, required=False,
                                     help_text="The tick boxes in order; replaces them all when given.")

    class Meta:
        model = ConsentVersion
        fields = ["id", "document", "study", "language", "number", "status", *EDITABLE_FIELDS, "statements",
                  "text_hash", "based_on", "created_at", "published_at"]
        read_only_fields = ["number", "status", "text_hash", "based_on", "created_at", "published_at"]
        extra_kwargs = {"title": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = ConsentDocument.objects.filter(
            study__in=studies_editable_by(_user(self)).values("pk"))
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["document"].read_only = True


class ConsentRequestSerializer(serializers.ModelSerializer):
    study = serializers.IntegerField(source="enrollment.study_id", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = ConsentRequest
        fields = ["id", "enrollment", "study", "version", "version_number", "created_at"]


class ConsentRequestCreateSerializer(serializers.Serializer):
    study = serializers.PrimaryKeyRelatedField(queryset=studies_editable_by(None))
    enrollments = serializers.PrimaryKeyRelatedField(queryset=Enrollment.objects.none(), many=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        self.fields["study"].queryset = studies_editable_by(user)
        self.fields["enrollments"].child_relation.queryset = enrollments_visible_to(user).select_related(
            "participant", "study")


class SignatureSerializer(serializers.ModelSerializer):
    study = serializers.IntegerField(source="enrollment.study_id", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    language = serializers.CharField(source="version.document.language", read_only=True)
    has_drawn_signature = serializers.SerializerMethodField()

    class Meta:
        model = SignatureRecord
        fields = ["id", "enrollment", "study", "version", "version_number", "language", "text_hash", "answers",
                  "typed_name", "has_drawn_signature", "meaning", "signed_at", "ip_address", "user_agent",
                  "link_ref", "requested_at", "first_viewed_at", "pdf_sha256", "reconsent_required_at",
                  "withdrawn_at"]

    def get_has_drawn_signature(self, obj) -> bool:
        return obj.has_drawn


class WithdrawalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Withdrawal
        fields = ["id", "enrollment", "at", "channel", "reason", "cancelled_bookings"]
        read_only_fields = ["at", "cancelled_bookings"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = enrollments_visible_to(_user(self)).select_related("study", "participant")
