"""Signing when the PDF cannot be stored (unwritable media folder, full disk) or the database fails
after it was: the participant reads a clear page in their language, and no half-written consent
exists — no signature record without its PDF, no PDF without its record."""
import errno
import os
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError
from django.test import Client

from recruit.models import AuditEvent, Enrollment, PersonalLink, SignatureRecord

from .consent_support import published_consent, sign
from .test_consent_signing import send_request, sign_through_pages

pytestmark = pytest.mark.django_db


class FullDiskStorage(FileSystemStorage):
    """A disk that fills up while a file is written: the first half stays on disk, then ENOSPC."""

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.read()
        path.write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def stored_files(root) -> list[Path]:
    root = Path(root)
    return [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []


def assert_nothing_signed(enrollment):
    assert not SignatureRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.sign").exists()
    assert Enrollment.objects.get(pk=enrollment.pk).status == "eligible"
    assert PersonalLink.objects.get(purpose="consent", enrollment=enrollment).completed_at is None


def test_an_unwritable_media_folder_shows_a_clear_page_and_signing_works_once_it_is_fixed(
    eligible_a, version_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    path = send_request(eligible_a, django_capture_on_commit_callbacks)
    client = Client()
    client.get(path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the media folder should be")  # no folder can be made here, even by root
    settings.MEDIA_ROOT = blocker / "media"

    response = sign_through_pages(client, eligible_a)

    assert response.status_code == 503 and response["Retry-After"]
    text = response.content.decode()  # in bokmål, Astrid's language
    assert "Samtykket ditt kunne ikke lagres" in text
    assert "Ingenting ble lagret" in text and "Prøv igjen" in text
    assert_nothing_signed(eligible_a)

    settings.MEDIA_ROOT = tmp_path / "media-fixed"
    with django_capture_on_commit_callbacks(execute=True):
        retry = client.post("/consent/review/", {"confirmed": "on"})  # the answers were kept
    assert retry.status_code == 302 and retry["Location"] == "/consent/done/"
    signature = SignatureRecord.objects.get(enrollment=eligible_a)
    assert stored_files(settings.MEDIA_ROOT) == [Path(settings.MEDIA_ROOT) / signature.pdf]


def test_a_full_disk_leaves_neither_a_record_nor_a_partial_pdf(
    eligible_a, version_a, settings, django_capture_on_commit_callbacks
):
    path = send_request(eligible_a, django_capture_on_commit_callbacks)
    client = Client()
    client.get(path)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.FullDiskStorage"}}

    response = sign_through_pages(client, eligible_a)

    assert response.status_code == 503
    assert "Samtykket ditt kunne ikke lagres" in response.content.decode()
    assert_nothing_signed(eligible_a)
    assert stored_files(settings.MEDIA_ROOT) == []


def test_a_participant_who_reads_english_gets_the_page_in_english(
    study_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    from .conftest import make_participant

    published_consent(study_a, language="nb")
    published_consent(study_a, language="en", title="Would you like to take part?")
    person = make_participant(study_a, preferred_language="en")
    enrollment = Enrollment.objects.get(participant=person)
    Enrollment.objects.filter(pk=enrollment.pk).update(status="eligible")
    enrollment.refresh_from_db()
    path = send_request(enrollment, django_capture_on_commit_callbacks)
    client = Client()
    client.get(path)
    (tmp_path / "blocker").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "blocker" / "media"

    response = sign_through_pages(client, enrollment)

    assert response.status_code == 503
    assert "Your consent could not be saved" in response.content.decode()
    assert not SignatureRecord.objects.exists()


def test_a_database_failure_after_the_pdf_was_stored_removes_the_pdf(eligible_a, version_a, settings, monkeypatch):
    def audit_fails(**kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr("recruit.services.signing.audit_record", audit_fails)

    with pytest.raises(DatabaseError):
        sign(eligible_a, version_a)

    assert not SignatureRecord.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []
