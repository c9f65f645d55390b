"""The participant's rights (GDPR art. 15–18): access, restriction, erasure; and the purge.

Access collects every row recruit holds about a person by following the relations to the
participant (so a table a later feature adds is included without changes here). Erasure
deletes the participant with everything that hangs on them, frees their seats, redacts the
audit events about them, scrubs any copy of their e-mail or name left in another table,
deletes their signed consent PDFs from storage, and keeps only a ParticipationProof per study
under the study's pseudonym (which consent text was signed when, and that the PDF was deleted).
"""
import datetime
import io
import json

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.deletion import ProtectedError
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.models import AuditEvent, Enrollment, Participant, ParticipationProof, Pseudonym, Study
from recruit.pipeline import Status
from recruit.services.access import require_participant_editor
from recruit.services.audit import audit_record, audit_redact_for_participant
from recruit.services.pseudonyms import pseudonyms_assign

# Never handed out, not even to the person: secrets and internal bookkeeping.
SECRET_FIELDS = {"token_hash", "password"}
ERASED = "[erased]"


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, (dict, list)):
        return value
    return str(value)


def _row(obj: models.Model) -> dict:
    out = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS or isinstance(field, models.BinaryField):
            continue
        if isinstance(field, models.ForeignKey):
            target = getattr(obj, field.name)
            out[field.name] = str(target) if target is not None and field.related_model is not Participant else None
            continue
        value = getattr(obj, field.attname)
        if field.choices and value not in (None, ""):
            value = str(getattr(obj, f"get_{field.name}_display")())
        out[field.name] = _plain(value)
    return out


def _related(obj: models.Model, depth: int, seen: set) -> dict:
    """{model verbose name: [rows]} of the objects pointing at obj, followed depth levels down."""
    out: dict[str, list] = {}
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if model is AuditEvent or not (relation.one_to_many or relation.one_to_one):
            continue
        if not isinstance(relation.field, models.ForeignKey):
            continue
        rows = model._default_manager.filter(**{relation.field.name: obj}).order_by("pk")
        for child in rows:
            key = (model._meta.label_lower, child.pk)
            if key in seen:
                continue
            seen.add(key)
            item = _row(child)
            if depth > 1:
                nested = _related(child, depth - 1, seen)
                if nested:
                    item["related"] = nested
            out.setdefault(str(model._meta.verbose_name_plural), []).append(item)
    return out


def participant_data(participant: Participant) -> dict:
    """Everything recruit holds about the participant, as plain JSON-ready values."""
    return {
        "generated_at": timezone.now().isoformat(),
        "participant": _row(participant),
        "related": _related(participant, depth=3, seen=set()),
    }


def participant_data_export(*, actor: Actor, participant: Participant, fmt: str, via: str = "coordinator"):
    """(content, content type, file name) in json or pdf; audited without any of the data."""
    if via == "coordinator":
        require_participant_editor(actor, participant)
    if fmt not in ("json", "pdf"):
        raise ValidationError({"format": ValidationError(_("Unknown format %(fmt)s.") % {"fmt": fmt}, code="format")})
    data = participant_data(participant)
    if fmt == "json":
        content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        content_type = "application/json"
    else:
        content = _data_pdf(data)
        content_type = "application/pdf"
    audit_record(actor=actor, action="participant.data_export", obj=participant, detail={"format": fmt, "via": via})
    return content, content_type, f"my-data-{participant.pk}.{fmt}"


def _data_pdf(data: dict) -> bytes:
    """A readable PDF of participant_data: one table of field and value per record."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                 title=_("Your data in recruit"))
    story = [
        Paragraph(escape(_("Your data in recruit")), styles["Title"]),
        Paragraph(escape(_("Everything the study teams' recruitment system holds about you, as of %(when)s.")
                         % {"when": data["generated_at"][:16].replace("T", " ")}), styles["BodyText"]),
        Spacer(1, 4 * mm),
    ]

    # Rows are keyed by field name (the JSON's keys); a reader is shown each field's label in their language.
    models_by_title = {str(model._meta.verbose_name_plural): model for model in apps.get_models()}

    def table(row: dict, model):
        labels = {field.name: capfirst(field.verbose_name) for field in model._meta.concrete_fields} if model else {}
        cells = [[Paragraph(escape(str(labels.get(key, key.replace("_", " ")))), small),
                  Paragraph(escape(_cell(value)), small)]
                 for key, value in row.items() if key != "related"]
        grid = Table(cells, colWidths=[50 * mm, 120 * mm])
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return grid

    def section(title: str, rows: list, level: int, model=None):
        story.append(Paragraph(escape(title.capitalize()), styles["Heading2" if level == 0 else "Heading3"]))
        for row in rows:
            story.append(table(row, model or models_by_title.get(title)))
            story.append(Spacer(1, 2 * mm))
            for name, nested in row.get("related", {}).items():
                section(name, nested, level + 1)

    section(_("Personal details"), [data["participant"]], 0, Participant)
    for name, rows in data["related"].items():
        section(name, rows, 0)
    document.build(story)
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def participant_restrict(*, actor: Actor, participant: Participant, restricted: bool) -> Participant:
    """Restrict processing (art. 18): left out of invitations, scheduling and exports, or lift it."""
    require_participant_editor(actor, participant)
    if participant.restricted != restricted:
        with transaction.atomic():
            Participant.objects.filter(pk=participant.pk).update(restricted=restricted)
            participant.restricted = restricted
            audit_record(actor=actor, action="participant.restrict" if restricted else "participant.unrestrict",
                         obj=participant)
    return participant


def _consent_evidence(enrollment: Enrollment) -> tuple[list[dict], list[str]]:
    """(what the proof keeps of each signature, the stored PDF files to delete)."""
    signatures = list(
        enrollment.signatures.select_related("version__document").defer("drawn_signature").order_by("signed_at", "pk")
    )
    evidence = [
        {
            "signature": s.pk, "version": s.version.number, "language": s.version.document.language,
            "text_hash": s.text_hash, "signed_at": s.signed_at.isoformat(),
            "withdrawn_at": s.withdrawn_at.isoformat() if s.withdrawn_at else None, "pdf_deleted": bool(s.pdf),
        }
        for s in signatures
    ]
    return evidence, [s.pdf for s in signatures if s.pdf]


def _proof(participant: Participant, enrollment: Enrollment) -> tuple[ParticipationProof, list[str]]:
    """The study's proof (pseudonym, when consent was given and withdrawn, what was signed) and the files to delete."""
    pseudonyms_assign(study=enrollment.study, participant_ids=[participant.pk])
    code = Pseudonym.objects.get(study=enrollment.study, participant=participant).code
    changes = list(enrollment.status_changes.all())
    evidence, files = _consent_evidence(enrollment)
    proof = ParticipationProof(
        study=enrollment.study, code=code,
        consented_at=next((c.at for c in changes if c.to_status == Status.CONSENTED), None),
        withdrawn_at=next((c.at for c in reversed(changes) if c.to_status == Status.WITHDRAWN), None),
        consent_evidence=evidence, signed_pdfs_deleted=len(files),
    )
    return proof, files


def _proofs(participant: Participant) -> tuple[list[ParticipationProof], list[str]]:
    """One proof per study, and every stored file of the participant."""
    proofs, files = [], []
    for enrollment in participant.enrollments.select_related("study").prefetch_related("status_changes"):
        proof, names = _proof(participant, enrollment)
        proofs.append(proof)
        files += names
    return proofs, files


def _delete_files_on_commit(names: list[str]) -> None:
    """Delete the stored files once the erasure is committed.

    Not before: a rolled-back erasure would leave signature records whose PDFs are gone (and
    their downloads refused as tampered). A file that cannot be deleted is audited by name (the
    name holds ids only), so an administrator can remove it by hand.
    """
    if not names:
        return

    def delete():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError as error:
                audit_record(actor=Actor.system("erasure"), action="consent.pdf.delete_failed",
                             detail={"file": name, "error": type(error).__name__})

    transaction.on_commit(delete)


def _scrub(values: list[str]) -> int:
    """Replace any remaining copy of the values in every text column of every table; returns rows changed."""
    changed = 0
    for model in apps.get_models():
        if model is AuditEvent or model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)):
                condition = Q()
                for value in values:
                    condition |= Q(**{f"{field.attname}__icontains": value})
                rows = model._default_manager.filter(condition)
            elif isinstance(field, models.JSONField):
                condition = Q()
                for value in values:
                    for form in {value, json.dumps(value)[1:-1]}:
                        condition |= Q(scrub_text__icontains=form)
                rows = model._default_manager.annotate(scrub_text=Cast(field.attname, TextField())).filter(condition)
            elif isinstance(field, models.BinaryField):
                # Stored files (e.g. an import's spreadsheet): emptied when they hold the person.
                hits = [pk for pk, blob in model._default_manager.values_list("pk", field.attname)
                        if blob and any(v.encode() in bytes(blob) for v in values)]
                changed += model._default_manager.filter(pk__in=hits).update(**{field.attname: b""})
                continue
            else:
                continue
            for obj in rows:
                value = getattr(obj, field.attname)
                setattr(obj, field.attname, _replace(value, values))
                model._default_manager.filter(pk=obj.pk).update(**{field.attname: getattr(obj, field.attname)})
                changed += 1
    return changed


def _replace(value, needles: list[str]):
    if isinstance(value, str):
        lowered = value
        for needle in needles:
            index = lowered.lower().find(needle.lower())
            while index >= 0:
                lowered = lowered[:index] + ERASED + lowered[index + len(needle):]
                index = lowered.lower().find(needle.lower(), index + len(ERASED))
        return lowered
    if isinstance(value, list):
        return [_replace(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, needles) for key, item in value.items()}
    return value


def participant_erase(*, actor: Actor, participant: Participant, reason: str = "") -> list[ParticipationProof]:
    """Erase a participant (art. 17) everywhere; keeps a ParticipationProof per study. Audited."""
    require_participant_editor(actor, participant)
    identifiers = [v for v in (participant.email, participant.full_name, participant.hpr_number, participant.phone)
                   if v and len(v) >= 4]
    with transaction.atomic():
        _free_bookings(actor, participant)
        proofs, files = _proofs(participant)
        redacted = audit_redact_for_participant(participant)
        participant_id = participant.pk
        try:
            participant.delete()
        except ProtectedError as error:
            raise ValidationError(
                _("This participant cannot be erased yet: %(what)s must be removed first.")
                % {"what": ", ".join(sorted({str(o._meta.verbose_name_plural) for o in error.protected_objects}))},
                code="protected",
            ) from None
        ParticipationProof.objects.bulk_create(proofs)
        scrubbed = _scrub(identifiers)
        _delete_files_on_commit(files)
        for proof in proofs:
            # The event names the study's pseudonym only; the participant's id is gone.
            audit_record(
                actor=actor, action="participant.erase", study=proof.study,
                detail={"pseudonym": proof.code, "audit_events_redacted": redacted, "rows_scrubbed": scrubbed,
                        "reason_given": bool(reason), "signed_pdfs_deleted": proof.signed_pdfs_deleted},
            )
        if not proofs:
            audit_record(actor=actor, action="participant.erase",
                         detail={"participant_id": participant_id, "audit_events_redacted": redacted})
    return proofs


def _free_bookings(actor: Actor, participant: Participant) -> None:
    try:
        from recruit.services.bookings import bookings_cancel_for_enrollment
    except ImportError:  # scheduling not installed
        return
    for enrollment in participant.enrollments.all():
        bookings_cancel_for_enrollment(actor=Actor.system("erasure") if actor.user is None else actor,
                                       enrollment=enrollment, reason="erasure")


def retention_days() -> int:
    return int(getattr(settings, "RECRUIT_RETENTION_DAYS", 365))


def studies_past_retention(today: datetime.date | None = None):
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=retention_days())
    return Study.objects.filter(end_date__isnull=False, end_date__lt=cutoff)


def purge(*, today: datetime.date | None = None, dry_run: bool = False) -> dict:
    """Erase the participants of studies past their end date plus the retention period.

    Someone also enrolled in (or added through) a study still within its period keeps their
    record; only their enrollment in the expired study goes, leaving a ParticipationProof.
    """
    actor = Actor.system("purge")
    expired = studies_past_retention(today)
    expired_ids = set(expired.values_list("pk", flat=True))
    erased = detached = 0
    participants = Participant.objects.filter(
        Q(enrollments__study__in=expired_ids) | Q(source_study__in=expired_ids)
    ).distinct()
    for participant in participants:
        other = participant.enrollments.exclude(study__in=expired_ids).exists() or (
            participant.source_study_id and participant.source_study_id not in expired_ids
        )
        if dry_run:
            detached += bool(other)
            erased += not other
            continue
        if other:
            with transaction.atomic():
                for enrollment in participant.enrollments.filter(study__in=expired_ids).select_related("study"):
                    _detach(actor, participant, enrollment)
                if participant.source_study_id in expired_ids:
                    Participant.objects.filter(pk=participant.pk).update(source_study=None)
            detached += 1
        else:
            participant_erase(actor=actor, participant=participant, reason="retention period over")
            erased += 1
    if not dry_run and (erased or detached):
        audit_record(actor=actor, action="purge", detail={"studies": sorted(expired_ids), "erased": erased,
                                                          "detached": detached})
    return {"studies": len(expired_ids), "erased": erased, "detached": detached}


def _detach(actor: Actor, participant: Participant, enrollment: Enrollment) -> None:
    proof, files = _proof(participant, enrollment)
    proof.save()
    _delete_files_on_commit(files)
    try:
        from recruit.services.bookings import bookings_cancel_for_enrollment

        bookings_cancel_for_enrollment(actor=actor, enrollment=enrollment, reason="retention period over")
    except ImportError:
        pass
    AuditEvent.objects.filter(object_type="recruit.enrollment", object_id=str(enrollment.pk)).update(
        detail={"redacted": True}
    )
    Pseudonym.objects.filter(study=enrollment.study, participant=participant).update(participant=None)
    enrollment.delete()
