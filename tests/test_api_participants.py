import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recruit.models import AuditEvent, Enrollment, Participant, Region

from .conftest import api_for, make_participant

pytestmark = pytest.mark.django_db
THIS_YEAR = datetime.date.today().year


@pytest.fixture
def people(study_a):
    """Six participants of study A, each different in one filtered attribute."""
    vestland = Region.objects.get(code="46")
    oslo = Region.objects.get(code="03")
    return {
        "young_woman": make_participant(study_a, gender="female", birth_year=THIS_YEAR - 32,
                                        gp_start_year=THIS_YEAR - 3, county=vestland, practice_setting="urban"),
        "mid_man": make_participant(study_a, gender="male", birth_year=THIS_YEAR - 45,
                                    gp_start_year=THIS_YEAR - 12, county=oslo, practice_setting="urban"),
        "old_woman": make_participant(study_a, gender="female", birth_year=THIS_YEAR - 63,
                                      gp_start_year=THIS_YEAR - 30, county=vestland, practice_setting="rural"),
        "officer": make_participant(study_a, gender="male", birth_year=THIS_YEAR - 55, gp_start_year=THIS_YEAR - 20,
                                    role="chief_medical_officer", county=vestland, practice_setting="semi_urban"),
        "no_start": make_participant(study_a, gender="other", birth_year=THIS_YEAR - 40, gp_start_year=None,
                                     county=oslo, practice_setting="rural"),
        "not_enrolled": make_participant(study_a, enroll=False, gender="female", birth_year=THIS_YEAR - 50,
                                         gp_start_year=THIS_YEAR - 15, county=oslo),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("query, expected", [
    ("gender=female", {"young_woman", "old_woman", "not_enrolled"}),
    ("gender=female&gender=other", {"young_woman", "old_woman", "not_enrolled", "no_start"}),
    ("age_min=45&age_max=55", {"mid_man", "officer", "not_enrolled"}),
    ("experience_min=12&experience_max=20", {"mid_man", "officer", "not_enrolled"}),
    ("experience_max=5", {"young_woman"}),
    ("county={vestland}", {"young_woman", "old_woman", "officer"}),
    ("practice_setting=rural", {"old_woman", "no_start"}),
    ("role=chief_medical_officer", {"officer"}),
    ("status=invited", {"young_woman", "mid_man", "old_woman", "officer", "no_start"}),
    ("gender=female&county={vestland}&age_min=40", {"old_woman"}),
    ("q=practice", {"young_woman", "mid_man", "old_woman", "officer", "no_start", "not_enrolled"}),
])
def test_filters_return_exactly_the_matching_rows(coordinator_a, people, query, expected):
    query = query.format(vestland=Region.objects.get(code="46").pk)
    assert ids(api_for(coordinator_a).get(f"/api/v1/participants/?{query}")) == {people[k].pk for k in expected}


def test_status_filter_within_a_study(coordinator_a, people, study_a):
    Enrollment.objects.filter(participant=people["officer"]).update(status="eligible")
    response = api_for(coordinator_a).get(f"/api/v1/participants/?study={study_a.pk}&status=eligible")
    assert ids(response) == {people["officer"].pk}


def test_the_study_filter_accepts_only_my_studies_whoever_asked_before(
    coordinator_a, coordinator_b, people, study_a, study_b, client
):
    assert api_for(coordinator_a).get(f"/api/v1/participants/?study={study_a.pk}").status_code == 200
    refused = api_for(coordinator_b).get(f"/api/v1/participants/?study={study_a.pk}")
    assert refused.status_code == 400 and "study" in refused.json()
    client.force_login(coordinator_b)
    page = client.get("/participants/").content.decode()
    offered = re.search(r'<select name="study".*?</select>', page, re.S).group(0)
    assert study_b.code in offered and study_a.code not in offered


def test_search_matches_names_and_hpr_number(coordinator_a, study_a):
    target = make_participant(study_a, family_name="Sæterdal", hpr_number="7654321")
    make_participant(study_a, family_name="Berg")
    api = api_for(coordinator_a)
    assert ids(api.get("/api/v1/participants/?q=sæter")) == {target.pk}
    assert ids(api.get("/api/v1/participants/?q=7654321")) == {target.pk}


def test_ordering_by_age_and_descending(coordinator_a, people):
    api = api_for(coordinator_a)
    rows = api.get("/api/v1/participants/?ordering=age").json()["results"]
    ages = [row["age"] for row in rows]
    assert ages == sorted(ages)
    rows = api.get("/api/v1/participants/?ordering=-age").json()["results"]
    assert [row["age"] for row in rows] == sorted(ages, reverse=True)


def test_an_unknown_ordering_or_bad_filter_is_a_400(coordinator_a, people):
    api = api_for(coordinator_a)
    assert api.get("/api/v1/participants/?ordering=email").status_code == 400
    response = api.get("/api/v1/participants/?age_min=old")
    assert response.status_code == 400
    assert "age_min" in response.json()


def test_pagination_pages_through_everyone(coordinator_a, people):
    api = api_for(coordinator_a)
    first = api.get("/api/v1/participants/?page_size=4").json()
    second = api.get(first["next"]).json()
    assert first["count"] == 6
    seen = [r["id"] for r in first["results"]] + [r["id"] for r in second["results"]]
    assert sorted(seen) == sorted(p.pk for p in people.values())


def test_the_list_uses_a_fixed_number_of_queries_whatever_the_page_size(coordinator_a, study_a):
    for _ in range(30):
        make_participant(study_a)
    api = api_for(coordinator_a)

    def count(page_size):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/v1/participants/?page_size={page_size}&gender=female&age_min=30").status_code == 200
        return len(queries)

    # 1 the page's ids with the total (a window count), 2 the page's rows, 3 the visible enrollments of the page's
    # participants with their study, 4 the audit event.
    assert count(5) == count(30) == 4


def test_create_adds_the_participant_through_my_study(coordinator_a, study_a):
    body = {
        "study": study_a.pk, "given_name": "Åse", "family_name": "Øvrebø", "email": "ase@example.org",
        "birth_year": 1979, "gender": "female", "gp_start_year": 2010, "role": "gp",
        "county": Region.objects.get(code="50").pk, "practice_setting": "rural",
    }
    response = api_for(coordinator_a).post("/api/v1/participants/", body)
    assert response.status_code == 201, response.content
    participant = Participant.objects.get(email="ase@example.org")
    assert (participant.source_study, participant.family_name) == (study_a, "Øvrebø")
    assert response.json()["age"] == THIS_YEAR - 1979
    assert AuditEvent.objects.filter(action="participant.create", object_id=str(participant.pk)).exists()


def test_bad_input_answers_400_with_field_errors_and_writes_nothing(coordinator_a, study_a):
    make_participant(study_a, email="taken@example.org")
    before = Participant.objects.count()
    body = {
        "study": study_a.pk, "given_name": "X", "family_name": "Y", "email": "TAKEN@example.org",
        "birth_year": 1990, "gender": "female", "gp_start_year": 2000, "role": "gp",
    }
    response = api_for(coordinator_a).post("/api/v1/participants/", body)
    assert response.status_code == 400
    errors = response.json()
    assert "email" in errors and "already exists" in errors["email"][0]
    assert "gp_start_year" in errors and "adult life" in errors["gp_start_year"][0]
    assert Participant.objects.count() == before


def test_missing_and_malformed_fields_are_reported_by_name(coordinator_a, study_a):
    response = api_for(coordinator_a).post("/api/v1/participants/", {"study": study_a.pk, "gender": "robot",
                                                                      "hpr_number": "12ab", "phone": "xx"})
    assert response.status_code == 400
    errors = response.json()
    assert {"given_name", "family_name", "email", "birth_year", "gender", "phone"} <= set(errors)


def test_update_records_old_and_new_values_in_the_audit_log(coordinator_a, participant_a):
    response = api_for(coordinator_a).patch(f"/api/v1/participants/{participant_a.pk}/", {"phone": "+47 900 00 000"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="participant.update", object_id=str(participant_a.pk))
    assert event.detail["changes"] == {"phone": ["", "+47 900 00 000"]}
    assert event.actor == coordinator_a


def test_a_coordinator_cannot_create_a_participant_in_a_study_they_only_view(viewer_a, study_a):
    body = {"study": study_a.pk, "given_name": "X", "family_name": "Y", "email": "x@example.org",
            "birth_year": 1980, "gender": "male"}
    response = api_for(viewer_a).post("/api/v1/participants/", body)
    assert response.status_code == 400
    assert "study" in response.json()
    assert not Participant.objects.filter(email="x@example.org").exists()


def test_regions_are_listed(coordinator_a):
    rows = api_for(coordinator_a).get("/api/v1/regions/?country=NO").json()
    assert len(rows) == 15
    assert {row["code"]: row["name"] for row in rows}["46"] == "Vestland"


def test_the_fast_read_path_renders_exactly_what_drf_would(coordinator_a, study_a, participant_a):
    # The list renders rows through a precomputed plan; it must not change a single value.
    from rest_framework import serializers

    from api.serializers.participants import ParticipantSerializer

    participant_a.hpr_number, participant_a.is_specialist, participant_a.phone = "1234567", True, ""
    participant_a.save()
    row = api_for(coordinator_a).get(f"/api/v1/participants/{participant_a.pk}/").json()
    instance = Participant.objects.select_related("county").get(pk=participant_a.pk)
    instance.visible_enrollments = list(instance.enrollments.select_related("study"))
    serializer = ParticipantSerializer(instance)
    generic = serializers.ModelSerializer.to_representation(serializer, instance)
    assert serializer.data == generic
    assert row == {**generic, "enrollments": [dict(e) for e in generic["enrollments"]]}
    assert row["county"] == participant_a.county_id and row["is_specialist"] is True
