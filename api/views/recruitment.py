"""Survey recruitment in the API: campaigns, the outbox's messages, screening definitions and responses."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.audit import AuditedReadMixin
from api.serializers.recruitment import (
    CampaignCountsSerializer,
    CampaignPreviewSerializer,
    CampaignRecipientSerializer,
    CampaignSerializer,
    CampaignUpdateSerializer,
    EligibilityRuleSerializer,
    MessageSerializer,
    SamplingCellSerializer,
    SamplingFrameQuerySerializer,
    SamplingQuotaSerializer,
    SamplingQuotaUpdateSerializer,
    ScreeningQuestionSerializer,
    ScreeningQuestionUpdateSerializer,
    ScreeningResponseSerializer,
)
from recruit.actors import Actor
from recruit.models import Campaign, EligibilityRule, Message, SamplingQuota, ScreeningQuestion, ScreeningResponse
from recruit.selectors import studies_visible_to
from recruit.services import campaigns as campaign_service
from recruit.services import sampling as sampling_service
from recruit.services import screening as screening_service
from recruit.services.audit import audit_record


def _visible(request):
    return studies_visible_to(request.user).values("pk")


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Invitation campaigns. Write one as a draft, preview it, start it; pause and resume while it sends."""

    filterset_fields = ["study", "status"]
    ordering_fields = ["created_at", "started_at", "name", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return Campaign.objects.filter(study__in=_visible(self.request))

    def get_serializer_class(self):
        return CampaignUpdateSerializer if self.action in ("update", "partial_update") else CampaignSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        study = data.pop("study")
        serializer.instance = campaign_service.campaign_create(actor=Actor.from_request(self.request), study=study,
                                                               **data)

    def perform_update(self, serializer):
        serializer.instance = campaign_service.campaign_update(
            actor=Actor.from_request(self.request), campaign=serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses=CampaignCountsSerializer)
    @action(detail=True, methods=["get"])
    def counts(self, request, pk=None):
        """Invitations queued, sent, failed, cancelled; how many responded and were reminded."""
        return Response(CampaignCountsSerializer(campaign_service.campaign_counts(self.get_object())).data)

    @extend_schema(responses=CampaignPreviewSerializer)
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """The message as a recipient sees it, in bokmål and English, with example links."""
        preview = campaign_service.campaign_preview(actor=Actor.from_request(request), campaign=self.get_object())
        return Response(CampaignPreviewSerializer(preview).data)

    def _act(self, request, function):
        campaign = self.get_object()
        function(actor=Actor.from_request(request), campaign=campaign)
        campaign.refresh_from_db()
        return Response(CampaignSerializer(campaign, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Invite everyone the filters choose now and queue their e-mails."""
        return self._act(request, campaign_service.campaign_start)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._act(request, campaign_service.campaign_pause)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._act(request, campaign_service.campaign_resume)

    @extend_schema(responses=CampaignRecipientSerializer(many=True))
    @action(detail=True, methods=["get"])
    def recipients(self, request, pk=None):
        """Each invited person's status: queued, sent, failed (with the error), cancelled or responded."""
        campaign = self.get_object()
        recipients = campaign.recipients.select_related("enrollment", "message").order_by("id")
        page = self.paginate_queryset(recipients)
        for recipient in page:
            recipient.status = campaign_service.recipient_status(recipient)
        audit_record(actor=Actor.from_request(request), action="campaign.recipients.list", obj=campaign,
                     study=campaign.study, detail={"api": True})
        return self.get_paginated_response(CampaignRecipientSerializer(page, many=True).data)


class MessageViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """E-mails to participants in the outbox of your studies: status, error, subject as sent."""

    audit_object = "message"
    serializer_class = MessageSerializer
    filterset_fields = ["study", "kind", "status", "participant"]
    ordering_fields = ["created_at", "sent_at", "status", "kind"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return Message.objects.filter(study__in=_visible(self.request))


class ScreeningQuestionViewSet(viewsets.ModelViewSet):
    """The study-specific questions of the screening questionnaire."""

    filterset_fields = ["study"]
    ordering_fields = ["position", "key"]
    ordering = ["study", "position", "id"]

    def get_queryset(self):
        return ScreeningQuestion.objects.filter(study__in=_visible(self.request))

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ScreeningQuestionUpdateSerializer
        return ScreeningQuestionSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        study = data.pop("study")
        serializer.instance = screening_service.question_save(actor=Actor.from_request(self.request), study=study,
                                                              **data)

    def perform_update(self, serializer):
        question = serializer.instance
        serializer.instance = screening_service.question_save(
            actor=Actor.from_request(self.request), study=question.study, question=question,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        screening_service.question_delete(actor=Actor.from_request(self.request), question=instance)


class EligibilityRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Eligibility rules (attribute, operator, value); a participant is eligible when all hold."""

    serializer_class = EligibilityRuleSerializer
    filterset_fields = ["study"]
    ordering_fields = ["id", "attribute"]
    ordering = ["study", "id"]

    def get_queryset(self):
        return EligibilityRule.objects.filter(study__in=_visible(self.request))

    def perform_create(self, serializer):
        serializer.instance = screening_service.rule_create(actor=Actor.from_request(self.request),
                                                            **serializer.validated_data)

    def perform_destroy(self, instance):
        screening_service.rule_delete(actor=Actor.from_request(self.request), rule=instance)


class ScreeningResponseViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    """Participants' answers to the screening questionnaire."""

    audit_object = "screening_response"
    serializer_class = ScreeningResponseSerializer
    filterset_fields = ["enrollment", "enrollment__study"]
    ordering_fields = ["submitted_at"]
    ordering = ["-submitted_at", "-id"]

    def get_queryset(self):
        return ScreeningResponse.objects.filter(enrollment__study__in=_visible(self.request)).select_related(
            "enrollment")


class SamplingQuotaViewSet(viewsets.ModelViewSet):
    """The sampling frame's cells and per-attribute targets; `frame` counts how full each is."""

    filterset_fields = ["study"]
    ordering_fields = ["label", "target"]
    ordering = ["study", "id"]

    def get_queryset(self):
        return SamplingQuota.objects.filter(study__in=_visible(self.request))

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return SamplingQuotaUpdateSerializer
        return SamplingQuotaSerializer

    def perform_create(self, serializer):
        serializer.instance = sampling_service.quota_save(actor=Actor.from_request(self.request),
                                                          **serializer.validated_data)

    def perform_update(self, serializer):
        quota = serializer.instance
        data = {"label": quota.label, "criteria": quota.criteria, "target": quota.target,
                "target_is_percent": quota.target_is_percent, **serializer.validated_data}
        serializer.instance = sampling_service.quota_save(actor=Actor.from_request(self.request), study=quota.study,
                                                          quota=quota, **data)

    def perform_destroy(self, instance):
        sampling_service.quota_delete(actor=Actor.from_request(self.request), quota=instance)

    @extend_schema(parameters=[SamplingFrameQuerySerializer], responses=SamplingCellSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def frame(self, request):
        """Each quota's target and its invited, eligible, consented and scheduled counts for one study."""
        query = SamplingFrameQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        study = get_object_or_404(studies_visible_to(request.user), pk=query.validated_data["study"])
        return Response(SamplingCellSerializer(sampling_service.sampling_frame(study), many=True).data)
