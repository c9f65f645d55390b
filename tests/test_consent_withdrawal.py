import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import Client

from recruit.models import AuditEvent, Enrollment, PersonalLink, SignatureRecord, Withdrawal
from recruit.services.consent import consent_version_create, consent_version_publish, consent_version_update
from recruit.services.consent_gate import has_valid_consent
from recruit.services.consent_requests import consent_requests_send
from recruit.services.withdrawal import withdraw

from .conftest import client_for
from .consent_support import SYSTEM, published_consent, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_a(enrollment_a, study_a, django_capture_on_commit_callbacks):
    """Astrid signed version 1 through her link; returns (client with her session, signature)."""
    Enrollment.objects.filter(pk=enrollment_a.pk).update(status="eligible")
    enrollment_a.refresh_from_db()
    published_consent(study_a)
    with django_capture_on_commit_callbacks(execute=True):
        consent_requests_send(actor=SYSTEM, study=study_a, enrollments=[enrollment_a])
    path = re.search(r"(/l/[^/\s]+/)", mail.outbox[-1].body).group(1)
    client = Client()
    client.get(path)
    client.post("/consent/", {"statement_1": "on", "statement_2": "on", "typed_name": "astrid alvik"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consent/review/", {"confirmed": "on"})
    return client, SignatureRecord.objects.get(enrollment=enrollment_a)


def pdf_bytes(signature):
    with default_storage.open(signature.pdf, "rb") as handle:
        return handle.read()


def test_the_participant_withdraws_from_the_same_link(signed_a, enrollment_a):
    client, signature = signed_a
    page = client.get("/consent/withdraw/")
    # Astrid reads bokmål.
    assert page.status_code == 200 and "Trekk deg fra studien" in page.content.decode()
    response = client.post("/consent/withdraw/", {"reason": "Ikke tid"})
    assert response.status_code == 200 and "Du har trukket deg" in response.content.decode()
    enrollment_a.refresh_from_db()
    assert enrollment_a.status == "withdrawn" and not has_valid_consent(enrollment_a)
    withdrawal = Withdrawal.objects.get(enrollment=enrollment_a)
    assert (withdrawal.channel, withdrawal.reason, withdrawal.recorded_by_label) == ("link", "Ikke tid", "participant")
    signature.refresh_from_db()
    # Minimal proof stays: the signature, marked withdrawn, with its PDF still matching its hash.
    assert signature.withdrawn_at == withdrawal.at and signature.withdrawal == withdrawal
    import hashlib

    assert hashlib.sha256(pdf_bytes(signature)).hexdigest() == signature.pdf_sha256
    event = AuditEvent.objects.get(action="consent.withdraw")
    assert event.detail["channel"] == "link" and "Ikke tid" not in str(event.detail)


def test_after_withdrawing_the_consent_link_no_longer_says_the_consent_is_signed(signed_a, enrollment_a):
    client, _signature = signed_a
    client.post("/consent/withdraw/", {"reason": ""})
    # Opening the consent page again (the link leads to the receipt of the signature it was used for).
    response = client.get("/consent/", follow=True)
    page = response.content.decode()
    assert "Du har trukket deg fra denne studien" in page
    assert "samtykket ditt er signert" not in page and 'href="/consent/withdraw/"' not in page


def test_the_withdrawal_link_in_the_confirmation_email_works_once(signed_a, enrollment_a):
    confirmation = mail.outbox[-1]
    path = re.search(r"(/l/[^/\s]+/)", confirmation.body).group(1)
    assert PersonalLink.objects.filter(purpose="withdrawal", enrollment=enrollment_a).exists()
    client = Client()
    assert client.get(path)["Location"] == "/withdraw/"
    assert client.get("/withdraw/").status_code == 200  # a GET only shows (mail scanners open links)
    assert Enrollment.objects.get(pk=enrollment_a.pk).status == "consented"
    assert client.post("/withdraw/", {}).status_code == 200
    assert Withdrawal.objects.get(enrollment=enrollment_a).channel == "email_link"
    assert Enrollment.objects.get(pk=enrollment_a.pk).status == "withdrawn"
    assert Client().get(path).status_code == 410


def test_a_coordinator_records_a_withdrawal_by_phone(signed_a, enrollment_a, coordinator_a, study_a):
    response = client_for(coordinator_a).post(
        f"/studies/{study_a.pk}/consent/enrollments/{enrollment_a.pk}/withdraw/", {"channel": "phone", "reason": ""},
    )
    assert response.status_code == 302
    withdrawal = Withdrawal.objects.get(enrollment=enrollment_a)
    assert withdrawal.channel == "phone" and withdrawal.recorded_by == coordinator_a
    assert Enrollment.objects.get(pk=enrollment_a.pk).status == "withdrawn"


def test_withdrawing_twice_is_refused_and_changes_nothing(signed_a, enrollment_a):
    withdraw(actor=SYSTEM, enrollment=enrollment_a, channel="letter")
    with pytest.raises(ValidationError) as error:
        withdraw(actor=SYSTEM, enrollment=enrollment_a, channel="phone")
    assert error.value.code == "already_withdrawn"
    assert Withdrawal.objects.count() == 1


def test_a_viewer_cannot_record_a_withdrawal(signed_a, enrollment_a, viewer_a, study_a):
    response = client_for(viewer_a).post(
        f"/studies/{study_a.pk}/consent/enrollments/{enrollment_a.pk}/withdraw/", {"channel": "phone"},
    )
    assert response.status_code == 403 and not Withdrawal.objects.exists()


def test_withdrawal_cancels_future_bookings_and_keeps_past_ones(signed_a, enrollment_a, study_a):
    import datetime

    from django.utils import timezone

    from recruit.models import Booking
    from recruit.services.bookings import booking_create

    from .scheduling_helpers import make_session

    future = make_session(study_a)
    booking_create(actor=SYSTEM, session=future, enrollment=Enrollment.objects.get(pk=enrollment_a.pk))
    past = make_session(study_a, start=timezone.now().replace(microsecond=0) - datetime.timedelta(days=3))
    Booking.objects.create(session=past, enrollment=enrollment_a, status="booked")
    enrollment_a.refresh_from_db()
    assert enrollment_a.status == "scheduled"

    withdrawal = withdraw(actor=SYSTEM, enrollment=enrollment_a, channel="phone")
    assert withdrawal.cancelled_bookings == 1
    assert Booking.objects.get(session=future).status == "cancelled"
    assert Booking.objects.get(session=past).status == "booked"
    assert Enrollment.objects.get(pk=enrollment_a.pk).status == "withdrawn"


def test_a_new_version_asks_for_re_consent_and_keeps_the_old_pdf(signed_a, enrollment_a, study_a, coordinator_a,
                                                                 django_capture_on_commit_callbacks):
    _, old = signed_a
    old_pdf = pdf_bytes(old)
    first = old.version
    second = consent_version_create(actor=SYSTEM, document=first.document)
    consent_version_update(actor=SYSTEM, version=second, participation="To fokusgrupper à 90 minutter.")
    consent_version_publish(actor=SYSTEM, version=second)
    old.refresh_from_db()
    assert old.reconsent_required_at is not None and not has_valid_consent(enrollment_a)
    overview = client_for(coordinator_a).get(f"/studies/{study_a.pk}/consent/").content.decode()
    assert "Re-consent required" in overview

    # They are sent the new version and sign it; the enrollment keeps its place in the pipeline.
    with django_capture_on_commit_callbacks(execute=True):
        consent_requests_send(actor=SYSTEM, study=study_a, enrollments=[enrollment_a])
    path = re.search(r"(/l/[^/\s]+/)", mail.outbox[-1].body).group(1)
    client = Client()
    client.get(path)
    assert "To fokusgrupper à 90 minutter." in client.get("/consent/").content.decode()
    client.post("/consent/", {"statement_1": "on", "statement_2": "on", "typed_name": "Astrid Ålvik"})
    client.post("/consent/review/", {"confirmed": "on"})
    new = SignatureRecord.objects.get(enrollment=enrollment_a, version=second)
    assert has_valid_consent(enrollment_a) and Enrollment.objects.get(pk=enrollment_a.pk).status == "consented"
    assert pdf_bytes(old) == old_pdf
    response = client_for(coordinator_a).get(f"/studies/{study_a.pk}/consent/signatures/{old.pk}/pdf/")
    assert response.status_code == 200 and response.content == old_pdf
    assert new.pdf != old.pdf


def test_signing_an_outdated_version_is_refused(enrollment_a, study_a):
    Enrollment.objects.filter(pk=enrollment_a.pk).update(status="eligible")
    first = published_consent(study_a)
    second = consent_version_create(actor=SYSTEM, document=first.document)
    consent_version_publish(actor=SYSTEM, version=second)
    with pytest.raises(ValidationError) as error:
        sign(enrollment_a, first)
    assert error.value.code == "version_outdated" and not SignatureRecord.objects.exists()


def test_consent_records_do_not_block_erasing_a_participant_or_deleting_a_study(signed_a, enrollment_a, study_a):
    from recruit.models import Participant, Study

    withdraw(actor=SYSTEM, enrollment=enrollment_a, channel="phone")
    Participant.objects.filter(pk=enrollment_a.participant_id).delete()
    assert not SignatureRecord.objects.exists() and not Withdrawal.objects.exists()
    Study.objects.filter(pk=study_a.pk).delete()
    assert not Study.objects.filter(pk=study_a.pk).exists()
