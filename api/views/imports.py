from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.exceptions import ApiErrorSerializer
from api.parsers import FormParser, JSONParser, MultiPartParser
from api.serializers.imports import (
    ImportCommitSerializer,
    ImportPlanSerializer,
    ImportRejectedSerializer,
    ImportResultSerializer,
    ImportValidateSerializer,
    ParticipantImportSerializer,
    ParticipantImportUploadSerializer,
)
from recruit.actors import Actor
from recruit.models import ParticipantImport
from recruit.selectors import studies_visible_to
from recruit.services.imports import ImportRejected, import_commit, import_upload, import_validate


class ParticipantImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Participant lists uploaded to a study: upload a file, validate it with a column mapping, commit it."""

    serializer_class = ParticipantImportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["study", "status"]
    ordering_fields = ["created_at", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return ParticipantImport.objects.filter(study__in=studies_visible_to(self.request.user).values("pk")).defer("data")

    @extend_schema(request={"multipart/form-data": ParticipantImportUploadSerializer},
                   responses={201: ParticipantImportSerializer})
    def create(self, request, *args, **kwargs):
        """Upload a CSV or XLSX file; the answer holds its columns and a proposed mapping."""
        body = ParticipantImportUploadSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        participant_import = import_upload(
            actor=Actor.from_request(request), study=body.validated_data["study"], data=upload.read(),
            filename=upload.name,
        )
        return Response(ParticipantImportSerializer(participant_import).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ImportValidateSerializer, responses=ImportPlanSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        """Check every row with this mapping: what would be created and updated, and each row's errors."""
        participant_import = self.get_object()
        body = ImportValidateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = import_validate(
            actor=Actor.from_request(request), participant_import=participant_import,
            mapping=body.validated_data.get("mapping"), update_fields=body.validated_data.get("update_fields"),
        )
        return Response(ImportPlanSerializer(plan.summary()).data)

    @extend_schema(request=ImportCommitSerializer, responses={
        200: ImportResultSerializer,
        400: PolymorphicProxySerializer(
            component_name="ImportCommitRefusal", resource_type_field_name=None,
            serializers=[ImportRejectedSerializer, ApiErrorSerializer],
        ),
    })
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        """Import the file. With bad rows and skip_bad_rows false, nothing is imported and the errors come back."""
        participant_import = self.get_object()
        body = ImportCommitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = import_commit(actor=Actor.from_request(request), participant_import=participant_import,
                                   skip_bad_rows=body.validated_data["skip_bad_rows"])
        except ImportRejected as rejected:
            return Response({"non_field_errors": rejected.messages, **rejected.plan.summary()},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportResultSerializer(result.as_dict()).data)
