"""Builders for consent tests: a complete consent text, published, and a signature of it."""
import datetime

from django.utils import timezone

from recruit.actors import Actor
from recruit.models import ConsentVersion
from recruit.models.consent import SECTION_FIELDS
from recruit.services.consent import (
    consent_document_create,
    consent_version_create,
    consent_version_publish,
    consent_version_update,
)
from recruit.services.signing import consent_sign

SYSTEM = Actor.system("test")
STATEMENTS = [
    {"text": "Jeg samtykker til å delta i en fokusgruppe.", "required": True},
    {"text": "Jeg samtykker til lydopptak.", "required": True},
    {"text": "Anonymiserte sitater fra meg kan publiseres.", "required": False},
]


def complete_text(**overrides) -> dict:
    fields = {name: f"Tekst om {name}: æøå ÆØÅ." for name in SECTION_FIELDS}
    fields["title"] = "Vil du delta i forskningsprosjektet «Fastleger og kvalitet»?"
    fields["end_date"] = timezone.localdate() + datetime.timedelta(days=700)
    fields.update(overrides)
    return fields


def draft_consent(study, language="nb", statements=None, **overrides) -> ConsentVersion:
    document = study.consent_documents.filter(language=language).first()
    if document is None:
        document = consent_document_create(actor=SYSTEM, study=study, language=language)
        version = document.versions.get()
    else:
        version = consent_version_create(actor=SYSTEM, document=document)
    return consent_version_update(actor=SYSTEM, version=version, statements=statements or STATEMENTS,
                                  **complete_text(**overrides))


def published_consent(study, language="nb", **overrides) -> ConsentVersion:
    version = draft_consent(study, language, **overrides)
    return consent_version_publish(actor=SYSTEM, version=version)


def sign(enrollment, version, *, actor=SYSTEM, answers=None, **extra):
    enrollment.refresh_from_db()
    answers = answers if answers is not None else {s.position: True for s in version.statements.all()}
    return consent_sign(actor=actor, enrollment=enrollment, version=version, answers=answers,
                        typed_name=enrollment.participant.full_name, confirmed=True, **extra)


def consent_given(enrollment):
    """A valid signature of the study's current version, written directly (no PDF): for tests of other
    features that need an enrollment with consent, e.g. booking a session that requires it."""
    from recruit.models import SignatureRecord
    from recruit.services.consent import current_version_for

    version = current_version_for(enrollment.study, "nb") or published_consent(enrollment.study)
    return SignatureRecord.objects.create(
        enrollment=enrollment, version=version, text_hash=version.text_hash, typed_name="test",
        answers=[{"position": s.position, "text": s.text, "required": s.required, "answer": True}
                 for s in version.statements.all()],
        meaning="test", signed_at=timezone.now(),
    )


def emailed_consent_link(study, *, text: str, statements=None) -> tuple:
    """An English consent text published for the study and an eligible participant sent its request.

    Returns (enrollment, the link's path from the e-mail), for tests that open it as the participant would.
    """
    import re

    from django.core import mail

    from recruit.models import Enrollment
    from recruit.services.consent_requests import consent_requests_send

    from .conftest import make_participant

    published_consent(study, language="en", title=f"Would you like to take part in “{study.title}”?",
                      participation=text, privacy=text, rights=text, statements=statements)
    person = make_participant(study, given_name="Åse", family_name="Ødegård", preferred_language="en")
    enrollment = Enrollment.objects.get(participant=person)
    Enrollment.objects.filter(pk=enrollment.pk).update(status="eligible")
    enrollment.refresh_from_db()
    consent_requests_send(actor=SYSTEM, study=study, enrollments=[enrollment])
    return enrollment, re.search(r"(/l/[^/\s]+/)", mail.outbox[-1].body).group(1)
