from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.serializers.polls import PollAnswerSerializer, PollAnswersWriteSerializer, PollSerializer
from recruit.actors import Actor
from recruit.models import Poll, PollAnswer
from recruit.selectors import studies_visible_to
from recruit.services.audit import audit_record
from recruit.services.availability import poll_answer, poll_create


class PollViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Availability polls of your studies. Answers are read and written per poll (coordinators only)."""

    serializer_class = PollSerializer
    ordering_fields = ["created_at", "title"]

    def get_queryset(self):
        return (Poll.objects.filter(study__in=studies_visible_to(self.request.user).values("pk"))
                .select_related("study").prefetch_related("options").order_by("-created_at", "-id"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = poll_create(
            actor=Actor.from_request(self.request), study=data["study"], title=data["title"],
            message=data.get("message", ""), times=[(o["starts_at"], o["ends_at"]) for o in data["options"]],
        )

    @extend_schema(request=PollAnswersWriteSerializer, responses=PollAnswerSerializer(many=True))
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def answers(self, request, pk=None):
        """GET: every answer (names are in the enrollments); POST: record one participant's answers."""
        poll = self.get_object()
        if request.method == "POST":
            body = PollAnswersWriteSerializer(data=request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            try:
                answers = {int(k): v for k, v in body.validated_data["answers"].items()}
            except ValueError:
                raise ValidationError({"answers": ["Use candidate time ids as keys."]}) from None
            poll_answer(actor=Actor.from_request(request), poll=poll, enrollment=body.validated_data["enrollment"],
                        answers=answers)
        rows = PollAnswer.objects.filter(option__poll=poll).order_by("enrollment_id", "option__starts_at")
        audit_record(actor=Actor.from_request(request), action="poll.answers", obj=poll, study=poll.study,
                     detail={"api": True})
        return Response(PollAnswerSerializer(rows, many=True).data)
