"""Study owners browse and export their study's audit log; nobody else does, and reading it is audited."""
import csv
import io

import pytest
from django.urls import reverse

from recruit.actors import Actor
from recruit.models import AuditEvent, Membership
from recruit.services.audit import audit_record
from recruit.services.participants import participant_update

from .conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_an_owner_sees_the_studys_events_with_old_and_new_values(coordinator_a, study_a, participant_a, actor_a):
    participant_update(actor=actor_a, participant=participant_a, email="new@example.org")
    response = client_for(coordinator_a).get(reverse("audit-log", args=[study_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "participant.update" in html
    assert "[&quot;person" in html and "&quot;new@example.org&quot;]" in html
    assert AuditEvent.objects.filter(action="audit.view", study=study_a, actor=coordinator_a).exists()


def test_another_studys_events_are_not_shown(coordinator_a, study_a, study_b, coordinator_b):
    audit_record(actor=Actor(user=coordinator_b), action="study.secret_b", study=study_b)
    response = client_for(coordinator_a).get(reverse("audit-log", args=[study_a.pk]))
    assert "study.secret_b" not in response.content.decode()


def test_the_owner_of_another_study_gets_404(coordinator_b, study_a, study_b):
    client = client_for(coordinator_b)
    assert client.get(reverse("audit-log", args=[study_a.pk])).status_code == 404
    assert client.get(reverse("audit-export", args=[study_a.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="audit.").exists()


@pytest.mark.parametrize("role", [Membership.Role.VIEWER, Membership.Role.COORDINATOR])
def test_members_who_are_not_owners_are_refused(study_a, role):
    user = make_user(f"member_{role}")
    Membership.objects.create(study=study_a, user=user, role=role)
    client = client_for(user)
    assert client.get(reverse("audit-log", args=[study_a.pk])).status_code == 403
    assert client.get(reverse("audit-export", args=[study_a.pk])).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, study_a):
    response = client.get(reverse("audit-log", args=[study_a.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_filters_narrow_the_log(coordinator_a, study_a, actor_a):
    audit_record(actor=actor_a, action="participant.view", study=study_a)
    audit_record(actor=actor_a, action="enrollment.transition", study=study_a)
    response = client_for(coordinator_a).get(reverse("audit-log", args=[study_a.pk]), {"action": "participant"})
    assert [e.action for e in response.context["events"]] == ["participant.view"]


def test_the_export_is_a_csv_of_the_filtered_events_and_is_audited(coordinator_a, study_a, actor_a):
    audit_record(actor=actor_a, action="participant.view", study=study_a, detail={"api": True})
    audit_record(actor=actor_a, action="enrollment.transition", study=study_a, detail={"from": "a", "to": "b"})
    response = client_for(coordinator_a).get(reverse("audit-export", args=[study_a.pk]), {"action": "enrollment"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [(r["action"], r["actor"], r["detail"]) for r in rows] == [
        ("enrollment.transition", "coordinator_a", '{"from": "a", "to": "b"}')
    ]
    export = AuditEvent.objects.get(action="audit.export")
    assert export.study == study_a and export.detail["rows"] == 1 and export.actor == coordinator_a


def test_the_export_defuses_spreadsheet_formulas(coordinator_a, study_a):
    audit_record(actor=Actor(label="=HYPERLINK(1)"), action="x", study=study_a)
    rows = csv_rows(client_for(coordinator_a).get(reverse("audit-export", args=[study_a.pk]), {"action": "x"}))
    assert rows[0]["actor"] == "'=HYPERLINK(1)"


def test_the_study_tabs_show_the_audit_log_to_owners_only(coordinator_a, viewer_a, study_a):
    url = reverse("study-detail", args=[study_a.pk])
    audit_url = reverse("audit-log", args=[study_a.pk])
    assert audit_url in client_for(coordinator_a).get(url).content.decode()
    assert audit_url not in client_for(viewer_a).get(url).content.decode()


def test_creating_and_changing_a_participant_records_values_under_its_study(study_a, actor_a, participant_a):
    from recruit.services.participants import participant_create

    created = participant_create(
        actor=actor_a, study=study_a, given_name="Kari", family_name="Nordmann", email="kari@example.org",
        birth_year=1980, gender="female", role="gp",
    )
    event = AuditEvent.objects.get(action="participant.create", object_id=str(created.pk))
    assert event.detail["changes"]["family_name"] == [None, "Nordmann"]
    participant_update(actor=actor_a, participant=participant_a, birth_year=1970)
    update = AuditEvent.objects.get(action="participant.update")
    assert update.study == study_a and update.detail["changes"] == {"birth_year": [1975, 1970]}
