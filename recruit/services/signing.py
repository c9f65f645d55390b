"""Signing a consent: validation that writes nothing, the signature record, its PDF, the pipeline move.

The record holds what the participant saw and did (version and text hash, each answer, the typed
name, the drawn signature, the meaning of the signature, server UTC time, address, user agent and
the link's id); the PDF is rendered from the record alone, so rendering it again gives the same bytes.
"""
import base64
import binascii
import datetime
import hashlib
import io
import logging
import re
import unicodedata
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.consent_pdf import Answer, ConsentPdf, render_consent_pdf
from recruit.models import ConsentVersion, Enrollment, PersonalLink, SignatureRecord
from recruit.models.consent import SECTIONS
from recruit.pipeline import Status
from recruit.services.audit import audit_record
from recruit.services.consent import current_number
from recruit.services.enrollments import enrollment_transition
from recruit.services.links import LinkError, link_check, link_complete

logger = logging.getLogger(__name__)

# Statuses from which a participant may sign; eligible moves to consented, the others keep their place.
SIGNABLE = (Status.ELIGIBLE, Status.CONSENTED, Status.SCHEDULED, Status.ATTENDED, Status.NO_SHOW)
MAX_SIGNATURE_BYTES = 300_000
MAX_SIGNATURE_SIDE = 2000
# Characters that do not decompose into a base letter plus accent.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ı": "i", "þ": "th"})


class PdfUnavailable(Exception):
    """The stored PDF is missing or no longer matches its recorded SHA-256."""


class PdfNotStored(Exception):
    """The signed PDF could not be stored (media folder unwritable, disk full, storage unreachable).
    Nothing of the signature was kept: no record, no file; the participant can sign again later."""


def meaning_text() -> str:
    return _(
        "By typing my full name and confirming, I sign this consent electronically. I have read the "
        "information above, my answers to each statement are as shown, and the information I have given is correct."
    )


def normalise_name(name: str) -> str:
    """Case, accents, spacing and punctuation removed: "Åse  Ødegård-Li" -> "aseodegardli"."""
    folded = unicodedata.normalize("NFKD", name.casefold()).translate(_FOLD)
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))


def names_match(typed: str, registered: str) -> bool:
    return bool(normalise_name(typed)) and normalise_name(typed) == normalise_name(registered)


def signature_image_clean(value: str | None) -> bytes | None:
    """A drawn signature sent as a PNG data URL, checked and re-encoded (nothing but pixels kept)."""
    if not value:
        return None
    from PIL import Image, UnidentifiedImageError

    error = ValidationError(_("The drawn signature could not be read. Clear it and draw again."),
                            code="signature_invalid")
    match = re.fullmatch(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)", value.strip())
    if not match or len(match.group(1)) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValidationError({"drawn_signature": error})
    try:
        raw = base64.b64decode(match.group(1), validate=False)
        image = Image.open(io.BytesIO(raw))
        if image.format != "PNG" or max(image.size) > MAX_SIGNATURE_SIDE:
            raise ValueError
        image.load()
    except (binascii.Error, ValueError, UnidentifiedImageError, OSError):
        raise ValidationError({"drawn_signature": error}) from None
    # Flatten onto white so the PDF shows ink on paper, and crop to the ink.
    rgba = image.convert("RGBA")
    box = rgba.getchannel("A").getbbox()
    if box is None:
        return None  # an empty canvas: a typed name alone is a valid signature
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    white.crop(box).save(out, format="PNG", optimize=False)
    return out.getvalue()


def signing_validate(
    *, enrollment: Enrollment, version: ConsentVersion, answers: dict[int, bool], typed_name: str,
    drawn_signature: str | None = None,
) -> dict:
    """Check a participant's answers without writing anything; returns the cleaned values."""
    errors: dict[str, list] = {}
    statements = list(version.statements.all())
    for statement in statements:
        if statement.required and not answers.get(statement.position):
            errors.setdefault(f"statement_{statement.position}", []).append(ValidationError(
                _("You must agree to this statement to take part."), code="required_statement"
            ))
    typed_name = " ".join((typed_name or "").split())
    registered = enrollment.participant.full_name
    if not typed_name:
        errors["typed_name"] = [ValidationError(_("Type your full name to sign."), code="name_required")]
    elif not names_match(typed_name, registered):
        errors["typed_name"] = [ValidationError(
            _("The name you typed does not match the name the study has registered for you. Type your full "
              "name (given and family name); if it is registered wrongly, contact the study team."),
            code="name_mismatch",
        )]
    try:
        image = signature_image_clean(drawn_signature)
    except ValidationError as error:
        errors.update(error.error_dict)
        image = None
    if errors:
        raise ValidationError(errors)
    return {
        "answers": [
            {"position": s.position, "text": s.text, "required": s.required, "answer": bool(answers.get(s.position))}
            for s in statements
        ],
        "typed_name": typed_name,
        "drawn_signature": image,
    }


def consent_sign(
    *, actor: Actor, enrollment: Enrollment, version: ConsentVersion, answers: dict[int, bool], typed_name: str,
    confirmed: bool, drawn_signature: str | None = None, link: PersonalLink | None = None, user_agent: str = "",
    signed_at: datetime.datetime | None = None,
) -> SignatureRecord:
    """Record a signature of the study's current version, store its PDF, and move eligible to consented."""
    cleaned = signing_validate(
        enrollment=enrollment, version=version, answers=answers, typed_name=typed_name,
        drawn_signature=drawn_signature,
    )
    if not confirmed:
        raise ValidationError({"confirmed": ValidationError(
            _("Confirm that the information is correct to sign."), code="not_confirmed"
        )})
    written: list[str] = []  # files this call stored, removed again if the signature is not committed
    try:
        with transaction.atomic():
            signature = _signature_record(actor=actor, enrollment=enrollment, version=version, cleaned=cleaned,
                                          link=link, user_agent=user_agent, signed_at=signed_at, written=written)
    except BaseException:
        for name in written:
            _pdf_discard(name)
        raise
    return signature


def _signature_record(*, actor, enrollment, version, cleaned, link, user_agent, signed_at, written) -> SignatureRecord:
    study = enrollment.study
    # One signing at a time per enrollment; the link is used up in the same transaction.
    enrollment = Enrollment.objects.select_for_update().select_related("participant", "study").get(pk=enrollment.pk)
    if enrollment.status not in SIGNABLE:
        raise ValidationError(_("Consent cannot be given at this stage. Please contact the study team."),
                              code="not_signable")
    if not version.is_published or version.document.study_id != study.pk or version.number != current_number(study):
        raise ValidationError(_("The consent text has changed since you opened it. Reload the page to read "
                                "the current version."), code="version_outdated")
    if link is not None:
        try:
            link_check(link, purpose="consent")
        except LinkError as error:
            raise ValidationError(error.message, code=f"link_{error.code}") from None
        if not link_complete(link):
            raise ValidationError(_("This link has already been used."), code="link_completed")
    request = getattr(link, "consent_request", None) if link is not None else None
    signature = SignatureRecord.objects.create(
        enrollment=enrollment, version=version, text_hash=version.text_hash, answers=cleaned["answers"],
        typed_name=cleaned["typed_name"], drawn_signature=cleaned["drawn_signature"],
        meaning=_meaning_in(version.language), signed_at=signed_at or timezone.now(), ip_address=actor.ip,
        user_agent=(user_agent or "")[:500], link=link, link_ref=link.pk if link else None,
        requested_at=request.created_at if request else (link.created_at if link else None),
        first_viewed_at=link.first_used_at if link else None,
    )
    pdf = signature_pdf_render(signature)
    name = f"consent/{study.pk}/{signature.pk}-{uuid.uuid4().hex}.pdf"
    written.append(name)  # a full disk can leave part of the file behind under this name
    try:
        stored = default_storage.save(name, ContentFile(pdf))
    except Exception as error:  # noqa: BLE001 - any storage failure (OSError, S3 client errors) means "not stored"
        logger.error("consent PDF of signature %s not stored: %s", signature.pk, error)
        raise PdfNotStored(signature.pk) from error
    written.append(stored)
    signature.pdf, signature.pdf_sha256 = stored, hashlib.sha256(pdf).hexdigest()
    signature.save(update_fields=["pdf", "pdf_sha256"])
    audit_record(actor=actor, action="consent.sign", obj=signature, study=study,
                 detail={"version": version.number, "language": version.language, "pdf_sha256": signature.pdf_sha256})
    if enrollment.status == Status.ELIGIBLE:
        enrollment_transition(actor=actor, enrollment=enrollment, to_status=Status.CONSENTED,
                              note=f"signature {signature.pk}")
    if link is not None:
        from recruit.services.consent_requests import confirmation_queue

        confirmation_queue(signature)
    return signature


def _pdf_discard(name: str) -> None:
    """Remove a PDF whose signature was not committed, so no file exists without its record."""
    try:
        default_storage.delete(name)
    except Exception as error:  # noqa: BLE001 - the original failure is what the caller must see
        logger.error("could not remove %s after a failed signing: %s", name, error)


def _meaning_in(language: str) -> str:
    with translation.override(language):
        return meaning_text()


def utc_text(moment: datetime.datetime | None) -> str:
    if moment is None:
        return "–"
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def signature_pdf_data(signature: SignatureRecord) -> ConsentPdf:
    """The PDF's content, from the record and its (immutable) version only."""
    version = signature.version
    study = version.document.study
    participant = signature.enrollment.participant
    with translation.override(version.language):
        signed = utc_text(signature.signed_at)
        labels = {
            "statements": _("Consent statements"), "yes": _("Yes"), "no": _("No"), "required": _("Required"),
            "optional": _("Optional"), "signature": _("Signature"), "typed_name": _("Name typed by the participant"),
            "certificate": _("Signature certificate"), "page": _("Page"),
            "certificate_intro": _("This page records how and when the consent above was given. The document hash "
                                   "identifies the exact text; a changed file no longer matches its recorded hash."),
        }
        sections = [(str(heading), getattr(version, name)) for name, heading in SECTIONS]
        end = _("The project is scheduled to end on %(date)s.") % {"date": version.end_date.isoformat()}
        sections = [(h, f"{t}\n\n{end}" if n == "data_end" else t) for (n, _h), (h, t) in zip(SECTIONS, sections)]
        yes, no = _("yes"), _("no")
        certificate = [
            (_("Study"), f"{study.code} – {study.title}"),
            (_("Document"), _("version %(number)s, %(language)s") % {"number": version.number,
                                                                    "language": version.document.get_language_display()}),
            (_("Document hash (SHA-256)"), signature.text_hash),
            (_("Signature record id"), str(signature.pk)),
            (_("Participant"), participant.full_name),
            (_("Name typed"), signature.typed_name),
            (_("Drawn signature"), yes if signature.drawn_signature else no),
            (_("Request sent"), utc_text(signature.requested_at)),
            (_("First viewed"), utc_text(signature.first_viewed_at)),
            (_("Signed (server time)"), signed),
            (_("Address"), signature.ip_address or "–"),
            (_("User agent"), signature.user_agent or "–"),
            (_("Token id"), str(signature.link_ref) if signature.link_ref else "–"),
        ]
        return ConsentPdf(
            title=version.title,
            intro=_("%(code)s · consent version %(number)s · %(language)s") % {
                "code": study.code, "number": version.number, "language": version.document.get_language_display()},
            sections=sections,
            answers=[Answer(a["text"], a["required"], a["answer"]) for a in signature.answers],
            typed_name=signature.typed_name,
            signature_png=bytes(signature.drawn_signature) if signature.drawn_signature else None,
            meaning=signature.meaning,
            footer=_("%(code)s · version %(number)s · %(name)s · signed %(at)s") % {
                "code": study.code, "number": version.number, "name": participant.full_name, "at": signed},
            labels=labels,
            certificate=certificate,
        )


def signature_pdf_render(signature: SignatureRecord) -> bytes:
    return render_consent_pdf(signature_pdf_data(signature))


def signature_pdf_read(*, actor: Actor, signature: SignatureRecord, audit: bool = True) -> bytes:
    """The stored PDF, after checking it still has its recorded SHA-256; a mismatch is audited."""
    study = signature.enrollment.study
    try:
        with default_storage.open(signature.pdf, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError, OSError):
        data = None
    digest = hashlib.sha256(data).hexdigest() if data is not None else None
    if not signature.pdf or digest != signature.pdf_sha256:
        audit_record(actor=actor, action="consent.pdf.mismatch", obj=signature, study=study,
                     detail={"expected": signature.pdf_sha256, "found": digest})
        raise PdfUnavailable(signature.pk)
    if audit:
        audit_record(actor=actor, action="consent.pdf.download", obj=signature, study=study)
    return data
