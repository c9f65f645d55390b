"""Reads for the consent pages and API: always from a study the user can see."""
import datetime
from dataclasses import dataclass

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from recruit.models import ConsentDocument, ConsentVersion, Enrollment, ParticipationProof, SignatureRecord, Study
from recruit.selectors import studies_visible_to
from recruit.services.consent import current_number

# A participant's consent state, in the order the overview counts them.
STATES = {
    "valid": _("Signed"),
    "reconsent": _("Re-consent required"),
    "requested": _("Requested"),
    "not_requested": _("Not requested"),
    "withdrawn": _("Withdrawn"),
}


@dataclass
class ConsentRow:
    enrollment: Enrollment
    signature: SignatureRecord | None
    requested_at: object
    state: str

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])


def signatures_visible_to(user) -> QuerySet[SignatureRecord]:
    return SignatureRecord.objects.filter(enrollment__study__in=studies_visible_to(user).values("pk"))


@dataclass
class ErasedSignature:
    """A signature whose participant was erased: the proof kept, and what it says of the signature."""

    proof: ParticipationProof
    evidence: dict

    @property
    def explanation(self) -> str:
        """The answer a coordinator gets instead of the PDF (410 Gone)."""
        text = gettext(
            "The participant who signed this was erased on %(erased)s, and the signed PDF was deleted with "
            "their data. What is kept as proof: %(code)s signed version %(version)s on %(signed)s."
        ) % {
            "erased": _when(self.proof.erased_at), "code": self.proof.code, "version": self.evidence.get("version"),
            "signed": _when(self.evidence.get("signed_at")),
        }
        if self.evidence.get("withdrawn_at"):
            text += " " + gettext("Consent was withdrawn on %(withdrawn)s.") % {
                "withdrawn": _when(self.evidence["withdrawn_at"])}
        return text


def _when(moment) -> str:
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment)
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "–"


def erased_signature(studies: QuerySet[Study], signature_pk: int) -> ErasedSignature | None:
    """The proof that records signature_pk as erased, in one of the studies, or None.

    Read in Python: the JSON lookups differ between SQLite and PostgreSQL, and this runs only
    when a signature is not found.
    """
    proofs = ParticipationProof.objects.filter(study__in=studies.values("pk")).exclude(consent_evidence=[])
    for proof in proofs.select_related("study").iterator():
        for evidence in proof.consent_evidence:
            if evidence.get("signature") == signature_pk:
                return ErasedSignature(proof=proof, evidence=evidence)
    return None


def consent_documents_visible_to(user) -> QuerySet[ConsentDocument]:
    return ConsentDocument.objects.filter(study__in=studies_visible_to(user).values("pk"))


def consent_versions_visible_to(user) -> QuerySet[ConsentVersion]:
    return ConsentVersion.objects.filter(document__study__in=studies_visible_to(user).values("pk"))


def consent_rows(study: Study) -> tuple[list[ConsentRow], dict[str, int]]:
    """Per enrollment: the latest signature, when consent was last requested, the state; and counts per state.

    Four queries: the current number, enrollments with participants and the last request time, their
    signatures (with versions and documents).
    """
    number = current_number(study)
    enrollments = (
        Enrollment.objects.filter(study=study)
        .select_related("participant")
        .annotate(requested_at=Max("consent_requests__created_at"))
        .prefetch_related(Prefetch(
            "signatures",
            queryset=SignatureRecord.objects.select_related("version__document").defer("drawn_signature")
            .order_by("-signed_at", "-id"),
            to_attr="signature_list",
        ))
        .order_by("participant__family_name", "participant__given_name", "pk")
    )
    rows, counts = [], {state: 0 for state in STATES}
    for enrollment in enrollments:
        signature = enrollment.signature_list[0] if enrollment.signature_list else None
        if enrollment.status == "withdrawn" or (signature and signature.withdrawn_at):
            state = "withdrawn"
        elif signature and signature.version.number == number:
            state = "valid"
        elif signature:
            state = "reconsent"
        elif enrollment.requested_at:
            state = "requested"
        else:
            state = "not_requested"
        counts[state] += 1
        rows.append(ConsentRow(enrollment, signature, enrollment.requested_at, state))
    return rows, counts
