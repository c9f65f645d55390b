"""Pseudonymised demographics: stable codes, k-anonymity checked by pyCANON, no identifiers, the key."""
import csv
import io
import re

import pandas as pd
import pytest
from pycanon import anonymity

from recruit.actors import Actor
from recruit.anonymise.kanon import STAR, CannotAnonymise, Hierarchy, anonymise
from recruit.models import AuditEvent, Enrollment, Membership, Pseudonym, Region
from recruit.pipeline import Status
from tests.conftest import client_for, make_participant, make_study, make_user


def rows_of(response):
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content))), content


@pytest.fixture
def cohort(study_a):
    counties = [Region.objects.get(country="NO", code=code) for code in ("03", "46", "11", "50", "18")]
    people = []
    for i in range(30):
        people.append(make_participant(
            study_a, gender=("female", "male", "other")[i % 3 if i % 7 else 2], birth_year=1955 + (i * 7) % 38,
            gp_start_year=1955 + (i * 7) % 38 + 28 + (i * 3) % 10 if i % 11 else None, county=counties[i % 5],
            practice_setting=("urban", "semi_urban", "rural")[i % 3], municipality=f"Kommune {i}",
            hpr_number=str(4400000 + i), phone=f"+47 900 00 {i:03d}", notes=f"Secret note {i}",
            is_specialist=i % 2 == 0,
        ))
    return people


def download(user, study, query="k=5&columns=gender&columns=age&columns=experience&columns=county&columns=setting"):
    response = client_for(user).get(f"/studies/{study.pk}/pseudonymised.csv?{query}")
    assert response.status_code == 200, response.content
    assert response.streaming
    return rows_of(response)


def test_the_export_is_k_anonymous_by_pycanon(cohort, study_a, coordinator_a):
    rows, _ = download(coordinator_a, study_a)
    header, body = rows[0], rows[1:]
    assert header == ["code", "Gender", "Age", "Years in general practice", "County", "Practice setting"]
    assert len(body) == 30
    frame = pd.DataFrame(body, columns=header)
    assert anonymity.k_anonymity(frame, header[1:]) >= 5
    event = AuditEvent.objects.get(action="pseudonymised.export")
    assert event.detail["achieved_k"] == anonymity.k_anonymity(frame, header[1:])
    assert event.detail["n"] == 30


def test_codes_are_stable_within_a_study_and_differ_across_studies(cohort, study_a, coordinator_a):
    first, _ = download(coordinator_a, study_a)
    again, _ = download(coordinator_a, study_a)
    assert sorted(r[0] for r in first[1:]) == sorted(r[0] for r in again[1:])
    assert all(re.fullmatch(r"GP\d{2}", r[0]) for r in first[1:])
    codes_a = dict(Pseudonym.objects.filter(study=study_a).values_list("participant_id", "code"))

    other = make_study("OTHER", owner=coordinator_a)
    for person in cohort:
        Enrollment.objects.create(study=other, participant=person)
    download(coordinator_a, other)
    codes_b = dict(Pseudonym.objects.filter(study=other).values_list("participant_id", "code"))
    assert set(codes_a) == set(codes_b)
    assert sum(codes_a[p] == codes_b[p] for p in codes_a) < 10  # random order: a few agree by chance only


def test_no_identifier_of_anyone_appears_in_the_export(cohort, study_a, coordinator_a):
    _, content = download(coordinator_a, study_a, "k=3&columns=gender&columns=age&columns=experience&columns=county&columns=setting&columns=specialist&columns=role")
    for person in cohort:
        for value in (person.given_name, person.family_name, person.email, person.hpr_number, person.phone,
                      person.practice_name, person.municipality, person.notes, str(person.birth_year)):
            assert value not in content, value


def test_withdrawn_and_restricted_participants_are_left_out(cohort, study_a, coordinator_a):
    Enrollment.objects.filter(participant=cohort[0]).update(status=Status.WITHDRAWN)
    cohort[1].restricted = True
    cohort[1].save()
    rows, _ = download(coordinator_a, study_a)
    assert len(rows) - 1 == 28
    codes = set(Pseudonym.objects.filter(participant__in=cohort[:2]).values_list("code", flat=True))
    assert not codes & {r[0] for r in rows[1:]}


def test_where_the_protocol_says_so_the_report_counts_the_withdrawn(cohort, study_a, coordinator_a):
    Enrollment.objects.filter(participant__in=cohort[:3]).update(status=Status.WITHDRAWN)
    client = client_for(coordinator_a)
    report = client.get(f"/api/v1/studies/{study_a.pk}/pseudonymised/?count_withdrawn=true").json()
    assert report["participants"] == 27 and report["withdrawn_left_out"] == 3
    assert client.get(f"/api/v1/studies/{study_a.pk}/pseudonymised/").json()["withdrawn_left_out"] is None
    page = client.get(f"/studies/{study_a.pk}/pseudonymised/?k=5&columns=gender&count_withdrawn=on")
    assert re.search(r"Withdrew \(counted only, not in the rows\)</dt><dd>3</dd>", page.text)
    rows, _ = download(coordinator_a, study_a, "k=5&columns=gender&count_withdrawn=on")
    assert len(rows) - 1 == 27


def test_too_few_participants_are_refused_with_a_reason(study_a, coordinator_a):
    for _ in range(4):
        make_participant(study_a)
    client = client_for(coordinator_a)
    response = client.get(f"/studies/{study_a.pk}/pseudonymised.csv?k=5&columns=gender")
    assert response.status_code == 400
    assert "cannot be made 5-anonymous" in response.content.decode()
    page = client.get(f"/studies/{study_a.pk}/pseudonymised/?k=5&columns=gender")
    assert "cannot be made 5-anonymous" in page.text
    assert not AuditEvent.objects.filter(action="pseudonymised.export").exists()
    assert not Pseudonym.objects.exists()


def test_the_page_reports_achieved_k_and_generalisations(cohort, study_a, coordinator_a):
    response = client_for(coordinator_a).get(f"/studies/{study_a.pk}/pseudonymised/")
    assert response.status_code == 200
    assert "Achieved k" in response.text and "Download the key" in response.text


def test_the_key_is_for_owners_only_and_audited(cohort, study_a, coordinator_a, viewer_a, coordinator_b):
    download(coordinator_a, study_a)
    helper = make_user("helper_a")
    Membership.objects.create(study=study_a, user=helper, role=Membership.Role.COORDINATOR)
    assert client_for(helper).get(f"/studies/{study_a.pk}/pseudonym-key.csv").status_code == 403
    assert client_for(viewer_a).get(f"/studies/{study_a.pk}/pseudonymised.csv").status_code == 403
    assert client_for(coordinator_b).get(f"/studies/{study_a.pk}/pseudonym-key.csv").status_code == 404
    assert not AuditEvent.objects.filter(action="pseudonym_key.export").exists()

    response = client_for(coordinator_a).get(f"/studies/{study_a.pk}/pseudonym-key.csv")
    assert response.status_code == 200
    key = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(key) == 31
    code = Pseudonym.objects.get(study=study_a, participant=cohort[3]).code
    assert [code, str(cohort[3].pk), cohort[3].given_name, cohort[3].family_name, cohort[3].email,
            cohort[3].hpr_number] in key
    assert AuditEvent.objects.get(action="pseudonym_key.export").detail == {"codes": 30}


AGE = Hierarchy("age", [lambda a: str(a // 5 * 5), lambda a: str(a // 10 * 10)])
SEX = Hierarchy("sex", [lambda s: s])


def test_the_least_generalisation_is_chosen():
    rows = [(31, "f"), (32, "f"), (33, "f"), (36, "f"), (37, "f"), (38, "f")] * 1
    solution = anonymise(rows, [AGE, SEX], 3)
    assert solution.levels == {"age": 0, "sex": 0} and solution.achieved_k == 3
    solution = anonymise(rows, [AGE, SEX], 6)
    assert solution.levels == {"age": 1, "sex": 0} and solution.achieved_k == 6


def test_suppressed_rows_form_a_class_of_at_least_k():
    rows = [(30 + i % 5, "f") for i in range(95)] + [(70, "m")] * 2 + [(80, "m")] * 3
    solution = anonymise(rows, [AGE, SEX], 5, max_suppression=0.06)
    generalised = [solution.generalise([AGE, SEX], row) for row in rows]
    frame = pd.DataFrame(generalised, columns=["age", "sex"])
    assert anonymity.k_anonymity(frame, ["age", "sex"]) >= 5
    assert solution.suppressed in (0,) or solution.suppressed >= 5
    assert sum(1 for row in generalised if row == (STAR, STAR)) == solution.suppressed


def test_fewer_than_k_people_cannot_be_anonymised():
    with pytest.raises(CannotAnonymise):
        anonymise([(30, "f")] * 4, [AGE, SEX], 5)


def test_an_unknown_column_is_refused_not_silently_dropped(cohort, study_a, coordinator_a):
    # e.g. asking for "email": the export must say no rather than quietly leave it out
    response = client_for(coordinator_a).get(f"/studies/{study_a.pk}/pseudonymised.csv?k=5&columns=gender&columns=email")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="pseudonymised.export").exists()
