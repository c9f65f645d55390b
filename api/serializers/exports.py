from rest_framework import serializers

from recruit.anonymise.table1 import DEFAULT_K, MIN_K
from recruit.anonymise.table1_files import FORMATS
from recruit.services.pseudonyms import DEFAULT_QUASI_IDENTIFIERS
from recruit.services.table1 import DEFAULT_STATUSES, GROUPINGS, REPORTABLE_STATUSES


class Table1QuerySerializer(serializers.Serializer):
    k = serializers.IntegerField(min_value=MIN_K, default=DEFAULT_K)
    group_by = serializers.ChoiceField(choices=GROUPINGS, required=False)
    age_width = serializers.IntegerField(min_value=1, max_value=40, default=10)
    experience_edges = serializers.CharField(default="0,5,10,20")
    statuses = serializers.ListField(child=serializers.ChoiceField(choices=REPORTABLE_STATUSES),
                                     default=list(DEFAULT_STATUSES))
    count_withdrawn = serializers.BooleanField(
        default=False, help_text="State in the notes how many withdrew (a number only), where the protocol says so.")
    file = serializers.ChoiceField(choices=FORMATS, required=False,
                                   help_text="Download as a file instead of JSON: csv, xlsx, md, tex or pdf.")


class PseudonymisedQuerySerializer(serializers.Serializer):
    k = serializers.IntegerField(min_value=MIN_K, default=DEFAULT_K)
    columns = serializers.ListField(child=serializers.CharField(), default=list(DEFAULT_QUASI_IDENTIFIERS))
    count_withdrawn = serializers.BooleanField(
        default=False, help_text="Report how many withdrew (a number only; they are never in the rows).")


class ParticipantDataQuerySerializer(serializers.Serializer):
    file = serializers.ChoiceField(choices=["json", "pdf"], default="json")


class RestrictSerializer(serializers.Serializer):
    restricted = serializers.BooleanField()


class EraseSerializer(serializers.Serializer):
    confirm = serializers.EmailField(help_text="The participant's e-mail address, to confirm.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
