"""Balanced groups through the API: a proposal (dry run), a check of a hand-made assignment, or saving."""
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.grouping import BalanceSerializer, EvaluateSerializer
from recruit.actors import Actor
from recruit.selectors import EDIT_ROLES, studies_visible_to, study_role
from recruit.services.grouping import (
    GroupingInfeasible, grouping_accept, grouping_evaluate, grouping_propose, grouping_repair, proposal_to_dict,
)


def _infeasible(error: GroupingInfeasible) -> Response:
    return Response({
        "non_field_errors": [message for message, _people in error.reasons],
        "reasons": [{"message": message, "enrollments": [e.pk for e in people]} for message, people in error.reasons],
    }, status=status.HTTP_400_BAD_REQUEST)


class BalanceView(APIView):
    """Balanced groups for a study's sessions.

    Without `save` it is a dry run returning the proposal. With `"save": true` the proposal (or the given
    `assignment`) is booked in one transaction: enrollments become scheduled, and the result is readable and
    editable through the sessions' and bookings' endpoints. An impossible request answers 400 with the reasons.
    """

    serializer_class = BalanceSerializer

    def _study(self, pk):
        return get_object_or_404(studies_visible_to(self.request.user), pk=pk)

    @extend_schema(request=BalanceSerializer, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        study = self._study(pk)
        body = BalanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        options = body.options()
        actor = Actor.from_request(request)
        save = body.validated_data["save"]
        if save and study_role(request.user, study) not in EDIT_ROLES:
            raise PermissionDenied("You may not change this study's groups.")
        try:
            if body.validated_data.get("assignment") is not None:
                proposal = grouping_evaluate(actor=actor, study=study, options=options,
                                             assignment=body.validated_data["assignment"])
            elif body.validated_data["repair"]:
                proposal = grouping_repair(actor=actor, study=study, options=options)
            else:
                proposal = grouping_propose(actor=actor, study=study, options=options)
            data = proposal_to_dict(proposal)
            if save:
                result = grouping_accept(actor=actor, study=study, options=options, assignment=proposal.assignment)
                data["saved"] = vars(result)
            else:
                data["saved"] = None
        except GroupingInfeasible as error:
            return _infeasible(error)
        return Response(data)


class EvaluateView(BalanceView):
    """The figures and the broken rules (`violations`) of an assignment made or edited by hand. Saves nothing."""

    serializer_class = EvaluateSerializer

    @extend_schema(request=EvaluateSerializer, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        study = self._study(pk)
        body = EvaluateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            proposal = grouping_evaluate(actor=Actor.from_request(request), study=study, options=body.options(),
                                         assignment=body.validated_data["assignment"])
        except GroupingInfeasible as error:
            return _infeasible(error)
        return Response(proposal_to_dict(proposal))
