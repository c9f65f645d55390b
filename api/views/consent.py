"""Consent in the API: documents, versions, requests, signatures (with their PDFs) and withdrawals.

Every queryset starts from the studies the user can see, so another study's objects answer 404,
PDFs included. Writes go through the same services as the pages.
"""
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.audit import AuditedReadMixin
from api.serializers.consent import (
    ConsentDocumentSerializer,
    ConsentRequestCreateSerializer,
    ConsentRequestSerializer,
    ConsentVersionSerializer,
    SignatureSerializer,
    WithdrawalSerializer,
)
from recruit.actors import Actor
from recruit.models import ConsentRequest, Withdrawal
from recruit.selectors import enrollments_visible_to, studies_visible_to
from recruit.selectors_consent import (
    consent_documents_visible_to,
    consent_versions_visible_to,
    erased_signature,
    signatures_visible_to,
)
from recruit.services.consent import (
    consent_document_create,
    consent_version_create,
    consent_version_publish,
    consent_version_update,
)
from recruit.services.consent_requests import consent_requests_send
from recruit.services.signing import PdfUnavailable, signature_pdf_read
from recruit.services.withdrawal import withdraw


class ConsentDocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    """A study's consent text per language. Creating one makes its first draft (a copy of another language's)."""

    serializer_class = ConsentDocumentSerializer
    filterset_fields = ["study", "language"]
    ordering_fields = ["language", "created_at"]
    ordering = ["study", "language"]

    def get_queryset(self):
        return consent_documents_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = consent_document_create(actor=Actor.from_request(self.request),
                                                      **serializer.validated_data)


class ConsentVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Versions of a consent text. Create = a new draft copied from the document's latest version; drafts can be
    edited; a published version answers 400 to every change."""

    serializer_class = ConsentVersionSerializer
    filterset_fields = ["document", "status"]
    ordering_fields = ["number", "created_at", "published_at"]
    ordering = ["document", "-number"]

    def get_queryset(self):
        return consent_versions_visible_to(self.request.user).select_related("document").prefetch_related(
            "statements")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        actor = Actor.from_request(self.request)
        version = consent_version_create(actor=actor, document=data.pop("document"))
        statements = data.pop("statements", None)
        if data or statements is not None:
            version = consent_version_update(actor=actor, version=version, statements=statements, **data)
        serializer.instance = version

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        statements = data.pop("statements", None)
        serializer.instance = consent_version_update(
            actor=Actor.from_request(self.request), version=serializer.instance, statements=statements, **data,
        )

    @extend_schema(request=None, responses=ConsentVersionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft: 400 with the missing sections, or the version, now unchangeable."""
        version = consent_version_publish(actor=Actor.from_request(request), version=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=version.pk)).data)


class ConsentRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Consent requests sent (POST sends the current version to enrollments of one study, by e-mail)."""

    serializer_class = ConsentRequestSerializer
    filterset_fields = ["enrollment", "version"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return ConsentRequest.objects.filter(
            enrollment__in=enrollments_visible_to(self.request.user).values("pk")).select_related(
            "enrollment", "version")

    @extend_schema(request=ConsentRequestCreateSerializer, responses=ConsentRequestSerializer(many=True))
    def create(self, request):
        body = ConsentRequestCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        sent = consent_requests_send(actor=Actor.from_request(request), **body.validated_data)
        return Response(ConsentRequestSerializer(sent, many=True).data, status=status.HTTP_201_CREATED)


class SignatureViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Signature records (read-only evidence) and their PDFs, checked against the stored SHA-256."""

    audit_object = "consent.signature"
    serializer_class = SignatureSerializer
    filterset_fields = ["enrollment", "version"]
    ordering_fields = ["signed_at"]
    ordering = ["-signed_at", "-id"]

    def get_queryset(self):
        return signatures_visible_to(self.request.user).select_related(
            "enrollment__study", "version__document").defer("drawn_signature").annotate(
            has_drawn=ExpressionWrapper(Q(drawn_signature__isnull=False), output_field=BooleanField()))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 409: None, 410: None})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The signed PDF; 409 if the stored file no longer matches its recorded hash (audited);
        410 with the proof kept if it was deleted when its participant was erased."""
        try:
            signature = self.get_object()
        except Http404:
            erased = erased_signature(studies_visible_to(request.user), int(pk)) if str(pk).isdigit() else None
            if erased is None:
                raise
            return Response({"detail": erased.explanation, "pseudonym": erased.proof.code,
                             "erased_at": erased.proof.erased_at, "evidence": erased.evidence},
                            status=status.HTTP_410_GONE)
        try:
            data = signature_pdf_read(actor=Actor.from_request(request), signature=signature)
        except PdfUnavailable:
            return Response({"detail": "The stored PDF does not match its recorded SHA-256."},
                            status=status.HTTP_409_CONFLICT)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="consent-{signature.pk}.pdf"'
        return response


class WithdrawalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Withdrawals; POST records one received by phone, letter or e-mail (cancels bookings, withdraws)."""

    serializer_class = WithdrawalSerializer
    filterset_fields = ["enrollment", "channel"]
    ordering_fields = ["at"]
    ordering = ["-at", "-id"]

    def get_queryset(self):
        return Withdrawal.objects.filter(enrollment__in=enrollments_visible_to(self.request.user).values("pk"))

    def perform_create(self, serializer):
        serializer.instance = withdraw(actor=Actor.from_request(self.request), **serializer.validated_data)
