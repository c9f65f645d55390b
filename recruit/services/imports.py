"""Importing participant lists: every row validated by the Participant model's own rules first,
then all rows written in one transaction with bulk inserts and updates.

Duplicates are matched by HPR number, then by e-mail (case-insensitive). A matched participant
is changed only in the fields the coordinator chose, and an empty cell never erases a value.
By default one bad row stops the whole import; `skip_bad_rows` imports the rest and reports them.
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recruit import spreadsheets
from recruit.actors import Actor
from recruit.models import Participant, ParticipantImport, Region
from recruit.selectors import participants_editable_by
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record
from recruit.services.participants import EDITABLE_FIELDS

IMPORTABLE_FIELDS = EDITABLE_FIELDS
REQUIRED_FOR_NEW = ("given_name", "family_name", "email", "birth_year", "gender")
# Fields never re-validated per row: their values come from lookups that are valid by construction
# (and ForeignKey validation would cost a query per row).
_NOT_CLEANED = ["county", "source_study"]
BATCH = 500


@dataclass
class RowError:
    row: int
    column: str
    field: str
    message: str


@dataclass
class ImportPlan:
    new: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unchanged: int = 0
    # Rows matching someone the coordinator may not change (they belong to other studies).
    not_editable: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    update_fields: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})

    def summary(self) -> dict:
        return {
            "to_create": len(self.new), "to_update": len(self.updates), "unchanged": self.unchanged,
            "not_editable_rows": self.not_editable, "bad_rows": self.bad_rows,
            "errors": [asdict(error) for error in self.errors],
        }


class ImportRejected(ValidationError):
    """Some rows are bad and bad rows were not to be skipped; nothing was imported."""

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        super().__init__(
            ngettext(
                "%(n)s row has errors; nothing was imported. Correct it, or choose to skip bad rows.",
                "%(n)s rows have errors; nothing was imported. Correct them, or choose to skip bad rows.",
                len(plan.bad_rows),
            ) % {"n": len(plan.bad_rows)},
            code="rows_invalid",
        )


def field_labels() -> dict[str, str]:
    return {name: str(Participant._meta.get_field(name).verbose_name) for name in IMPORTABLE_FIELDS}


def check_mapping(mapping: dict, headers: list[str], update_fields: list[str]) -> None:
    """Refuse a mapping that names unknown columns or fields, uses a field twice, or lacks a required one."""
    errors = {}
    names = [name for name in mapping.values() if name]
    unknown = sorted({name for name in names if name not in IMPORTABLE_FIELDS})
    bad_columns = [index for index in mapping if not str(index).isdigit() or int(index) >= len(headers)]
    if unknown or bad_columns:
        errors["mapping"] = _("Unknown fields or columns: %(names)s.") % {
            "names": ", ".join(unknown + [str(c) for c in bad_columns])
        }
    elif len(names) != len(set(names)):
        errors["mapping"] = _("Each field may come from one column only.")
    else:
        missing = [field_labels()[name] for name in REQUIRED_FOR_NEW if name not in names]
        if missing:
            errors["mapping"] = _("Choose a column for: %(fields)s.") % {"fields": ", ".join(missing)}
    unknown_updates = sorted(set(update_fields) - set(IMPORTABLE_FIELDS))
    if unknown_updates:
        errors["update_fields"] = _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown_updates)}
    if errors:
        raise ValidationError(errors, code="bad_mapping")


def _county_lookup() -> dict[str, int]:
    """Region code or name (any case) -> id."""
    lookup: dict[str, int] = {}
    for pk, code, name in Region.objects.filter(country="NO").values_list("pk", "code", "name"):
        lookup[code.lower()] = pk
        lookup[code.lstrip("0").lower()] = pk
        lookup[name.lower()] = pk
    return lookup


def _existing(rows: list[tuple[int, dict]]) -> tuple[dict, dict]:
    """The registry's participants matching the file, indexed by HPR number and lower-cased e-mail."""
    hprs = sorted({r["hpr_number"] for _, r in rows if r.get("hpr_number")})
    emails = sorted({r["email"].lower() for _, r in rows if r.get("email")})
    by_hpr, by_email = {}, {}
    queryset = Participant.objects.annotate(email_lower=Lower("email"))
    for start in range(0, max(len(hprs), len(emails)), BATCH):
        condition = Q(hpr_number__in=hprs[start:start + BATCH]) | Q(email_lower__in=emails[start:start + BATCH])
        for participant in queryset.filter(condition):
            if participant.hpr_number:
                by_hpr[participant.hpr_number] = participant
            by_email[participant.email_lower] = participant
    return by_hpr, by_email


def import_plan(*, actor: Actor, study, table: spreadsheets.Table, mapping: dict,
                update_fields: list[str] | tuple = ()) -> ImportPlan:
    """Validate every row and decide what each would do; writes nothing."""
    require_study_editor(actor, study)
    mapping = {str(index): name for index, name in mapping.items() if name}
    update_fields = list(update_fields)
    check_mapping(mapping, table.headers, update_fields)
    mapped_fields = set(mapping.values())
    update_fields = [name for name in IMPORTABLE_FIELDS if name in update_fields and name in mapped_fields]
    column_of = {name: table.headers[int(index)] for index, name in mapping.items()}
    counties = _county_lookup() if "county" in mapped_fields else {}

    rows = [(number, {name: spreadsheets.normalise_value(name, text) for name, text in raw.items()})
            for number, raw in spreadsheets.mapped_rows(table, mapping)]
    by_hpr, by_email = _existing(rows)
    matched_ids = {p.pk for p in [*by_hpr.values(), *by_email.values()]}
    editable = set(matched_ids) if actor.trusted else set(
        participants_editable_by(actor.user).filter(pk__in=matched_ids).values_list("pk", flat=True)
    )

    plan = ImportPlan(update_fields=update_fields)
    seen_hpr: dict[str, int] = {}
    seen_email: dict[str, int] = {}

    for number, values in rows:
        errors: list[RowError] = []

        def error(name: str, message: str):
            errors.append(RowError(row=number, column=column_of.get(name, ""), field=name, message=str(message)))

        hpr, email = values.get("hpr_number", ""), values.get("email", "").lower()
        if hpr and hpr in seen_hpr:
            error("hpr_number", _("The same HPR number as row %(row)s.") % {"row": seen_hpr[hpr]})
        if email and email in seen_email:
            error("email", _("The same e-mail as row %(row)s.") % {"row": seen_email[email]})
        if hpr:
            seen_hpr.setdefault(hpr, number)
        if email:
            seen_email.setdefault(email, number)

        match = by_hpr.get(hpr) if hpr else None
        by_mail = by_email.get(email) if email else None
        if match is not None and by_mail is not None and by_mail.pk != match.pk:
            error("email", _("This e-mail belongs to another participant in the registry than the HPR number."))
        match = match or by_mail

        if match is not None and match.pk not in editable:
            if not errors:
                plan.not_editable.append(number)
            plan.errors += errors
            continue

        if match is None:
            instance = Participant(source_study=study)
            fields = [name for name in mapped_fields]
        else:
            instance = copy.copy(match)
            # Empty cells never erase what the registry holds.
            fields = [name for name in update_fields if values.get(name) not in ("", None)]
        for name in fields:
            value = values.get(name, "")
            if name == "county":
                if value == "":
                    instance.county_id = None
                elif value.lower() in counties:
                    instance.county_id = counties[value.lower()]
                else:
                    error("county", _("%(value)s is not a Norwegian county name or number.") % {"value": value})
            elif value == "" and name in ("birth_year", "gp_start_year"):
                setattr(instance, name, None)
            else:
                setattr(instance, name, value)
        _clean(instance, error, fields)

        if errors:
            plan.errors += errors
        elif match is None:
            plan.new.append(instance)
        elif any(getattr(instance, name) != getattr(match, name) for name in fields):
            plan.updates.append(instance)
        else:
            plan.unchanged += 1
    return plan


def _clean(instance: Participant, error, fields: list[str]) -> None:
    """The model's field and cross-field rules, as the participant form applies them.

    Only the fields the row sets are validated one by one (the rest hold the registry's values or
    the model's defaults); the cross-field rules see the whole participant."""
    try:
        instance.clean_fields(exclude=[f.name for f in Participant._meta.fields
                                       if f.name not in fields or f.name in _NOT_CLEANED])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                error(name, message)
            # So clean() compares numbers, not the text that failed to convert.
            if name in ("birth_year", "gp_start_year"):
                setattr(instance, name, None)
    try:
        instance.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                error(name, message)


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    skipped: int
    skipped_rows: list[int]
    errors: list[dict]

    def as_dict(self) -> dict:
        return asdict(self)


def participants_import(*, actor: Actor, study, table: spreadsheets.Table, mapping: dict,
                        update_fields=(), skip_bad_rows: bool = False, filename: str = "") -> ImportResult:
    """Validate, then write every good row in one transaction; raise ImportRejected if rows are bad
    and skip_bad_rows is not set (nothing is written then)."""
    plan = import_plan(actor=actor, study=study, table=table, mapping=mapping, update_fields=update_fields)
    if plan.errors and not skip_bad_rows:
        raise ImportRejected(plan)
    now = timezone.now()
    for participant in plan.updates:
        participant.updated_at = now
    try:
        with transaction.atomic():
            Participant.objects.bulk_create(plan.new, batch_size=BATCH)
            if plan.updates:
                Participant.objects.bulk_update(plan.updates, [*plan.update_fields, "updated_at"], batch_size=BATCH)
            skipped_rows = sorted(set(plan.bad_rows) | set(plan.not_editable))
            result = ImportResult(
                created=len(plan.new), updated=len(plan.updates), unchanged=plan.unchanged,
                skipped=len(skipped_rows), skipped_rows=skipped_rows,
                errors=[asdict(error) for error in plan.errors],
            )
            # Counts and row numbers only: the audit log holds no names or addresses.
            audit_record(
                actor=actor, action="participant.import", study=study,
                detail={"file": filename, "created": result.created, "updated": result.updated,
                        "unchanged": result.unchanged, "skipped": result.skipped,
                        "update_fields": plan.update_fields},
            )
    except IntegrityError as error:
        raise ValidationError(
            _("Someone added the same participants meanwhile; validate the file again."), code="registry_changed"
        ) from error
    return result


# The upload -> map -> preview -> commit steps of the page and the API.

def import_upload(*, actor: Actor, study, data: bytes, filename: str) -> ParticipantImport:
    require_study_editor(actor, study)
    try:
        table = spreadsheets.read_table(data, filename)
    except spreadsheets.SpreadsheetError as error:
        raise ValidationError({"file": ValidationError(str(error), code="unreadable")}) from error
    previous = ParticipantImport.objects.filter(study=study, created_by=actor.user).exclude(mapping={}).first()
    remembered = spreadsheets.mapping_by_header(previous.headers, previous.mapping) if previous else {}
    return ParticipantImport.objects.create(
        study=study, created_by=actor.user, filename=filename[:255], data=data, headers=table.headers,
        row_count=len(table), mapping=spreadsheets.guess_mapping(table.headers, IMPORTABLE_FIELDS, remembered),
        update_fields=previous.update_fields if previous else [],
    )


def import_table(participant_import: ParticipantImport) -> spreadsheets.Table:
    return spreadsheets.read_table(bytes(participant_import.data), participant_import.filename)


def import_validate(*, actor: Actor, participant_import: ParticipantImport, mapping: dict | None = None,
                    update_fields=None) -> ImportPlan:
    """Check the rows with this mapping, and remember the mapping for this user's next file."""
    if participant_import.status != ParticipantImport.Status.UPLOADED:
        raise ValidationError(_("This file has already been imported."), code="already_imported")
    if mapping is not None:
        participant_import.mapping = {str(k): v for k, v in mapping.items() if v}
    if update_fields is not None:
        participant_import.update_fields = list(update_fields)
    plan = import_plan(
        actor=actor, study=participant_import.study, table=import_table(participant_import),
        mapping=participant_import.mapping, update_fields=participant_import.update_fields,
    )
    participant_import.save(update_fields=["mapping", "update_fields"])
    return plan


def import_commit(*, actor: Actor, participant_import: ParticipantImport, skip_bad_rows: bool = False) -> ImportResult:
    with transaction.atomic():
        # Lock the upload so a double-clicked commit imports once.
        locked = ParticipantImport.objects.select_for_update().get(pk=participant_import.pk)
        if locked.status != ParticipantImport.Status.UPLOADED:
            raise ValidationError(_("This file has already been imported."), code="already_imported")
        result = participants_import(
            actor=actor, study=locked.study, table=import_table(locked), mapping=locked.mapping,
            update_fields=locked.update_fields, skip_bad_rows=skip_bad_rows, filename=locked.filename,
        )
        # The file holds personal data; once imported, the registry is its home.
        locked.status, locked.result, locked.imported_at, locked.data = (
            ParticipantImport.Status.IMPORTED, result.as_dict(), timezone.now(), b""
        )
        locked.save(update_fields=["status", "result", "imported_at", "data"])
    participant_import.refresh_from_db()
    return result
