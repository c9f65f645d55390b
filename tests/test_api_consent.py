import pytest
from django.core.files.storage import default_storage

from recruit.models import ConsentVersion, Enrollment, SignatureRecord, Withdrawal
from recruit.models.consent import SECTION_FIELDS

from .conftest import api_for
from .consent_support import published_consent, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def signature_a(enrollment_a, study_a):
    Enrollment.objects.filter(pk=enrollment_a.pk).update(status="eligible")
    return sign(enrollment_a, published_consent(study_a))


def test_a_coordinator_writes_and_publishes_a_version_through_the_api(coordinator_a, study_a):
    api = api_for(coordinator_a)
    document = api.post("/api/v1/consent-documents/", {"study": study_a.pk, "language": "en"}).json()
    version = ConsentVersion.objects.get(document_id=document["id"])
    body = {name: f"Text {name}" for name in SECTION_FIELDS}
    body.update(title="Would you like to take part?", end_date="2031-06-30",
                statements=[{"text": "I agree to take part.", "required": True}])
    response = api.patch(f"/api/v1/consent-versions/{version.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["statements"] == [{"position": 1, "text": "I agree to take part.", "required": True}]
    published = api.post(f"/api/v1/consent-versions/{version.pk}/publish/").json()
    assert published["status"] == "published" and len(published["text_hash"]) == 64


def test_publishing_an_incomplete_version_is_a_400_with_field_errors(coordinator_a, study_a):
    api = api_for(coordinator_a)
    document = api.post("/api/v1/consent-documents/", {"study": study_a.pk, "language": "nb"}).json()
    version = ConsentVersion.objects.get(document_id=document["id"])
    response = api.post(f"/api/v1/consent-versions/{version.pk}/publish/")
    assert response.status_code == 400
    assert {"purpose", "end_date", "statements"} <= set(response.json())
    assert ConsentVersion.objects.get(pk=version.pk).status == "draft"


def test_the_api_refuses_to_change_a_published_version(coordinator_a, study_a):
    version = published_consent(study_a)
    response = api_for(coordinator_a).patch(f"/api/v1/consent-versions/{version.pk}/", {"purpose": "Changed"},
                                            format="json")
    assert response.status_code == 400 and "can never be changed" in str(response.json())
    assert ConsentVersion.objects.get(pk=version.pk).purpose != "Changed"
    copy = api_for(coordinator_a).post("/api/v1/consent-versions/", {"document": version.document_id}, format="json")
    assert copy.status_code == 201 and copy.json()["number"] == 2 and copy.json()["status"] == "draft"


def test_signatures_and_pdfs_through_the_api(coordinator_a, signature_a):
    api = api_for(coordinator_a)
    listed = api.get("/api/v1/consent-signatures/").json()["results"]
    assert [s["id"] for s in listed] == [signature_a.pk] and listed[0]["has_drawn_signature"] is False
    response = api.get(f"/api/v1/consent-signatures/{signature_a.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    with default_storage.open(signature_a.pdf, "wb") as handle:
        handle.write(b"%PDF-1.4 forged")
    assert api.get(f"/api/v1/consent-signatures/{signature_a.pk}/pdf/").status_code == 409


def test_another_studys_coordinator_gets_404s(coordinator_b, signature_a, study_a):
    api = api_for(coordinator_b)
    version = signature_a.version
    for url in [f"/api/v1/consent-versions/{version.pk}/", f"/api/v1/consent-documents/{version.document_id}/",
                f"/api/v1/consent-signatures/{signature_a.pk}/", f"/api/v1/consent-signatures/{signature_a.pk}/pdf/"]:
        assert api.get(url).status_code == 404, url
    assert api.post(f"/api/v1/consent-versions/{version.pk}/publish/").status_code == 404
    assert api.get("/api/v1/consent-signatures/").json()["results"] == []
    response = api.post("/api/v1/consent-requests/", {"study": study_a.pk, "enrollments": [signature_a.enrollment_id]},
                        format="json")
    assert response.status_code == 400
    response = api.post("/api/v1/withdrawals/", {"enrollment": signature_a.enrollment_id, "channel": "phone"},
                        format="json")
    assert response.status_code == 400 and not Withdrawal.objects.exists()


def test_requests_and_withdrawals_through_the_api(coordinator_a, study_a, signature_a, enrollment_a):
    api = api_for(coordinator_a)
    response = api.post("/api/v1/consent-requests/", {"study": study_a.pk, "enrollments": [enrollment_a.pk]},
                        format="json")
    assert response.status_code == 201 and response.json()[0]["enrollment"] == enrollment_a.pk
    response = api.post("/api/v1/withdrawals/", {"enrollment": enrollment_a.pk, "channel": "letter",
                                                 "reason": "Flyttet"}, format="json")
    assert response.status_code == 201
    assert Enrollment.objects.get(pk=enrollment_a.pk).status == "withdrawn"
    assert SignatureRecord.objects.get(pk=signature_a.pk).withdrawn_at is not None
    again = api.post("/api/v1/withdrawals/", {"enrollment": enrollment_a.pk, "channel": "letter"}, format="json")
    assert again.status_code == 400 and Withdrawal.objects.count() == 1
