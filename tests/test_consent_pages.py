import pytest
from django.core import mail

from recruit.models import AuditEvent, ConsentRequest, ConsentVersion, Enrollment
from recruit.models.consent import SECTION_FIELDS

from .conftest import client_for, make_participant
from .consent_support import published_consent, sign

pytestmark = pytest.mark.django_db


def version_post(**overrides):
    data = {name: f"Tekst {name}" for name in SECTION_FIELDS}
    data.update({"title": "Vil du delta?", "end_date": "2030-12-31", "statements-TOTAL_FORMS": "3",
                 "statements-INITIAL_FORMS": "0", "statements-0-text": "Jeg vil delta.", "statements-0-required": "on",
                 "statements-1-text": "Sitater kan brukes.", "statements-2-text": ""})
    data.update(overrides)
    return data


def test_a_coordinator_writes_and_publishes_a_consent_text(coordinator_a, study_a):
    client = client_for(coordinator_a)
    response = client.post(f"/studies/{study_a.pk}/consent/documents/new/", {"language": "nb"})
    version = ConsentVersion.objects.get(document__study=study_a)
    assert response["Location"] == f"/studies/{study_a.pk}/consent/versions/{version.pk}/"
    assert client.get(response["Location"]).status_code == 200
    response = client.post(f"/studies/{study_a.pk}/consent/versions/{version.pk}/", version_post())
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.purpose == "Tekst purpose" and [s.required for s in version.statements.all()] == [True, False]
    client.post(f"/studies/{study_a.pk}/consent/versions/{version.pk}/publish/")
    version.refresh_from_db()
    assert version.status == "published" and len(version.text_hash) == 64


def test_publishing_from_the_page_names_what_is_missing(coordinator_a, study_a):
    client = client_for(coordinator_a)
    client.post(f"/studies/{study_a.pk}/consent/documents/new/", {"language": "nb"})
    version = ConsentVersion.objects.get(document__study=study_a)
    client.post(f"/studies/{study_a.pk}/consent/versions/{version.pk}/", version_post(privacy="", end_date=""))
    page = client.post(f"/studies/{study_a.pk}/consent/versions/{version.pk}/publish/", follow=True)
    text = page.content.decode()
    assert "is required before publishing" in text and "date the project ends" in text
    assert ConsentVersion.objects.get(pk=version.pk).status == "draft"


def test_the_page_refuses_to_edit_a_published_version(coordinator_a, study_a):
    version = published_consent(study_a)
    client = client_for(coordinator_a)
    page = client.get(f"/studies/{study_a.pk}/consent/versions/{version.pk}/").content.decode()
    assert "can never be changed" in page and 'name="purpose"' not in page
    response = client.post(f"/studies/{study_a.pk}/consent/versions/{version.pk}/", version_post(purpose="Endret"))
    assert response.status_code == 400 and "can never be changed" in response.content.decode()
    assert ConsentVersion.objects.get(pk=version.pk).purpose != "Endret"
    # A new version is a copy to edit.
    response = client.post(f"/studies/{study_a.pk}/consent/versions/{version.pk}/copy/")
    copy = ConsentVersion.objects.get(document=version.document, number=2)
    assert response["Location"] == f"/studies/{study_a.pk}/consent/versions/{copy.pk}/"


def test_a_viewer_reads_but_cannot_edit(viewer_a, study_a):
    version = published_consent(study_a)
    client = client_for(viewer_a)
    assert client.get(f"/studies/{study_a.pk}/consent/").status_code == 200
    assert client.post(f"/studies/{study_a.pk}/consent/versions/{version.pk}/copy/").status_code == 403
    assert client.post(f"/studies/{study_a.pk}/consent/documents/new/", {"language": "en"}).status_code == 403


def test_the_overview_shows_each_participants_consent_and_sends_requests(
    coordinator_a, study_a, enrollment_a, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    version = published_consent(study_a)
    Enrollment.objects.filter(pk=enrollment_a.pk).update(status="eligible")
    sign(enrollment_a, version)
    waiting = []
    for _ in range(3):
        person = make_participant(study_a)
        enrollment = Enrollment.objects.get(participant=person)
        Enrollment.objects.filter(pk=enrollment.pk).update(status="eligible")
        waiting.append(enrollment)
    client = client_for(coordinator_a)
    # session, user, study, role, current number, enrollments, signatures, documents, versions, role for nav,
    # audit event, plus savepoints: the number does not grow with the participants.
    with django_assert_max_num_queries(16):
        page = client.get(f"/studies/{study_a.pk}/consent/")
    text = page.content.decode()
    assert "Astrid Ålvik" in text and "Not requested" in text
    assert f"/studies/{study_a.pk}/consent/signatures/" in text
    assert AuditEvent.objects.filter(action="consent.overview.view", study=study_a).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/studies/{study_a.pk}/consent/requests/",
                               {"enrollments": [e.pk for e in waiting]}, follow=True)
    assert "Consent requests sent to 3 participants." in response.content.decode()
    assert ConsentRequest.objects.count() == 3 and len(mail.outbox) == 3
    assert "Requested" in client.get(f"/studies/{study_a.pk}/consent/").content.decode()


def test_the_study_nav_has_a_consent_tab(coordinator_a, study_a):
    page = client_for(coordinator_a).get(f"/studies/{study_a.pk}/").content.decode()
    assert f'href="/studies/{study_a.pk}/consent/"' in page


def test_the_participant_page_lists_signed_consents_with_downloads(coordinator_a, coordinator_b, study_a,
                                                                    enrollment_a):
    Enrollment.objects.filter(pk=enrollment_a.pk).update(status="eligible")
    signature = sign(enrollment_a, published_consent(study_a))
    url = f"/studies/{study_a.pk}/consent/signatures/{signature.pk}/pdf/"
    page = client_for(coordinator_a).get(f"/participants/{enrollment_a.participant_id}/").content.decode()
    assert url in page


def test_participant_pages_check_the_csrf_token_but_accept_the_null_origin_of_no_referrer(
    study_a, enrollment_a
):
    from django.test import Client

    from recruit.services.links import link_issue

    Enrollment.objects.filter(pk=enrollment_a.pk).update(status="eligible")
    published_consent(study_a)
    _, token = link_issue(enrollment=enrollment_a, purpose="consent")
    client = Client(enforce_csrf_checks=True)
    client.get(f"/l/{token}/")
    page = client.get("/consent/")
    csrf = page.context["csrf_token"]
    assert client.post("/consent/withdraw/", {}, HTTP_ORIGIN="null").status_code == 403
    response = client.post("/consent/withdraw/", {"csrfmiddlewaretoken": str(csrf)}, HTTP_ORIGIN="null")
    assert response.status_code == 200
    assert Enrollment.objects.get(pk=enrollment_a.pk).status == "withdrawn"
