"""While the database is unreachable (a PostgreSQL restart, a failover), pages and the API answer
503 with Retry-After and a page in the visitor's language, not a bare "Server Error (500)"; other
server errors stay 500. The load benchmark (bench/load.py --fault) restarts a real PostgreSQL."""
import pytest
from django.db import OperationalError
from django.test import Client

from .conftest import api_for, client_for

pytestmark = pytest.mark.django_db


def unreachable(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def test_a_page_answers_503_in_the_visitors_language(coordinator_a, monkeypatch):
    monkeypatch.setattr("recruit.views.participants.participants_visible_to", unreachable)
    client = client_for(coordinator_a)
    client.raise_request_exception = False

    response = client.get("/participants/", HTTP_ACCEPT_LANGUAGE="nb")

    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert "Midlertidig utilgjengelig" in text and 'lang="nb"' in text
    assert "127.0.0.1" not in text  # nothing of the error reaches the visitor


def test_a_participants_link_answers_503_while_the_database_is_down(monkeypatch):
    monkeypatch.setattr("recruit.views.links.link_open", unreachable)
    client = Client(raise_request_exception=False)

    response = client.get("/l/some-token/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert "Briefly unavailable" in response.content.decode()


def test_the_api_answers_503_with_a_json_detail(coordinator_a, monkeypatch):
    monkeypatch.setattr("api.views.participants.participants_visible_to", unreachable)
    client = api_for(coordinator_a)
    client.raise_request_exception = False

    response = client.get("/api/v1/participants/")

    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json() == {"detail": "The service is briefly unavailable. Try again in a minute."}


def test_other_server_errors_stay_500(coordinator_a, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("recruit.views.participants.participants_visible_to", broken)
    client = client_for(coordinator_a)
    client.raise_request_exception = False

    assert client.get("/participants/").status_code == 500


def test_a_participant_whose_confirmation_was_lost_sees_they_signed_when_trying_again(
    enrollment_a, study_a, django_capture_on_commit_callbacks
):
    from recruit.models import Enrollment, SignatureRecord

    from .consent_support import published_consent
    from .test_consent_signing import send_request, sign_through_pages

    published_consent(study_a)
    Enrollment.objects.filter(pk=enrollment_a.pk).update(status="eligible")
    enrollment_a.refresh_from_db()
    path = send_request(enrollment_a, django_capture_on_commit_callbacks)
    client = Client()
    client.get(path)
    client.post("/consent/", {"statement_1": "on", "statement_2": "on", "typed_name": enrollment_a.participant.full_name})
    pending = client.session["consent:pending"]
    with django_capture_on_commit_callbacks(execute=True):
        sign_through_pages(client, enrollment_a)
    # The signature was stored, but the answer never reached the participant (the database went away
    # before their session was saved): their session is as it was before they confirmed.
    session = client.session
    session.pop("consent:signature")
    session["consent:pending"] = pending
    session.save()

    retry = client.post("/consent/review/", {"confirmed": "on"})

    assert retry.status_code == 302 and retry["Location"] == "/consent/done/"
    assert client.get("/consent/done/").status_code == 200
    assert client.get("/consent/").status_code == 302  # reading again leads to the same place
    assert SignatureRecord.objects.filter(enrollment=enrollment_a).count() == 1


def test_a_session_that_cannot_be_saved_because_the_database_went_away_answers_503(
    enrollment_a, monkeypatch, django_capture_on_commit_callbacks
):
    from django.contrib.sessions.models import Session

    from recruit.services.links import link_issue

    _link, token = link_issue(enrollment=enrollment_a, purpose="consent")
    save = Session.save

    def save_unless_updating(self, *args, force_update=False, **kwargs):
        if force_update:  # the session row exists; the database is gone by the time it is written again
            unreachable()
        return save(self, *args, force_update=force_update, **kwargs)

    monkeypatch.setattr(Session, "save", save_unless_updating)
    client = Client(raise_request_exception=False)

    response = client.get(f"/l/{token}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503 and "Briefly unavailable" in response.content.decode()
