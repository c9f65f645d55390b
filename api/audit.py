from rest_framework.response import Response

from recruit.actors import Actor
from recruit.services.audit import audit_record


class AuditedReadMixin:
    """Writes an audit event for each list and retrieve of personal data."""

    audit_object = ""  # e.g. "participant": actions participant.list and participant.view

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        filters = {k: v for k, v in request.query_params.lists() if k not in ("page", "q")}
        audit_record(
            actor=Actor.from_request(request), action=f"{self.audit_object}.list",
            detail={"filters": filters, "searched": bool(request.query_params.get("q")), "api": True},
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        audit_record(
            actor=Actor.from_request(request), action=f"{self.audit_object}.view", obj=instance,
            study=getattr(instance, "study", None), detail={"api": True},
        )
        return Response(self.get_serializer(instance).data)
