"""Consent texts: documents per language, draft versions that are edited, published ones that are not.

A new version is a copy of the latest one; publishing checks that every section of the information
letter is there, fixes the SHA-256 of the canonical text and marks people who signed an older
version as needing to consent again.
"""
import hashlib
import json
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.models import ConsentDocument, ConsentStatement, ConsentVersion, SignatureRecord, Study
from recruit.models.consent import SECTION_FIELDS, PublishedVersionError
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record

EDITABLE_FIELDS = ("title", *SECTION_FIELDS, "end_date")
MAX_STATEMENTS = 20


def _clean_text(value: str) -> str:
    # One canonical form for the hash: NFC, Unix line ends, no trailing blanks.
    value = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in value.strip().split("\n"))


def canonical_text(version: ConsentVersion, statements=None) -> str:
    """The text people sign, as one deterministic string (sorted-key JSON): the input of text_hash."""
    statements = list(version.statements.all()) if statements is None else statements
    data = {
        "format": 1,
        "study": version.document.study.code,
        "language": version.document.language,
        "version": version.number,
        "title": version.title,
        "sections": [[name, getattr(version, name)] for name in SECTION_FIELDS],
        "end_date": version.end_date.isoformat() if version.end_date else None,
        "statements": [[s.position, s.text, s.required] for s in statements],
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def text_hash(version: ConsentVersion, statements=None) -> str:
    return hashlib.sha256(canonical_text(version, statements).encode()).hexdigest()


def current_number(study: Study) -> int | None:
    """The study's current consent version: the highest number published in any language."""
    return _published_numbers(study.pk).first()


def current_number_subquery(study_id: int) -> Subquery:
    """current_number as part of another query (NULL when nothing is published), saving a round trip."""
    return Subquery(_published_numbers(study_id)[:1])


def _published_numbers(study_id: int):
    return ConsentVersion.objects.filter(
        document__study_id=study_id, status=ConsentVersion.Status.PUBLISHED
    ).order_by("-number").values_list("number", flat=True)


def current_version_for(study: Study, language: str) -> ConsentVersion | None:
    """The current version to show a participant: in their language if published there, else in another."""
    number = current_number(study)
    if number is None:
        return None
    versions = list(
        ConsentVersion.objects.select_related("document__study")
        .filter(document__study=study, status=ConsentVersion.Status.PUBLISHED, number=number)
        .prefetch_related("statements")
    )
    versions.sort(key=lambda v: (v.document.language != language, v.document.language))
    return versions[0] if versions else None


def consent_document_create(*, actor: Actor, study: Study, language: str, title: str = "") -> ConsentDocument:
    """A consent document in a new language, with a first draft (a copy of another language's latest text,
    numbered as the study's current version, so translations line up)."""
    require_study_editor(actor, study)
    document = ConsentDocument(study=study, language=language)
    document.full_clean()
    with transaction.atomic():
        document.save()
        source = (
            ConsentVersion.objects.filter(document__study=study).exclude(document=document)
            .order_by("-number", "-status").first()
        )
        version = ConsentVersion(document=document, number=source.number if source else 1, title=title)
        if source is not None:
            _copy_into(source, version)
        version.title = title or version.title or study.title
        version.save()
        if source is not None:
            _copy_statements(source, version)
        audit_record(actor=actor, action="consent.document.create", obj=document, study=study,
                     detail={"language": language})
    return document


def consent_version_create(*, actor: Actor, document: ConsentDocument) -> ConsentVersion:
    """A new draft: a copy of the document's latest version, numbered after it."""
    require_study_editor(actor, document.study)
    with transaction.atomic():
        if document.versions.filter(status=ConsentVersion.Status.DRAFT).exists():
            raise ValidationError(_("This document already has a draft; edit that one."), code="draft_exists")
        latest = document.versions.order_by("-number").first()
        number = max((latest.number + 1) if latest else 1, current_number(document.study) or 1)
        version = ConsentVersion(document=document, number=number, based_on=latest)
        if latest is not None:
            _copy_into(latest, version)
        else:
            version.title = document.study.title
        version.full_clean()
        version.save()
        if latest is not None:
            _copy_statements(latest, version)
        audit_record(actor=actor, action="consent.version.create", obj=version, study=document.study,
                     detail={"number": number, "copied_from": latest.pk if latest else None})
    return version


def _copy_into(source: ConsentVersion, target: ConsentVersion) -> None:
    for name in EDITABLE_FIELDS:
        setattr(target, name, getattr(source, name))


def _copy_statements(source: ConsentVersion, target: ConsentVersion) -> None:
    ConsentStatement.objects.bulk_create(
        ConsentStatement(version=target, position=s.position, text=s.text, required=s.required)
        for s in source.statements.all()
    )


def _refuse_published(version: ConsentVersion) -> None:
    if ConsentVersion.objects.filter(pk=version.pk, status=ConsentVersion.Status.PUBLISHED).exists():
        raise PublishedVersionError()


def consent_version_update(
    *, actor: Actor, version: ConsentVersion, statements: list[dict] | None = None, **fields
) -> ConsentVersion:
    """Edit a draft. `statements` ([{"text", "required"}], in order) replaces the tick boxes when given."""
    require_study_editor(actor, version.document.study)
    _refuse_published(version)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not writable: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(version, name, value if name == "end_date" else _clean_text(value))
    version.full_clean()
    cleaned = None
    if statements is not None:
        cleaned = _clean_statements(statements)
    with transaction.atomic():
        # Lock the row so a publish running now cannot interleave with this edit.
        locked = ConsentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise PublishedVersionError()
        version.save()
        if cleaned is not None:
            version.statements.all().delete()
            ConsentStatement.objects.bulk_create(
                ConsentStatement(version=version, position=i, text=s["text"], required=s["required"])
                for i, s in enumerate(cleaned, start=1)
            )
        audit_record(actor=actor, action="consent.version.update", obj=version, study=version.document.study,
                     detail={"fields": sorted(fields), "statements": cleaned is not None})
    return version


def _clean_statements(statements: list[dict]) -> list[dict]:
    cleaned = []
    for item in statements:
        text = _clean_text(item.get("text", ""))
        if not text:
            continue
        if len(text) > 500:
            raise ValidationError(
                {"statements": ValidationError(_("A statement has at most 500 characters."), code="statement_long")}
            )
        cleaned.append({"text": text, "required": bool(item.get("required"))})
    if len(cleaned) > MAX_STATEMENTS:
        raise ValidationError(
            {"statements": ValidationError(_("At most %(n)s statements."), code="too_many_statements",
                                           params={"n": MAX_STATEMENTS})}
        )
    return cleaned


def publish_errors(version: ConsentVersion, statements: list[ConsentStatement]) -> dict[str, list[ValidationError]]:
    """What is missing before a version can be published (the information letter's required parts)."""
    errors: dict[str, list[ValidationError]] = {}
    if not version.title.strip():
        errors["title"] = [ValidationError(_("The text needs a title."), code="required_section")]
    for name in SECTION_FIELDS:
        if not getattr(version, name).strip():
            label = ConsentVersion._meta.get_field(name).verbose_name
            errors[name] = [ValidationError(
                _("The section “%(section)s” is required before publishing."), code="required_section",
                params={"section": label},
            )]
    if version.end_date is None:
        errors["end_date"] = [ValidationError(
            _("The text must give the date the project ends and the data are deleted or anonymised."),
            code="end_date_required",
        )]
    elif version.end_date < timezone.localdate():
        errors["end_date"] = [ValidationError(_("The project end date is in the past."), code="end_date_past")]
    if not statements:
        errors["statements"] = [ValidationError(_("Add at least one consent statement."), code="no_statements")]
    elif not any(s.required for s in statements):
        errors["statements"] = [ValidationError(
            _("At least one consent statement must be required (taking part in the study)."),
            code="no_required_statement",
        )]
    return errors


def consent_version_publish(*, actor: Actor, version: ConsentVersion) -> ConsentVersion:
    """Publish a draft: it can never change again. Older signatures in the study now need re-consent."""
    study = version.document.study
    require_study_editor(actor, study)
    with transaction.atomic():
        locked = ConsentVersion.objects.select_for_update().select_related("document__study").get(pk=version.pk)
        if locked.is_published:
            raise PublishedVersionError()
        statements = list(locked.statements.all())
        errors = publish_errors(locked, statements)
        if errors:
            raise ValidationError(errors)
        previous = current_number(study)
        now = timezone.now()
        locked.status = ConsentVersion.Status.PUBLISHED
        locked.text_hash = text_hash(locked, statements)
        locked.published_at = now
        locked.published_by = actor.user
        locked.save()
        marked = 0
        if previous is not None and locked.number > previous:
            marked = SignatureRecord.objects.filter(
                enrollment__study=study, version__number__lt=locked.number,
                withdrawn_at__isnull=True, reconsent_required_at__isnull=True,
            ).update(reconsent_required_at=now)
        audit_record(actor=actor, action="consent.version.publish", obj=locked, study=study,
                     detail={"number": locked.number, "text_hash": locked.text_hash, "reconsent_required": marked})
    for name in ("status", "text_hash", "published_at", "published_by"):
        setattr(version, name, getattr(locked, name))
    return version
