import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recruit.models import Enrollment, Participant, Region, Study

from .conftest import client_for, make_participant

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_participants_per_status(coordinator_a, study_a):
    for status in ["invited", "invited", "eligible"]:
        Enrollment.objects.create(study=study_a, participant=make_participant(study_a, enroll=False), status=status)
    html = client_for(coordinator_a).get(reverse("dashboard")).content.decode()
    assert "Study STUDYA" in html
    assert "3 participants" in html
    assert f"?study={study_a.pk}&amp;status=eligible" in html


def test_the_participant_list_filters_and_sorts(coordinator_a, study_a):
    make_participant(study_a, family_name="Aas", gender="male")
    make_participant(study_a, family_name="Berg", gender="female", birth_year=1960)
    make_participant(study_a, family_name="Dahl", gender="female", birth_year=1990, gp_start_year=2020)
    html = client_for(coordinator_a).get(reverse("participant-list") + "?gender=female&ordering=-age").content.decode()
    assert "Aas" not in html
    assert html.index("Berg") < html.index("Dahl")
    assert "2 participants" in html


def test_the_participant_list_page_uses_a_fixed_number_of_queries(coordinator_a, study_a):
    for _ in range(30):
        make_participant(study_a)
    client = client_for(coordinator_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("participant-list")).status_code == 200
        return len(queries)

    first = count()
    for _ in range(30):
        make_participant(study_a)
    # session, user, count, page, enrollments of the page, audit insert, can-add check,
    # studies and counties for the filter form: the same whatever the number of rows.
    assert count() == first <= 10


def test_adding_a_participant_through_the_form(coordinator_a, study_a):
    response = client_for(coordinator_a).post(reverse("participant-new"), {
        "study": study_a.pk, "given_name": "Siri", "family_name": "Løvås", "email": "siri@example.org",
        "birth_year": 1985, "gender": "female", "gp_start_year": 2014, "role": "gp",
        "county": Region.objects.get(code="55").pk, "practice_setting": "rural", "preferred_language": "nb",
    })
    participant = Participant.objects.get(email="siri@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("participant-detail", args=[participant.pk])
    assert participant.source_study == study_a


def test_the_form_shows_field_errors_and_saves_nothing(coordinator_a, study_a):
    response = client_for(coordinator_a).post(reverse("participant-new"), {
        "study": study_a.pk, "given_name": "Siri", "family_name": "Løvås", "email": "not-an-email",
        "birth_year": 3000, "gender": "female", "role": "gp", "preferred_language": "nb",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert not Participant.objects.filter(family_name="Løvås").exists()


def test_service_errors_land_on_the_form_fields(coordinator_a, study_a):
    response = client_for(coordinator_a).post(reverse("participant-new"), {
        "study": study_a.pk, "given_name": "Siri", "family_name": "Løvås", "email": "siri@example.org",
        "birth_year": 1990, "gp_start_year": 1995, "gender": "female", "role": "gp", "preferred_language": "nb",
    })
    assert "adult life" in response.context["form"].errors["gp_start_year"][0]
    assert not Participant.objects.filter(email="siri@example.org").exists()


def test_editing_a_participant(coordinator_a, participant_a):
    data = {f: getattr(participant_a, f) for f in ("given_name", "family_name", "email", "birth_year", "gender",
                                                  "gp_start_year", "role", "preferred_language")}
    data.update(county=participant_a.county_id, practice_setting="rural", phone="99887766")
    response = client_for(coordinator_a).post(reverse("participant-edit", args=[participant_a.pk]), data)
    assert response.status_code == 302
    participant_a.refresh_from_db()
    assert (participant_a.practice_setting, participant_a.phone) == ("rural", "99887766")


def test_a_phone_number_without_digits_is_a_form_error_and_nothing_changes(coordinator_a, participant_a):
    data = {f: getattr(participant_a, f) for f in ("given_name", "family_name", "email", "birth_year", "gender",
                                                  "gp_start_year", "role", "preferred_language")}
    before = (participant_a.phone, participant_a.given_name)
    data.update(county=participant_a.county_id, given_name="Renamed", phone="ring meg")
    response = client_for(coordinator_a).post(reverse("participant-edit", args=[participant_a.pk]), data)
    assert response.status_code == 200
    assert "A phone number has digits" in response.content.decode()
    participant_a.refresh_from_db()
    assert (participant_a.phone, participant_a.given_name) == before


def test_changing_status_from_the_participant_page(coordinator_a, enrollment_a):
    client = client_for(coordinator_a)
    response = client.post(reverse("enrollment-transition", args=[enrollment_a.pk]), {"status": "attended"},
                           follow=True)
    assert "cannot move from Invited to Attended" in response.content.decode()
    assert Enrollment.objects.get(pk=enrollment_a.pk).status == "invited"
    client.post(reverse("enrollment-transition", args=[enrollment_a.pk]), {"status": "responded"})
    assert Enrollment.objects.get(pk=enrollment_a.pk).status == "responded"


def test_creating_and_editing_a_study(coordinator_a):
    client = client_for(coordinator_a)
    response = client.post(reverse("study-new"), {"title": "Sleep", "code": "SLEEP", "status": "draft"})
    study = Study.objects.get(code="SLEEP")
    assert response["Location"] == reverse("study-detail", args=[study.pk])
    response = client.post(reverse("study-edit", args=[study.pk]), {
        "title": "Sleep", "code": "SLEEP", "status": "draft", "start_date": "2026-05-01", "end_date": "2026-01-01",
    })
    assert "must not be before the start date" in response.content.decode()


def test_pages_are_served_in_norwegian(coordinator_a, participant_a):
    client = client_for(coordinator_a)
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    html = client.get(reverse("participant-list")).content.decode()
    assert '<html lang="nb" ' in html
    assert "Deltakere" in html and "Participants" not in html.split("<main")[1]
    html = client.get(reverse("participant-detail", args=[participant_a.pk])).content.decode()
    assert "Invitert" in html


def test_login_page_and_logging_in(coordinator_a):
    from django.test import Client

    client = Client()
    assert "Log in" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("login"), {"username": "coordinator_a", "password": "pw-123456789"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def norwegian(user):
    client = client_for(user)
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    return client


def test_the_study_page_names_your_role_in_norwegian(coordinator_a, study_a):
    html = norwegian(coordinator_a).get(reverse("study-detail", args=[study_a.pk])).content.decode()
    assert "<dt>Din rolle</dt><dd>Eier</dd>" in html


def test_a_bad_filter_is_named_by_its_label_not_its_parameter(coordinator_a, study_a):
    html = client_for(coordinator_a).get(reverse("participant-list") + "?age_min=abc").content.decode()
    errors = html.split('class="form-errors"')[1].split("</div>")[0]
    assert "Age from: Enter a number." in errors and "age_min" not in errors


def test_page_titles_put_a_separator_between_the_page_and_recruit(coordinator_a):
    html = client_for(coordinator_a).get(reverse("participant-list")).content.decode()
    assert "<title>Participants · recruit</title>" in html


@pytest.mark.parametrize("page", ["study-detail", "audit-log", "campaign-new", "import-new", "table1"])
def test_an_owner_sees_the_same_study_tabs_on_every_study_page(coordinator_a, study_a, page):
    html = client_for(coordinator_a).get(reverse(page, args=[study_a.pk])).content.decode()
    tabs = html.split('<nav class="tabs"')[1].split("</nav>")[0]
    for name in ("Import", "Audit log", "Pseudonymised export", "Consent"):
        assert f">{name}</a>" in tabs, name


def test_a_viewer_is_not_shown_the_tabs_for_editing(viewer_a, study_a):
    html = client_for(viewer_a).get(reverse("table1", args=[study_a.pk])).content.decode()
    tabs = html.split('<nav class="tabs"')[1].split("</nav>")[0]
    assert ">Import</a>" not in tabs and ">Audit log</a>" not in tabs and ">Pseudonymised export</a>" not in tabs
