import hashlib

import pytest
from django.core.exceptions import ValidationError

from recruit.actors import Actor
from recruit.models import AuditEvent, ConsentStatement, ConsentVersion
from recruit.services.consent import (
    canonical_text,
    consent_document_create,
    consent_version_create,
    consent_version_publish,
    consent_version_update,
)

from .consent_support import SYSTEM, draft_consent, published_consent

pytestmark = pytest.mark.django_db


def test_publishing_stores_the_sha256_of_the_canonical_text(study_a):
    version = published_consent(study_a)
    version = ConsentVersion.objects.get(pk=version.pk)
    assert version.status == "published" and version.published_at is not None
    assert version.text_hash == hashlib.sha256(canonical_text(version).encode()).hexdigest()
    assert "æøå" in canonical_text(version)


def test_a_published_version_refuses_every_change_in_the_model(study_a):
    version = published_consent(study_a)
    version.purpose = "Changed after the fact"
    with pytest.raises(ValidationError) as error:
        version.save()
    assert error.value.code == "published_immutable"
    with pytest.raises(ValidationError):
        ConsentVersion.objects.filter(pk=version.pk).update(purpose="Bulk change")
    with pytest.raises(ValidationError):
        version.delete()
    statement = version.statements.first()
    statement.text = "Something else"
    with pytest.raises(ValidationError):
        statement.save()
    with pytest.raises(ValidationError):
        ConsentStatement.objects.filter(version=version).update(required=False)
    with pytest.raises(ValidationError):
        ConsentStatement.objects.filter(version=version).delete()
    stored = ConsentVersion.objects.get(pk=version.pk)
    assert stored.purpose != "Changed after the fact" and stored.statements.count() == 3


def test_the_service_refuses_to_edit_a_published_version(study_a, actor_a):
    version = published_consent(study_a)
    with pytest.raises(ValidationError) as error:
        consent_version_update(actor=actor_a, version=version, purpose="New purpose")
    assert error.value.code == "published_immutable"


def test_a_draft_can_be_edited(study_a, actor_a):
    version = draft_consent(study_a)
    consent_version_update(actor=actor_a, version=version, purpose="Ny tekst\r\n", statements=[
        {"text": "Jeg vil delta.", "required": True}, {"text": "  ", "required": False},
    ])
    version.refresh_from_db()
    assert version.purpose == "Ny tekst"
    assert [(s.position, s.text, s.required) for s in version.statements.all()] == [(1, "Jeg vil delta.", True)]


def test_publishing_refuses_missing_sections_and_end_date_and_writes_nothing(study_a, actor_a):
    version = draft_consent(study_a, privacy="", end_date=None)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        consent_version_publish(actor=actor_a, version=version)
    assert set(error.value.message_dict) == {"privacy", "end_date"}
    assert "end" in error.value.message_dict["end_date"][0]
    stored = ConsentVersion.objects.get(pk=version.pk)
    assert stored.status == "draft" and stored.text_hash == "" and stored.published_at is None
    assert AuditEvent.objects.count() == events


def test_publishing_refuses_a_text_without_a_required_statement(study_a, actor_a):
    version = draft_consent(study_a, statements=[{"text": "Sitater kan publiseres.", "required": False}])
    with pytest.raises(ValidationError) as error:
        consent_version_publish(actor=actor_a, version=version)
    assert error.value.error_dict["statements"][0].code == "no_required_statement"


def test_a_new_version_is_an_editable_copy_of_the_latest(study_a, actor_a):
    first = published_consent(study_a)
    second = consent_version_create(actor=actor_a, document=first.document)
    assert (second.number, second.status, second.based_on_id) == (2, "draft", first.pk)
    assert second.purpose == first.purpose and second.end_date == first.end_date
    assert [(s.text, s.required) for s in second.statements.all()] == [
        (s.text, s.required) for s in first.statements.all()
    ]
    consent_version_update(actor=actor_a, version=second, purpose="Endret formål")
    assert ConsentVersion.objects.get(pk=first.pk).purpose != "Endret formål"
    with pytest.raises(ValidationError) as error:
        consent_version_create(actor=actor_a, document=first.document)
    assert error.value.code == "draft_exists"


def test_a_translation_starts_as_a_copy_with_the_same_number(study_a, actor_a):
    nb = published_consent(study_a)
    document = consent_document_create(actor=actor_a, study=study_a, language="en")
    english = document.versions.get()
    assert english.number == nb.number and english.purpose == nb.purpose and english.statements.count() == 3
    with pytest.raises(ValidationError):
        consent_document_create(actor=actor_a, study=study_a, language="en")


def test_another_studys_coordinator_cannot_write_consent_texts(study_a, coordinator_b):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        consent_document_create(actor=Actor(user=coordinator_b), study=study_a, language="nb")
    version = draft_consent(study_a)
    with pytest.raises(PermissionDenied):
        consent_version_publish(actor=Actor(user=coordinator_b), version=version)
    assert ConsentVersion.objects.get(pk=version.pk).status == "draft"


def test_the_system_actor_seeds_without_a_membership(study_a):
    assert consent_document_create(actor=SYSTEM, study=study_a, language="nb").versions.count() == 1
