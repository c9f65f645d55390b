"""The export API: Table 1, pseudonymised export, key, participant data, restriction, erasure."""
import csv
import io

import pytest

from recruit.models import AuditEvent, Enrollment, Membership, Participant
from tests.conftest import api_for, make_participant, make_user


@pytest.fixture
def cohort(study_a):
    return [make_participant(study_a, gender="female" if i % 2 else "male", birth_year=1960 + i,
                             gp_start_year=1990 + i) for i in range(12)]


def test_table1_as_json_and_as_files(cohort, study_a, coordinator_a):
    api = api_for(coordinator_a)
    data = api.get(f"/api/v1/studies/{study_a.pk}/table1/?group_by=none").json()
    assert data["columns"] == [{"key": "all", "label": "All", "n": 12}]
    gender = {row["label"]: row["counts"][0] for row in data["rows"] if row["variable"] == "gender" and row["kind"] == "category"}
    assert gender == {"Female": 6, "Male": 6}
    response = api.get(f"/api/v1/studies/{study_a.pk}/table1/?file=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    formats = list(AuditEvent.objects.filter(action="table1.export").values_list("detail__format", flat=True))
    assert sorted(formats) == ["json", "xlsx"]


def test_bad_options_answer_400_with_field_errors(cohort, study_a, coordinator_a):
    response = api_for(coordinator_a).get(f"/api/v1/studies/{study_a.pk}/table1/?k=2&file=docx")
    assert response.status_code == 400
    assert set(response.json()) == {"k", "file"}
    assert not AuditEvent.objects.filter(action="table1.export").exists()


def test_another_study_answers_404_everywhere(cohort, study_a, coordinator_b, study_b):
    api = api_for(coordinator_b)
    for path in ("table1/", "pseudonymised/", "pseudonymised/export/", "pseudonym-key/"):
        assert api.get(f"/api/v1/studies/{study_a.pk}/{path}").status_code == 404, path
    person = cohort[0]
    assert api.get(f"/api/v1/participants/{person.pk}/data/").status_code == 404
    assert api.post(f"/api/v1/participants/{person.pk}/erase/", {"confirm": person.email}).status_code == 404
    assert Participant.objects.filter(pk=person.pk).exists()


def test_pseudonymised_report_export_and_key_by_role(cohort, study_a, coordinator_a, viewer_a):
    owner = api_for(coordinator_a)
    report = owner.get(f"/api/v1/studies/{study_a.pk}/pseudonymised/?k=3&columns=gender").json()
    assert report["achieved_k"] >= 3 and report["participants"] == 12
    response = owner.get(f"/api/v1/studies/{study_a.pk}/pseudonymised/export/?k=3&columns=gender")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["code", "Gender"] and len(rows) == 13
    assert owner.get(f"/api/v1/studies/{study_a.pk}/pseudonym-key/").status_code == 200

    viewer = api_for(viewer_a)
    assert viewer.get(f"/api/v1/studies/{study_a.pk}/table1/").status_code == 200
    assert viewer.get(f"/api/v1/studies/{study_a.pk}/pseudonymised/export/").status_code == 403
    coordinator = make_user("helper")
    Membership.objects.create(study=study_a, user=coordinator, role=Membership.Role.COORDINATOR)
    assert api_for(coordinator).get(f"/api/v1/studies/{study_a.pk}/pseudonym-key/").status_code == 403
    assert AuditEvent.objects.filter(action="pseudonym_key.export").count() == 1
    assert AuditEvent.objects.filter(action="pseudonymised.export").count() == 1


def test_too_few_for_k_answers_400_with_the_reason(study_a, coordinator_a):
    make_participant(study_a)
    response = api_for(coordinator_a).get(f"/api/v1/studies/{study_a.pk}/pseudonymised/export/?k=5")
    assert response.status_code == 400
    assert "cannot be made 5-anonymous" in response.json()["non_field_errors"][0]


def test_participant_data_restrict_and_erase(cohort, coordinator_a, viewer_a):
    person = cohort[0]
    api = api_for(coordinator_a)
    data = api.get(f"/api/v1/participants/{person.pk}/data/")
    assert data.status_code == 200 and person.email.encode() in data.content
    assert api.get(f"/api/v1/participants/{person.pk}/data/?file=pdf").content.startswith(b"%PDF")
    assert api_for(viewer_a).post(f"/api/v1/participants/{person.pk}/restrict/", {"restricted": True}).status_code == 403
    assert api.post(f"/api/v1/participants/{person.pk}/restrict/", {"restricted": True}).json() == {"restricted": True}
    wrong = api.post(f"/api/v1/participants/{person.pk}/erase/", {"confirm": "someone@example.org"})
    assert wrong.status_code == 400 and Participant.objects.filter(pk=person.pk).exists()
    done = api.post(f"/api/v1/participants/{person.pk}/erase/", {"confirm": person.email})
    assert done.status_code == 200 and done.json()["kept"][0]["study"] == "STUDYA"
    assert not Participant.objects.filter(pk=person.pk).exists()
