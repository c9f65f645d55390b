from rest_framework import mixins, viewsets

from api.audit import AuditedReadMixin
from api.filters import FilterBackend, ParticipantFilter
from api.pagination import LargeListPagination
from api.serializers.participants import ParticipantCreateSerializer, ParticipantSerializer, RegionSerializer
from recruit.actors import Actor
from recruit.models import Region
from recruit.selectors import attach_visible_enrollments, participants_visible_to, visible_enrollments_prefetch
from recruit.services.participants import participant_create, participant_update


class ParticipantViewSet(
    AuditedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Participants in the registry that you can see through your studies."""

    audit_object = "participant"
    pagination_class = LargeListPagination
    filter_backends = [FilterBackend]
    filterset_class = ParticipantFilter

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":  # enrollments are attached to the page alone (paginate_queryset)
            return participants_visible_to(user)
        return participants_visible_to(user).prefetch_related(visible_enrollments_prefetch(user))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            attach_visible_enrollments(page, self.request.user)
        return page

    def get_serializer_class(self):
        return ParticipantCreateSerializer if self.action == "create" else ParticipantSerializer

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        study = fields.pop("study")
        participant = participant_create(actor=Actor.from_request(self.request), study=study, **fields)
        participant.visible_enrollments = []
        serializer.instance = participant

    def perform_update(self, serializer):
        serializer.instance = participant_update(
            actor=Actor.from_request(self.request), participant=serializer.instance, **serializer.validated_data
        )


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Counties (or their equivalent) that participants belong to."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    pagination_class = None
    filter_backends = [FilterBackend]
    filterset_fields = ["country", "code"]
