from rest_framework import serializers

from recruit.filters import MAX_ID
from recruit.models import (
    Campaign,
    CampaignRecipient,
    EligibilityRule,
    Message,
    RecruitmentSettings,
    SamplingQuota,
    ScreeningQuestion,
    ScreeningResponse,
)
from recruit.selectors import studies_editable_by
from recruit.services.campaigns import EDITABLE_FIELDS as CAMPAIGN_FIELDS
from recruit.services.campaigns import SETTINGS_FIELDS as RECRUITMENT_SETTINGS_FIELDS
from recruit.services.screening import QUESTION_FIELDS


class _StudyScoped(serializers.ModelSerializer):
    """`study` may be any study the user edits; other studies are 'does not exist'."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if "study" in self.fields and not self.fields["study"].read_only:
            self.fields["study"].queryset = studies_editable_by(request.user if request else None)


class CampaignSerializer(_StudyScoped):
    class Meta:
        model = Campaign
        fields = ["id", "study", *CAMPAIGN_FIELDS, "status", "created_at", "started_at"]
        read_only_fields = ["status", "created_at", "started_at"]


class CampaignUpdateSerializer(CampaignSerializer):
    class Meta(CampaignSerializer.Meta):
        read_only_fields = ["study", "status", "created_at", "started_at"]


class CampaignCountsSerializer(serializers.Serializer):
    recipients = serializers.IntegerField()
    queued = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    responded = serializers.IntegerField()
    reminders = serializers.IntegerField()


class CampaignPreviewSerializer(serializers.Serializer):
    nb = serializers.DictField(child=serializers.CharField())
    en = serializers.DictField(child=serializers.CharField())


class CampaignRecipientSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text="queued, sent, failed, cancelled or responded")
    error = serializers.CharField(source="message.error", default="")
    sent_at = serializers.DateTimeField(source="message.sent_at", default=None, allow_null=True,
                                        help_text="Null until the invitation is sent.")

    class Meta:
        model = CampaignRecipient
        fields = ["id", "participant", "enrollment", "status", "error", "sent_at", "reminders_sent", "last_contacted_at"]


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "kind", "participant", "study", "status", "error", "subject", "attempts", "not_before",
                  "created_at", "sent_at"]


class ScreeningQuestionSerializer(_StudyScoped):
    class Meta:
        model = ScreeningQuestion
        fields = ["id", "study", *QUESTION_FIELDS]
        validators = []


class ScreeningQuestionUpdateSerializer(ScreeningQuestionSerializer):
    class Meta(ScreeningQuestionSerializer.Meta):
        read_only_fields = ["study"]


class EligibilityRuleSerializer(_StudyScoped):
    class Meta:
        model = EligibilityRule
        fields = ["id", "study", "attribute", "operator", "value"]


class ScreeningResponseSerializer(serializers.ModelSerializer):
    study = serializers.IntegerField(source="enrollment.study_id", read_only=True)

    class Meta:
        model = ScreeningResponse
        fields = ["id", "enrollment", "study", "answers", "may_contact", "is_eligible", "declined", "submitted_at"]


class SamplingQuotaSerializer(_StudyScoped):
    class Meta:
        model = SamplingQuota
        fields = ["id", "study", "label", "criteria", "target", "target_is_percent"]
        # The model's default ({}) is no quota: the attributes are what a quota is about.
        extra_kwargs = {"criteria": {"required": True}}


class SamplingQuotaUpdateSerializer(SamplingQuotaSerializer):
    class Meta(SamplingQuotaSerializer.Meta):
        read_only_fields = ["study"]


class SamplingFrameQuerySerializer(serializers.Serializer):
    """The frame's query: which study (a whole number; one the user cannot see answers 404)."""

    study = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class SamplingCellSerializer(serializers.Serializer):
    quota = serializers.IntegerField(source="quota_id")
    label = serializers.CharField()
    criteria = serializers.DictField()
    target = serializers.IntegerField(help_text="Consented participants wanted (a percentage target is resolved).")
    counts = serializers.DictField(child=serializers.IntegerField(),
                                   help_text="invited, eligible, consented, scheduled")
    short = serializers.IntegerField()
    is_empty = serializers.BooleanField()


class RecruitmentSettingsSerializer(serializers.ModelSerializer):
    """A study's contact limit and sending rate (the defaults until first saved)."""

    class Meta:
        model = RecruitmentSettings
        fields = ["study", *RECRUITMENT_SETTINGS_FIELDS]
        read_only_fields = ["study"]
