from rest_framework import serializers

from recruit.models import ParticipantImport
from recruit.selectors import studies_editable_by
from recruit.services.imports import IMPORTABLE_FIELDS


class ParticipantImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ParticipantImport
        fields = ["id", "study", "filename", "headers", "row_count", "mapping", "update_fields", "status", "result",
                  "created_at", "imported_at"]
        read_only_fields = fields


class ParticipantImportUploadSerializer(serializers.Serializer):
    study = serializers.PrimaryKeyRelatedField(queryset=studies_editable_by(None))
    file = serializers.FileField(help_text="A CSV (UTF-8 or Windows-1252) or XLSX file; the first row names the columns.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["study"].queryset = studies_editable_by(request.user if request else None)


class ImportValidateSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.ChoiceField(choices=IMPORTABLE_FIELDS), required=False,
        help_text='{column index: field}, e.g. {"0": "given_name", "2": "email"}; omit to keep the current one.',
    )
    update_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=IMPORTABLE_FIELDS), required=False,
        help_text="Fields to update on participants already in the registry (matched by HPR number, then e-mail).",
    )


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row number in the spreadsheet; the header is row 1.")
    column = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportPlanSerializer(serializers.Serializer):
    to_create = serializers.IntegerField()
    to_update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    not_editable_rows = serializers.ListField(child=serializers.IntegerField())
    bad_rows = serializers.ListField(child=serializers.IntegerField())
    errors = ImportErrorSerializer(many=True)


class ImportRejectedSerializer(ImportPlanSerializer):
    """A commit refused because rows are bad (and skip_bad_rows was false): nothing was imported."""

    non_field_errors = serializers.ListField(child=serializers.CharField())


class ImportCommitSerializer(serializers.Serializer):
    skip_bad_rows = serializers.BooleanField(default=False)


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()
    skipped_rows = serializers.ListField(child=serializers.IntegerField())
    errors = ImportErrorSerializer(many=True)
