"""The participant's rights: their data, restriction, erasure without trace, redaction, purge."""
import datetime
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from pypdf import PdfReader

from recruit.actors import Actor
from recruit.models import AuditEvent, Enrollment, Message, Participant, ParticipationProof, Pseudonym, StatusChange
from recruit.pipeline import Status
from recruit.services.audit import audit_record, audit_redact_for_participant
from recruit.services.enrollments import enrollment_transition
from recruit.services.links import link_issue
from recruit.services.table1 import table1_build, table1_options
from tests.conftest import client_for, make_participant, make_study
from tests.consent_support import published_consent, sign


@pytest.fixture
def person(study_a, actor_a):
    participant = make_participant(
        study_a, given_name="Zebedeus", family_name="Quarnstrøm", email="zebedeus.q@example.org",
        hpr_number="7654321", phone="+47 912 34 567", notes="Prefers mornings",
    )
    enrollment = Enrollment.objects.get(participant=participant)
    enrollment_transition(actor=actor_a, enrollment=enrollment, to_status=Status.ELIGIBLE, note="")
    sign(enrollment, published_consent(study_a))  # consented only through a signature
    Message.objects.create(kind="invitation", key=f"inv-{participant.pk}", participant=participant, study=study_a,
                           subject="Invitation for Zebedeus Quarnstrøm")
    audit_record(actor=actor_a, action="note", detail={"text": "called zebedeus.q@example.org about Quarnstrøm"})
    return participant


def every_text(exclude_ids=()):
    """Every text-like column of every table, as one string per value (raw SQL, so nothing is skipped)."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if isinstance(field, (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)):
                    cursor.execute(f'SELECT "{field.column}" FROM "{table}"')
                    found += [str(row[0]) for row in cursor.fetchall() if row[0] is not None]
    return "\n".join(found)


def test_a_coordinator_downloads_everything_held_as_json_and_pdf(person, coordinator_a):
    client = client_for(coordinator_a)
    data = json.loads(client.get(f"/participants/{person.pk}/data.json").content)
    assert data["participant"]["email"] == "zebedeus.q@example.org"
    assert data["participant"]["gender"] == "Female"
    enrollments = data["related"]["enrollments"]
    assert enrollments[0]["status"] == "Consented"
    assert len(enrollments[0]["related"]["status changes"]) == 2
    assert data["related"]["messages"][0]["subject"] == "Invitation for Zebedeus Quarnstrøm"
    pdf = client.get(f"/participants/{person.pk}/data.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Your data in recruit" in text and "zebedeus.q@example.org" in text
    assert AuditEvent.objects.filter(action="participant.data_export", object_id=str(person.pk)).count() == 2


def test_another_studys_coordinator_gets_404(person, coordinator_b, study_b):
    client = client_for(coordinator_b)
    assert client.get(f"/participants/{person.pk}/data.json").status_code == 404
    assert client.post(f"/participants/{person.pk}/erase/", {"confirm": person.email}).status_code == 404
    assert Participant.objects.filter(pk=person.pk).exists()


def test_a_participant_downloads_their_own_data_through_a_personal_link(person, client):
    enrollment = Enrollment.objects.get(participant=person)
    _, token = link_issue(enrollment=enrollment, purpose="own_data")
    response = client.get(f"/l/{token}/")
    assert response.status_code == 302 and response["Location"] == "/p/my-data/"
    page = client.get("/p/my-data/")
    assert page.status_code == 200 and 'href="/p/my-data/data.pdf"' in page.text  # in their language (nb)
    assert 'lang="nb"' in page.text
    data = json.loads(client.get("/p/my-data/data.json").content)
    assert data["participant"]["hpr_number"] == "7654321"
    assert "token_hash" not in json.dumps(data)
    event = AuditEvent.objects.get(action="participant.data_export")
    assert event.actor_label == "participant" and event.detail == {"format": "json", "via": "personal link"}


def test_the_participants_own_pdf_names_each_field_in_their_language(person, client):
    enrollment = Enrollment.objects.get(participant=person)
    _, token = link_issue(enrollment=enrollment, purpose="own_data")
    client.get(f"/l/{token}/")  # the participant reads bokmål

    pdf = client.get("/p/my-data/data.pdf")

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Fornavn" in text and "HPR-nummer" in text and "Spesialist i allmennmedisin" in text
    assert "given name" not in text and "hpr number" not in text and "False" not in text


def test_without_a_link_the_own_data_page_is_refused(client):
    assert client.get("/p/my-data/data.json").status_code == 403


def test_a_restricted_participant_is_left_out_and_the_change_audited(person, study_a, coordinator_a, actor_a):
    response = client_for(coordinator_a).post(f"/participants/{person.pk}/restrict/", {"restricted": "1"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.restricted
    assert table1_build(actor=actor_a, study=study_a, options=table1_options(group_by="none")).columns[0].n == 0
    assert AuditEvent.objects.filter(action="participant.restrict", object_id=str(person.pk)).exists()


def test_erasure_leaves_no_trace_in_any_table(person, study_a, coordinator_a):
    from recruit.models import Booking
    from tests.scheduling_helpers import make_session

    session = make_session(study_a, capacity=4)
    enrollment = Enrollment.objects.get(participant=person)
    from recruit.services.bookings import booking_create

    booking_create(actor=Actor(user=coordinator_a), session=session, enrollment=enrollment)
    session.refresh_from_db()
    assert session.booked == 1
    pid = person.pk
    client = client_for(coordinator_a)
    client.get(f"/participants/{pid}/")  # a view, audited
    refused = client.post(f"/participants/{pid}/erase/", {"confirm": "wrong@example.org"})
    assert refused.status_code == 400 and Participant.objects.filter(pk=pid).exists()

    response = client.post(f"/participants/{pid}/erase/", {"confirm": "Zebedeus.Q@example.org"})
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=pid).exists()
    text = every_text().lower()
    for value in ("zebedeus.q@example.org", "zebedeus", "quarnstrøm", "quarnstr\\u00f8m", "7654321", "912 34 567"):
        assert value not in text, value
    session.refresh_from_db()
    assert session.booked == 0  # the seat is free again
    proof = ParticipationProof.objects.get(study=study_a)
    assert proof.code.startswith("GP") and proof.consented_at is not None
    assert Pseudonym.objects.get(study=study_a, code=proof.code).participant is None
    erase = AuditEvent.objects.get(action="participant.erase")
    assert erase.detail["pseudonym"] == proof.code
    assert AuditEvent.objects.filter(object_type="recruit.participant", object_id=str(pid)).exclude(
        action="participant.erase").exclude(detail={"redacted": True}).count() == 0


def test_audit_redaction_touches_only_events_about_the_participant(person, participant_a, actor_a):
    other = audit_record(actor=actor_a, action="participant.view", obj=participant_a)
    changed = audit_redact_for_participant(person)
    assert changed >= 2  # the view of them, the note naming them, their status changes
    other.refresh_from_db()
    assert other.detail != {"redacted": True}
    assert AuditEvent.objects.get(action="note").detail == {"redacted": True}


def test_purge_erases_studies_past_their_retention(person, study_a, settings, coordinator_a):
    settings.RECRUIT_RETENTION_DAYS = 30
    still = make_study("STILL", owner=coordinator_a, end_date=datetime.date.today())
    shared = make_participant(study_a, given_name="Kari", family_name="Delt", email="kari.delt@example.org")
    Enrollment.objects.create(study=still, participant=shared)
    study_a.end_date = datetime.date.today() - datetime.timedelta(days=31)
    study_a.save()
    call_command("purge", "--dry-run")
    assert Participant.objects.filter(pk=person.pk).exists()
    out = io.StringIO()
    call_command("purge", stdout=out)
    assert "erased 1 participants; 1 kept for other studies" in out.getvalue()
    assert not Participant.objects.filter(pk=person.pk).exists()
    shared.refresh_from_db()
    assert list(shared.enrollments.values_list("study__code", flat=True)) == ["STILL"]
    assert ParticipationProof.objects.filter(study=study_a).count() == 2
