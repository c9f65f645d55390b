import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from pypdf import PdfReader

from recruit.models import AuditEvent, Enrollment
from recruit.services.signing import signature_pdf_render

from .conftest import client_for, make_participant
from .consent_support import published_consent, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature_a(enrollment_a, study_a):
    Enrollment.objects.filter(pk=enrollment_a.pk).update(status="eligible")
    version = published_consent(study_a)
    return sign(enrollment_a, version, answers={1: True, 2: True, 3: False})


def stored_pdf(signature) -> bytes:
    with default_storage.open(signature.pdf, "rb") as handle:
        return handle.read()


def pages_text(data: bytes) -> list[str]:
    """Each page's text with line wrapping undone (one space between words)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_the_pdf_holds_the_text_answers_name_and_hash_with_norwegian_letters(signature_a):
    data = stored_pdf(signature_a)
    assert hashlib.sha256(data).hexdigest() == signature_a.pdf_sha256
    pages = pages_text(data)
    text = "\n".join(pages)
    version = signature_a.version
    assert "Vil du delta i forskningsprosjektet «Fastleger og kvalitet»?" in text
    assert "æøå ÆØÅ" in text
    assert "Jeg samtykker til å delta i en fokusgruppe." in text
    assert "Anonymiserte sitater fra meg kan publiseres." in text
    assert "Astrid Ålvik" in text
    # Answers: yes to both required statements, no to the optional one (bokmål document, English UI words
    # until the catalogue says otherwise); the hash and the record id are on the certificate page.
    assert text.count("Required") + text.count("Påkrevd") == 2
    assert version.text_hash in pages[-1]
    assert str(signature_a.pk) in pages[-1]


def test_every_page_has_the_footer(signature_a):
    pages = pages_text(stored_pdf(signature_a))
    assert len(pages) >= 2
    for text in pages:
        assert "STUDYA" in text and "Astrid Ålvik" in text
        assert signature_a.signed_at.strftime("%Y-%m-%d %H:%M:%S UTC") in text


def test_rendering_the_same_record_again_gives_the_same_bytes(signature_a):
    assert signature_pdf_render(signature_a) == signature_pdf_render(signature_a) == stored_pdf(signature_a)


def test_unicode_beyond_norwegian_renders(study_a):
    person = make_participant(study_a, given_name="Zoë Şebnem", family_name="Øvrebø-Łukasiewicz")
    enrollment = Enrollment.objects.get(participant=person)
    Enrollment.objects.filter(pk=enrollment.pk).update(status="eligible")
    signature = sign(enrollment, published_consent(study_a))
    assert "Zoë Şebnem Øvrebø-Łukasiewicz" in "\n".join(pages_text(stored_pdf(signature)))


def test_a_changed_file_answers_409_and_is_audited(signature_a, coordinator_a):
    with default_storage.open(signature_a.pdf, "wb") as handle:
        handle.write(stored_pdf(signature_a).replace(b"Astrid", b"Astrix"))
    response = client_for(coordinator_a).get(
        f"/studies/{signature_a.enrollment.study_id}/consent/signatures/{signature_a.pk}/pdf/"
    )
    assert response.status_code == 409
    event = AuditEvent.objects.get(action="consent.pdf.mismatch")
    assert event.object_id == str(signature_a.pk) and event.detail["expected"] == signature_a.pdf_sha256
    zipped = client_for(coordinator_a).get(f"/studies/{signature_a.enrollment.study_id}/consent/signatures.zip")
    assert zipped.status_code == 409


def test_a_missing_file_answers_409(signature_a, coordinator_a):
    default_storage.delete(signature_a.pdf)
    response = client_for(coordinator_a).get(
        f"/studies/{signature_a.enrollment.study_id}/consent/signatures/{signature_a.pk}/pdf/"
    )
    assert response.status_code == 409


def test_a_coordinator_downloads_the_pdf_and_the_study_zip(signature_a, coordinator_a, study_a):
    import zipfile

    client = client_for(coordinator_a)
    response = client.get(f"/studies/{study_a.pk}/consent/signatures/{signature_a.pk}/pdf/")
    assert response.status_code == 200 and response.content == stored_pdf(signature_a)
    assert AuditEvent.objects.filter(action="consent.pdf.download", object_id=str(signature_a.pk)).exists()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/studies/{study_a.pk}/consent/signatures.zip").content))
    assert archive.namelist() == [f"consent-STUDYA-{signature_a.pk}.pdf"]
    assert archive.read(archive.namelist()[0]) == stored_pdf(signature_a)
    assert AuditEvent.objects.filter(action="consent.pdf.export", study=study_a).exists()


def test_another_studys_coordinator_gets_404_for_pages_and_pdfs(signature_a, coordinator_b, study_a, study_b):
    client = client_for(coordinator_b)
    version = signature_a.version
    for url in [
        f"/studies/{study_a.pk}/consent/",
        f"/studies/{study_a.pk}/consent/versions/{version.pk}/",
        f"/studies/{study_a.pk}/consent/signatures/{signature_a.pk}/pdf/",
        f"/studies/{study_a.pk}/consent/signatures.zip",
        # Their own study's address with another study's objects: still 404.
        f"/studies/{study_b.pk}/consent/versions/{version.pk}/",
        f"/studies/{study_b.pk}/consent/signatures/{signature_a.pk}/pdf/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/studies/{study_b.pk}/consent/enrollments/{signature_a.enrollment_id}/withdraw/",
                       {"channel": "phone"}).status_code == 404


def test_the_participant_pdf_needs_the_participants_session(signature_a):
    assert Client().get("/consent/pdf/").status_code == 403
