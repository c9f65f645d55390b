import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from api.audit import AuditedReadMixin
from api.filters import FilterBackend, FilterSet
from api.serializers.sessions import (
    AttendanceSerializer,
    BookingCancelSerializer,
    BookingCreateSerializer,
    BookingMoveSerializer,
    BookingSerializer,
    SessionSerializer,
)
from recruit.actors import Actor
from recruit.filters import IdFilter, StudyChoiceFilter
from recruit.models import Booking, Session
from recruit.selectors import studies_visible_to
from recruit.services.bookings import booking_cancel, booking_create, booking_mark_attendance, booking_move
from recruit.services.sessions import session_create, session_delete, session_update


def _visible_studies(request):
    return studies_visible_to(request.user if request else None)


class SessionFilter(FilterSet):
    study = StudyChoiceFilter(queryset=_visible_studies)
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    has_seats = django_filters.BooleanFilter(method="filter_has_seats")

    class Meta:
        model = Session
        fields = ["study", "kind", "starts_after", "starts_before", "has_seats"]

    def filter_has_seats(self, queryset, name, value):
        from django.db.models import F

        return queryset.filter(booked__lt=F("capacity")) if value else queryset.filter(booked__gte=F("capacity"))


class BookingFilter(FilterSet):
    study = IdFilter(field_name="session__study_id")
    session = IdFilter(field_name="session_id")
    enrollment = IdFilter(field_name="enrollment_id")
    status = django_filters.MultipleChoiceFilter(choices=Booking.Status.choices)

    class Meta:
        model = Booking
        fields = ["study", "session", "enrollment", "status", "attendance"]


class SessionViewSet(viewsets.ModelViewSet):
    """A study's sessions. Creating and changing them follows the conflict rules of the pages."""

    serializer_class = SessionSerializer
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = SessionFilter
    ordering_fields = ["starts_at", "created_at"]
    ordering = ["starts_at", "id"]

    def get_queryset(self):
        return Session.objects.filter(study__in=_visible_studies(self.request).values("pk")).select_related(
            "study", "moderator", "co_moderator")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = session_create(actor=Actor.from_request(self.request), study=data.pop("study"), **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "study"}
        serializer.instance = session_update(actor=Actor.from_request(self.request), session=serializer.instance, **data)

    def perform_destroy(self, instance):
        session_delete(actor=Actor.from_request(self.request), session=instance)


class BookingViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Who holds a place in which session. Booking, moving, cancelling and attendance follow the pages' rules;
    a full session answers 400 with {"session": ["This session is full."]}."""

    audit_object = "booking"
    serializer_class = BookingSerializer
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = BookingFilter
    ordering_fields = ["created_at", "waitlisted_at"]
    ordering = ["id"]

    def get_queryset(self):
        return Booking.objects.filter(session__study__in=_visible_studies(self.request).values("pk")).select_related(
            "session__study", "enrollment__participant", "enrollment__study")

    def _reply(self, booking, code=status.HTTP_200_OK):
        booking = self.get_queryset().get(pk=booking.pk)
        return Response(BookingSerializer(booking, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer})
    def create(self, request):
        """Book an enrollment into a session (or onto its waitlist with waitlist=true)."""
        body = BookingCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        booking = booking_create(actor=Actor.from_request(request), source=Booking.Source.API, **body.validated_data)
        # Just written, with its session and participant loaded: no need to read it back as _reply does.
        return Response(BookingSerializer(booking, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=BookingCancelSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = self.get_object()
        body = BookingCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        booking_cancel(actor=Actor.from_request(request), booking=booking, reason=body.validated_data["reason"])
        return self._reply(booking)

    @extend_schema(request=BookingMoveSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        booking = self.get_object()
        body = BookingMoveSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        booking_move(actor=Actor.from_request(request), booking=booking, session=body.validated_data["session"])
        return self._reply(booking)

    @extend_schema(request=AttendanceSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        booking = self.get_object()
        body = AttendanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        booking_mark_attendance(actor=Actor.from_request(request), booking=booking,
                                attendance=body.validated_data["attendance"])
        return self._reply(booking)
