"""Anonymised export and the participant's rights over the API: thin views over the services."""
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.exports import (
    EraseSerializer,
    ParticipantDataQuerySerializer,
    PseudonymisedQuerySerializer,
    RestrictSerializer,
    Table1QuerySerializer,
)
from recruit.actors import Actor
from recruit.anonymise.table1_files import CONTENT_TYPES as TABLE1_CONTENT_TYPES
from recruit.selectors import participants_visible_to, studies_visible_to
from recruit.services.audit import audit_record
from recruit.services.gdpr import participant_data_export, participant_erase, participant_restrict
from recruit.services.pseudonyms import pseudonym_key_csv, pseudonymised_csv, pseudonymised_plan
from recruit.services.table1 import default_grouping, table1_build, table1_export, table1_options


def _query(serializer_class, request):
    params = {key: request.query_params.getlist(key) if key in ("statuses", "columns") else value
              for key, value in request.query_params.items()}
    serializer = serializer_class(data=params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _media(content_type: str) -> str:
    return content_type.split(";")[0]


# Each answer under its own media type, so a client (and the schema's checks) knows what comes back.
TABLE1_RESPONSES = {(200, "application/json"): OpenApiTypes.OBJECT,
                    **{(200, _media(t)): OpenApiTypes.BINARY for t in TABLE1_CONTENT_TYPES.values()}}
CSV_RESPONSE = {(200, "text/csv"): OpenApiTypes.BINARY}


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


class Table1View(APIView):
    @extend_schema(parameters=[Table1QuerySerializer], responses=TABLE1_RESPONSES,
                   summary="Table 1 (participant characteristics) with small-cell protection; JSON or a file")
    def get(self, request, pk):
        study = get_object_or_404(studies_visible_to(request.user), pk=pk)
        query = _query(Table1QuerySerializer, request)
        options = table1_options(
            k=query["k"], group_by=query.get("group_by") or default_grouping(study), age_width=query["age_width"],
            experience_edges=query["experience_edges"], statuses=query["statuses"],
            count_withdrawn=query["count_withdrawn"],
        )
        actor = Actor.from_request(request)
        if query.get("file"):
            content, content_type, filename = table1_export(actor=actor, study=study, options=options,
                                                            fmt=query["file"])
            return _attachment(HttpResponse(content, content_type=content_type), filename)
        table = table1_build(actor=actor, study=study, options=options)
        audit_record(actor=actor, action="table1.export", study=study,
                     detail={**options.as_detail(), "format": "json", "n": table.columns[0].n, "api": True})
        return Response(table.as_dict())


class PseudonymisedView(APIView):
    @extend_schema(parameters=[PseudonymisedQuerySerializer], responses={200: OpenApiTypes.OBJECT},
                   summary="What the pseudonymised export would hold: achieved k, generalisations, suppression")
    def get(self, request, pk):
        study = get_object_or_404(studies_visible_to(request.user), pk=pk)
        query = _query(PseudonymisedQuerySerializer, request)
        plan = pseudonymised_plan(actor=Actor.from_request(request), study=study, names=query["columns"],
                                  k=query["k"], count_withdrawn=query["count_withdrawn"])
        return Response(plan.report())


class PseudonymisedExportView(APIView):
    @extend_schema(parameters=[PseudonymisedQuerySerializer], responses=CSV_RESPONSE,
                   summary="The pseudonymised demographics as a streamed CSV (study editors)")
    def get(self, request, pk):
        study = get_object_or_404(studies_visible_to(request.user), pk=pk)
        query = _query(PseudonymisedQuerySerializer, request)
        actor = Actor.from_request(request)
        plan = pseudonymised_plan(actor=actor, study=study, names=query["columns"], k=query["k"])
        lines = pseudonymised_csv(actor=actor, plan=plan)
        response = StreamingHttpResponse((line.encode("utf-8") for line in lines), content_type="text/csv; charset=utf-8")
        response["X-Achieved-K"] = str(plan.solution.achieved_k)
        return _attachment(response, f"{study.code}-pseudonymised.csv")


class PseudonymKeyView(APIView):
    @extend_schema(responses=CSV_RESPONSE, summary="The key from codes to participants (owners only)")
    def get(self, request, pk):
        study = get_object_or_404(studies_visible_to(request.user), pk=pk)
        content = pseudonym_key_csv(actor=Actor.from_request(request), study=study)
        return _attachment(HttpResponse(content, content_type="text/csv; charset=utf-8"),
                           f"{study.code}-pseudonym-key.csv")


class ParticipantDataView(APIView):
    @extend_schema(parameters=[ParticipantDataQuerySerializer],
                   responses={(200, "application/json"): OpenApiTypes.OBJECT,
                              (200, "application/pdf"): OpenApiTypes.BINARY},
                   summary="Everything recruit holds about a participant (GDPR access), JSON or PDF")
    def get(self, request, pk):
        participant = get_object_or_404(participants_visible_to(request.user), pk=pk)
        query = _query(ParticipantDataQuerySerializer, request)
        content, content_type, filename = participant_data_export(
            actor=Actor.from_request(request), participant=participant, fmt=query["file"]
        )
        return _attachment(HttpResponse(content, content_type=content_type), filename)


class ParticipantRestrictView(APIView):
    @extend_schema(request=RestrictSerializer, responses={200: RestrictSerializer},
                   summary="Restrict processing (left out of invitations, scheduling and exports) or lift it")
    def post(self, request, pk):
        participant = get_object_or_404(participants_visible_to(request.user), pk=pk)
        serializer = RestrictSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        participant_restrict(actor=Actor.from_request(request), participant=participant,
                             restricted=serializer.validated_data["restricted"])
        return Response({"restricted": participant.restricted})


class ParticipantEraseView(APIView):
    @extend_schema(request=EraseSerializer, responses={200: OpenApiResponse(OpenApiTypes.OBJECT)},
                   summary="Erase a participant everywhere; keeps pseudonymous proof of consent per study")
    def post(self, request, pk):
        participant = get_object_or_404(participants_visible_to(request.user), pk=pk)
        serializer = EraseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["confirm"].lower() != participant.email.lower():
            raise ValidationError({"confirm": ["Give the participant's e-mail address to confirm."]})
        proofs = participant_erase(actor=Actor.from_request(request), participant=participant,
                                   reason=serializer.validated_data.get("reason", ""))
        return Response({"erased": True, "kept": [{"study": p.study.code, "pseudonym": p.code} for p in proofs]})
