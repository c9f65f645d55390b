"""Erasure deletes the signed consent PDFs from storage, and old links to them say so (410, not 409)."""
import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from recruit.actors import Actor
from recruit.models import AuditEvent, Enrollment, ParticipationProof, SignatureRecord
from recruit.pipeline import Status
from recruit.services import gdpr
from recruit.services.enrollments import enrollment_transition
from recruit.services.gdpr import participant_erase
from tests.conftest import api_for, client_for, make_participant, make_study
from tests.consent_support import published_consent, sign

SYSTEM = Actor.system("test")


def media_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def signed(study, **fields):
    participant = make_participant(study, **fields)
    enrollment = Enrollment.objects.get(participant=participant, study=study)
    enrollment_transition(actor=SYSTEM, enrollment=enrollment, to_status=Status.ELIGIBLE, note="")
    version = study.consent_documents.get().versions.get() if study.consent_documents.exists() else published_consent(study)
    return participant, sign(enrollment, version)


@pytest.fixture
def two_signers(study_a):
    """Zebedeus signed in study A and in study B; Astrid signed in study A."""
    person, signature_a = signed(study_a, given_name="Zebedeus", family_name="Quarnstrøm",
                                 email="zebedeus.q@example.org")
    study_b = make_study("STUDYB2")
    enrollment_b = Enrollment.objects.create(study=study_b, participant=person)
    enrollment_transition(actor=SYSTEM, enrollment=enrollment_b, to_status=Status.ELIGIBLE, note="")
    signature_b = sign(enrollment_b, published_consent(study_b))
    other, other_signature = signed(study_a, given_name="Astrid", family_name="Ålvik")
    return person, [signature_a, signature_b], other_signature


def test_erasure_removes_every_signed_pdf_of_the_person_and_no_other(two_signers, django_capture_on_commit_callbacks):
    person, signatures, other = two_signers
    files = media_files()
    assert len(files) == 3 and all(name.endswith(".pdf") for name in files)

    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(actor=SYSTEM, participant=person)

    assert media_files() == [other.pdf]
    assert not SignatureRecord.objects.filter(pk__in=[s.pk for s in signatures]).exists()


def test_the_proof_kept_says_which_text_was_signed_and_that_the_pdf_was_deleted(
    two_signers, study_a, django_capture_on_commit_callbacks,
):
    person, (signature_a, _), _other = two_signers
    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(actor=SYSTEM, participant=person)
    proof = ParticipationProof.objects.get(study=study_a)
    assert proof.signed_pdfs_deleted == 1
    [evidence] = proof.consent_evidence
    assert evidence["signature"] == signature_a.pk and evidence["version"] == 1
    assert evidence["text_hash"] == signature_a.text_hash and evidence["pdf_deleted"] is True
    assert evidence["withdrawn_at"] is None
    assert "Zebedeus" not in str(proof.consent_evidence)  # nothing of who signed
    assert AuditEvent.objects.get(action="participant.erase", study=study_a).detail["signed_pdfs_deleted"] == 1


def test_the_consent_page_lists_the_proof_with_its_deleted_pdf(two_signers, study_a, coordinator_a,
                                                               django_capture_on_commit_callbacks):
    person, _signatures, _other = two_signers
    with django_capture_on_commit_callbacks(execute=True):
        [proof, _] = participant_erase(actor=SYSTEM, participant=person)
    page = client_for(coordinator_a).get(f"/studies/{study_a.pk}/consent/").text
    assert "Erased participants: proof of consent kept" in page
    section = page.split("Erased participants")[1]
    assert proof.code in section and "version 1 (nb)" in section and "1 deleted at erasure" in section


def test_an_old_link_to_an_erased_signature_answers_410_with_the_proof(two_signers, study_a, coordinator_a,
                                                                      django_capture_on_commit_callbacks):
    person, (signature_a, _), other = two_signers
    url = f"/studies/{study_a.pk}/consent/signatures/{signature_a.pk}/pdf/"
    assert client_for(coordinator_a).get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(actor=SYSTEM, participant=person)
    code = ParticipationProof.objects.get(study=study_a).code

    response = client_for(coordinator_a).get(url)
    assert response.status_code == 410
    assert "deleted with their data" in response.text and f"{code} signed version 1" in response.text
    assert "no longer matches its record" not in response.text  # not the tampering answer
    assert not AuditEvent.objects.filter(action="consent.pdf.mismatch").exists()

    api = api_for(coordinator_a).get(f"/api/v1/consent-signatures/{signature_a.pk}/pdf/")
    assert api.status_code == 410 and api.json()["pseudonym"] == code
    # The other signer's PDF is untouched and still passes its hash check.
    assert client_for(coordinator_a).get(f"/studies/{study_a.pk}/consent/signatures/{other.pk}/pdf/").status_code == 200


def test_an_erased_signature_of_another_study_stays_not_found(two_signers, study_a, coordinator_b, study_b,
                                                              django_capture_on_commit_callbacks):
    person, (signature_a, _), _other = two_signers
    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(actor=SYSTEM, participant=person)
    assert client_for(coordinator_b).get(
        f"/studies/{study_b.pk}/consent/signatures/{signature_a.pk}/pdf/").status_code == 404
    assert api_for(coordinator_b).get(f"/api/v1/consent-signatures/{signature_a.pk}/pdf/").status_code == 404


def test_a_failed_erasure_deletes_no_file_and_the_pdf_still_downloads(two_signers, study_a, coordinator_a,
                                                                      monkeypatch, django_capture_on_commit_callbacks):
    person, (signature_a, _), _other = two_signers
    before = media_files()

    def broken(values):
        raise RuntimeError("database went away")

    monkeypatch.setattr(gdpr, "_scrub", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        participant_erase(actor=SYSTEM, participant=person)
    assert media_files() == before
    response = client_for(coordinator_a).get(f"/studies/{study_a.pk}/consent/signatures/{signature_a.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_file_that_cannot_be_deleted_is_audited_by_name(two_signers, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    person, (signature_a, signature_b), _other = two_signers

    def refuse(name):
        raise PermissionError(name)

    monkeypatch.setattr(gdpr.default_storage, "delete", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(actor=SYSTEM, participant=person)
    failed = sorted(e.detail["file"] for e in AuditEvent.objects.filter(action="consent.pdf.delete_failed"))
    assert failed == sorted([signature_a.pdf, signature_b.pdf])


def test_purge_deletes_the_pdfs_of_an_expired_study_and_keeps_the_others(two_signers, study_a, settings,
                                                                         django_capture_on_commit_callbacks):
    person, (signature_a, signature_b), other = two_signers
    settings.RECRUIT_RETENTION_DAYS = 30
    study_a.end_date = datetime.date.today() - datetime.timedelta(days=31)
    study_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge")
    # Zebedeus is kept for study B (only A's enrollment goes); Astrid is erased.
    assert media_files() == [signature_b.pdf]
    assert ParticipationProof.objects.filter(study=study_a, signed_pdfs_deleted=1).count() == 2
