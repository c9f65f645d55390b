from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from api.audit import AuditedReadMixin
from api.filters import EnrollmentFilter, FilterBackend, MembershipFilter, StudyFilter
from api.serializers.recruitment import RecruitmentSettingsSerializer
from api.serializers.sessions import SchedulingSettingsSerializer
from api.serializers.studies import (
    EnrollmentSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    StatusChangeSerializer,
    StudySerializer,
    TransitionSerializer,
)
from recruit.actors import Actor
from recruit.models import Membership, RecruitmentSettings, SchedulingSettings
from recruit.selectors import enrollments_visible_to, memberships_visible_to, studies_visible_to
from recruit.services.access import require_study_editor
from recruit.services.enrollments import enrollment_create, enrollment_transition
from recruit.services.campaigns import recruitment_settings_update
from recruit.services.sessions import scheduling_settings_update
from recruit.services.studies import (
    membership_add,
    membership_remove,
    membership_update,
    study_create,
    study_update,
)


class StudyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Studies you are a member of. Creating a study makes you its owner."""

    serializer_class = StudySerializer
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = StudyFilter
    ordering_fields = ["code", "title", "start_date", "end_date", "created_at"]
    ordering = ["code"]

    def get_queryset(self):
        user = self.request.user if self.request.user.is_authenticated else None
        my_role = Membership.objects.filter(study=OuterRef("pk"), user=user).values("role")[:1]
        return studies_visible_to(self.request.user).annotate(my_role=Subquery(my_role))

    def perform_create(self, serializer):
        study = study_create(actor=Actor.from_request(self.request), **serializer.validated_data)
        study.my_role = Membership.Role.OWNER
        serializer.instance = study

    def perform_update(self, serializer):
        serializer.instance = study_update(
            actor=Actor.from_request(self.request), study=serializer.instance, **serializer.validated_data
        )

    @extend_schema(methods=["GET"], responses=SchedulingSettingsSerializer)
    @extend_schema(methods=["PUT", "PATCH"], request=SchedulingSettingsSerializer, responses=SchedulingSettingsSerializer)
    @action(detail=True, methods=["get", "put", "patch"], url_path="scheduling-settings",
            serializer_class=SchedulingSettingsSerializer)
    def scheduling_settings(self, request, pk=None):
        """Self-booking, the participants' and coordinators' deadlines and the reminders. Members read;
        owners and coordinators change them (PUT all, PATCH some); bad values answer 400 per field."""
        study = self.get_object()
        if request.method != "GET":
            actor = Actor.from_request(request)
            require_study_editor(actor, study)  # before reading the body: a viewer learns nothing from a 400
            body = SchedulingSettingsSerializer(
                SchedulingSettings.for_study(study), data=request.data, partial=request.method == "PATCH"
            )
            body.is_valid(raise_exception=True)
            scheduling_settings_update(actor=actor, study=study, **body.validated_data)
        settings = SchedulingSettings.objects.filter(study=study).first() or SchedulingSettings(study=study)
        return Response(SchedulingSettingsSerializer(settings).data)

    @extend_schema(methods=["GET"], responses=RecruitmentSettingsSerializer)
    @extend_schema(methods=["PUT", "PATCH"], request=RecruitmentSettingsSerializer,
                   responses=RecruitmentSettingsSerializer)
    @action(detail=True, methods=["get", "put", "patch"], url_path="recruitment-settings",
            serializer_class=RecruitmentSettingsSerializer)
    def recruitment_settings(self, request, pk=None):
        """How often one person may be invited (contact limit within a period of months) and how many
        campaign e-mails go out a minute. Members read; owners and coordinators change them (PUT all,
        PATCH some); bad values answer 400 per field."""
        study = self.get_object()
        if request.method != "GET":
            actor = Actor.from_request(request)
            require_study_editor(actor, study)  # before reading the body: a viewer learns nothing from a 400
            body = RecruitmentSettingsSerializer(
                RecruitmentSettings.objects.filter(study=study).first() or RecruitmentSettings(study=study),
                data=request.data, partial=request.method == "PATCH",
            )
            body.is_valid(raise_exception=True)
            recruitment_settings_update(actor=actor, study=study, **body.validated_data)
        settings = RecruitmentSettings.objects.filter(study=study).first() or RecruitmentSettings(study=study)
        return Response(RecruitmentSettingsSerializer(settings).data)


class MembershipViewSet(viewsets.ModelViewSet):
    """Who works on which study, and in which role. Owners add, change and remove members."""

    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = MembershipFilter
    ordering_fields = ["created_at", "role"]
    ordering = ["study", "role", "id"]

    def get_queryset(self):
        return memberships_visible_to(self.request.user).select_related("user", "study")

    def get_serializer_class(self):
        return MembershipUpdateSerializer if self.action in ("update", "partial_update") else MembershipSerializer

    def perform_create(self, serializer):
        serializer.instance = membership_add(actor=Actor.from_request(self.request), **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = membership_update(
            actor=Actor.from_request(self.request), membership=serializer.instance,
            role=serializer.validated_data.get("role", serializer.instance.role),
        )

    def perform_destroy(self, instance):
        membership_remove(actor=Actor.from_request(self.request), membership=instance)


class EnrollmentViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Participants in studies and their place in the recruitment pipeline."""

    audit_object = "enrollment"
    serializer_class = EnrollmentSerializer
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = EnrollmentFilter
    ordering_fields = ["created_at", "status_changed_at", "status"]
    ordering = ["id"]

    def get_queryset(self):
        return enrollments_visible_to(self.request.user).select_related("study")

    def perform_create(self, serializer):
        serializer.instance = enrollment_create(actor=Actor.from_request(self.request), **serializer.validated_data)

    @extend_schema(request=TransitionSerializer, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the enrollment to another status, by the same rules as the web pages."""
        enrollment = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enrollment_transition(
            actor=Actor.from_request(request), enrollment=enrollment,
            to_status=body.validated_data["status"], note=body.validated_data["note"],
        )
        return Response(EnrollmentSerializer(enrollment, context=self.get_serializer_context()).data)

    @extend_schema(responses=StatusChangeSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Every move of this enrollment along the pipeline, oldest first."""
        enrollment = self.get_object()
        changes = enrollment.status_changes.select_related("actor")
        return Response(StatusChangeSerializer(changes, many=True).data)
