import base64
import io
import re

import pytest
from django.core import mail
from django.test import Client
from PIL import Image

from recruit.models import ConsentRequest, Enrollment, Message, PersonalLink, SignatureRecord, StatusChange
from recruit.services.consent_gate import has_valid_consent
from recruit.services.consent_requests import consent_requests_send
from recruit.services.links import token_hash
from recruit.services.signing import names_match

from .conftest import make_participant
from .consent_support import SYSTEM, published_consent

pytestmark = pytest.mark.django_db


def send_request(enrollment, capture):
    with capture(execute=True):
        consent_requests_send(actor=SYSTEM, study=enrollment.study, enrollments=[enrollment])
    return re.search(r"https?://\S+?(/l/[^/\s]+/)", mail.outbox[-1].body).group(1)


def png_data_url(size=(200, 80)) -> str:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    for x in range(20, 180):
        image.putpixel((x, 40 + (x % 7)), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def sign_through_pages(client, enrollment, **fields):
    data = {"statement_1": "on", "statement_2": "on", "typed_name": enrollment.participant.full_name,
            "drawn_signature": png_data_url(), **fields}
    response = client.post("/consent/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.post("/consent/review/", {"confirmed": "on"})


def test_a_request_mails_a_personal_link_that_stores_only_its_hash(eligible_a, version_a,
                                                                   django_capture_on_commit_callbacks):
    path = send_request(eligible_a, django_capture_on_commit_callbacks)
    token = path.split("/")[2]
    request = ConsentRequest.objects.get(enrollment=eligible_a)
    assert request.link.purpose == "consent" and request.link.token_hash == token_hash(token)
    assert mail.outbox[0].to == [eligible_a.participant.email]
    message = Message.objects.get(kind="consent.request")
    assert token not in str(message.payload) and message.status == "sent"


def test_a_request_to_an_invited_participant_is_refused_and_nothing_is_sent(enrollment_a, version_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        consent_requests_send(actor=SYSTEM, study=enrollment_a.study, enrollments=[enrollment_a])
    assert "consent can be requested from eligible" in str(error.value)
    assert not ConsentRequest.objects.exists() and not Message.objects.exists()


def test_signing_through_the_link_records_everything_and_moves_to_consented(
    eligible_a, version_a, django_capture_on_commit_callbacks
):
    path = send_request(eligible_a, django_capture_on_commit_callbacks)
    client = Client(HTTP_USER_AGENT="TestPhone/1.0")
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/consent/"
    page = client.get("/consent/")
    assert page.status_code == 200 and version_a.title in page.content.decode()
    assert page["Referrer-Policy"] in ("no-referrer", "same-origin") and "no-store" in page["Cache-Control"]
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_through_pages(client, eligible_a)
    assert response.status_code == 302 and response["Location"] == "/consent/done/"

    signature = SignatureRecord.objects.get(enrollment=eligible_a)
    link = PersonalLink.objects.get(purpose="consent", enrollment=eligible_a)
    assert signature.version == version_a and signature.text_hash == version_a.text_hash
    assert [a["answer"] for a in signature.answers] == [True, True, False]
    assert signature.typed_name == eligible_a.participant.full_name
    assert bytes(signature.drawn_signature).startswith(b"\x89PNG")
    assert signature.ip_address == "127.0.0.1" and signature.user_agent == "TestPhone/1.0"
    assert signature.link_ref == link.pk and signature.first_viewed_at == link.first_used_at
    assert signature.requested_at == ConsentRequest.objects.get().created_at
    assert signature.meaning and signature.signed_at is not None
    assert link.completed_at is not None
    eligible_a.refresh_from_db()
    assert eligible_a.status == "consented" and has_valid_consent(eligible_a)
    assert StatusChange.objects.filter(enrollment=eligible_a, to_status="consented").get().actor_label == "participant"

    # The participant downloads their copy right away, and receives it by e-mail with a withdrawal link.
    download = client.get("/consent/pdf/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    confirmation = mail.outbox[-1]
    assert confirmation.attachments[0][1] == download.content
    assert re.search(r"/l/[^/\s]+/", confirmation.body)
    # The consent link is used up.
    assert Client().get(path).status_code == 410


def test_validation_errors_show_on_the_page_and_store_nothing(eligible_a, version_a,
                                                             django_capture_on_commit_callbacks):
    path = send_request(eligible_a, django_capture_on_commit_callbacks)
    client = Client()
    client.get(path)
    response = client.post("/consent/", {"statement_1": "on", "typed_name": "Someone Else",
                                         "drawn_signature": "data:image/png;base64,bm90IGEgcG5n"})
    assert response.status_code == 400
    text = response.content.decode()  # in bokmål, Astrid's language
    assert "Du må samtykke til denne erklæringen" in text
    assert "stemmer ikke med navnet studien har registrert" in text
    assert "signaturen kunne ikke leses" in text
    assert "Ingenting er lagret" in text
    assert not SignatureRecord.objects.exists()
    assert "consent:pending" not in client.session
    # Confirming is required too.
    client.post("/consent/", {"statement_1": "on", "statement_2": "on",
                              "typed_name": eligible_a.participant.full_name})
    response = client.post("/consent/review/", {})
    assert response.status_code == 400 and "Bekreft at opplysningene er riktige" in response.content.decode()
    assert not SignatureRecord.objects.exists()
    assert PersonalLink.objects.get(purpose="consent").completed_at is None
    assert Enrollment.objects.get(pk=eligible_a.pk).status == "eligible"


@pytest.mark.parametrize("typed, registered, match", [
    ("astrid  ålvik", "Astrid Ålvik", True),
    ("ASTRID ALVIK", "Astrid Ålvik", True),
    ("Bjorn Bakken", "Bjørn Bakken", True),
    ("Anne Lise Berg", "Anne-Lise Berg", True),
    ("Zoë Ødegård", "Zoe Odegard", True),
    ("Astrid", "Astrid Ålvik", False),
    ("", "Astrid Ålvik", False),
    ("Astrid Ålvikk", "Astrid Ålvik", False),
])
def test_the_typed_name_must_match_beyond_case_accents_and_spacing(typed, registered, match):
    assert names_match(typed, registered) is match


def test_a_consent_token_opens_no_other_purpose_and_other_tokens_do_not_open_consent(
    eligible_a, version_a, django_capture_on_commit_callbacks
):
    path = send_request(eligible_a, django_capture_on_commit_callbacks)
    client = Client()
    client.get(path)
    assert client.get("/withdraw/").status_code == 403
    from recruit.services.links import link_issue

    _, poll_token = link_issue(enrollment=eligible_a, purpose="poll")
    other = Client()
    other.get(f"/l/{poll_token}/")
    assert other.get("/consent/").status_code == 403


def test_an_expired_consent_link_does_not_open(eligible_a, version_a, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    path = send_request(eligible_a, django_capture_on_commit_callbacks)
    PersonalLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = Client().get(path)
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_a_new_request_revokes_the_previous_link(eligible_a, version_a, django_capture_on_commit_callbacks):
    first = send_request(eligible_a, django_capture_on_commit_callbacks)
    send_request(eligible_a, django_capture_on_commit_callbacks)
    assert Client().get(first).status_code == 410


def test_the_page_is_in_the_participants_language_when_a_translation_exists(
    study_a, django_capture_on_commit_callbacks
):
    published_consent(study_a, language="nb")
    english = published_consent(study_a, language="en", title="Would you like to take part?")
    person = make_participant(study_a, preferred_language="en")
    enrollment = Enrollment.objects.get(participant=person)
    Enrollment.objects.filter(pk=enrollment.pk).update(status="eligible")
    enrollment.refresh_from_db()
    path = send_request(enrollment, django_capture_on_commit_callbacks)
    assert "Consent to take part in" in mail.outbox[-1].subject
    client = Client()
    client.get(path)
    assert "Would you like to take part?" in client.get("/consent/").content.decode()
    assert ConsentRequest.objects.get(enrollment=enrollment).version == english


def test_no_consent_request_to_a_participant_with_restricted_processing(eligible_a, version_a):
    from django.core.exceptions import ValidationError

    eligible_a.participant.restricted = True
    eligible_a.participant.save()
    with pytest.raises(ValidationError) as error:
        consent_requests_send(actor=SYSTEM, study=eligible_a.study, enrollments=[eligible_a])
    assert "must not be contacted" in str(error.value) and not ConsentRequest.objects.exists()
