"""Table 1 for a study: page, downloads in every format, audit, access, who is counted."""
import csv
import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from recruit.actors import Actor
from recruit.models import AuditEvent, Enrollment, Region
from recruit.pipeline import Status
from recruit.services.table1 import table1_build, table1_options
from tests.conftest import client_for, make_participant


@pytest.fixture
def cohort(study_a):
    """21 GPs: 12 women and 9 men across ages and counties, one of them withdrawn."""
    oslo = Region.objects.get(country="NO", code="03")
    people = []
    for i in range(21):
        people.append(make_participant(
            study_a, gender="female" if i < 12 else "male", birth_year=1960 + i, gp_start_year=1990 + i,
            county=oslo if i % 3 == 0 else Region.objects.get(country="NO", code="46"),
            is_specialist=i % 2 == 0,
        ))
    Enrollment.objects.filter(participant__in=people[:10]).update(status=Status.CONSENTED)
    return people


def category_cells(table, variable):
    return {row.label: row.cells for row in table.rows if row.variable == variable and row.kind == "category"}


def test_table1_counts_the_cohort_with_percentages(cohort, study_a, actor_a):
    table = table1_build(actor=actor_a, study=study_a, options=table1_options(group_by="none"))
    assert table.columns[0].n == 21
    assert category_cells(table, "gender") == {"Female": ["12 (57)"], "Male": ["9 (43)"]}
    assert category_cells(table, "specialist") == {"Yes": ["11 (52)"], "No": ["10 (48)"]}


def test_withdrawn_and_restricted_participants_are_not_counted(cohort, study_a, actor_a):
    Enrollment.objects.filter(participant=cohort[0]).update(status=Status.WITHDRAWN)
    cohort[1].restricted = True
    cohort[1].save()
    table = table1_build(actor=actor_a, study=study_a, options=table1_options(group_by="none"))
    assert table.columns[0].n == 19
    assert category_cells(table, "gender")["Female"] == ["10 (53)"]


def test_where_the_protocol_says_so_the_withdrawn_are_counted_but_not_described(cohort, study_a, coordinator_a):
    Enrollment.objects.filter(participant__in=cohort[:2]).update(status=Status.WITHDRAWN)
    client = client_for(coordinator_a)
    plain = client.get(f"/api/v1/studies/{study_a.pk}/table1/?group_by=none").json()
    assert plain["columns"][0]["n"] == 19
    assert not any("withdrew" in note for note in plain["notes"])
    counted = client.get(f"/api/v1/studies/{study_a.pk}/table1/?group_by=none&count_withdrawn=true").json()
    assert counted["columns"][0]["n"] == 19 and counted["rows"] == plain["rows"]
    assert "Not described: 2 participants who withdrew (counted only)." in counted["notes"]
    page = client.get(f"/studies/{study_a.pk}/table1/?k=5&group_by=none&age_width=10&experience_edges=0,5,10,20"
                      "&statuses=invited&statuses=consented&count_withdrawn=on")
    assert "Not described: 2 participants who withdrew (counted only)." in page.text
    rows = list(csv.reader(io.StringIO(download(coordinator_a, study_a, "csv", "?k=5&group_by=none&age_width=10"
                                                "&experience_edges=0,5&statuses=invited&count_withdrawn=on")
                                       .decode("utf-8-sig"))))
    assert ["Not described: 2 participants who withdrew (counted only)."] in rows


def test_groups_smaller_than_k_have_their_counts_hidden(cohort, study_a, actor_a):
    Enrollment.objects.filter(participant__in=cohort[:3]).update(status=Status.SCHEDULED)
    table = table1_build(actor=actor_a, study=study_a, options=table1_options(group_by="status", k=5))
    labels = [c.label for c in table.columns]
    assert labels == ["All", "Invited", "Consented", "Scheduled"]
    scheduled = labels.index("Scheduled")
    for row in table.rows:
        if row.kind == "category" and row.counts[0]:
            assert row.cells[scheduled] in (":", "<5", "0")
    assert any("Scheduled: fewer than 5" in note for note in table.notes)


def test_the_page_shows_the_table_and_audits_the_view(cohort, study_a, coordinator_a):
    response = client_for(coordinator_a).get(f"/studies/{study_a.pk}/table1/")
    assert response.status_code == 200
    assert "Table 1. Characteristics of participants, STUDYA" in response.text
    assert "12 (57)" in response.text
    event = AuditEvent.objects.get(action="table1.view")
    assert event.study == study_a and event.detail["n"] == 21


def test_the_page_explains_bad_options(cohort, study_a, coordinator_a):
    response = client_for(coordinator_a).get(f"/studies/{study_a.pk}/table1/?k=2&group_by=status&age_width=10&experience_edges=0,5&statuses=invited")
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 3" in response.text
    assert not AuditEvent.objects.filter(action="table1.view").exists()


def test_another_studys_table_is_not_found(cohort, study_a, coordinator_b, study_b):
    client = client_for(coordinator_b)
    assert client.get(f"/studies/{study_a.pk}/table1/").status_code == 404
    assert client.get(f"/studies/{study_a.pk}/table1.csv").status_code == 404


def test_a_viewer_may_read_table1(cohort, study_a, viewer_a):
    assert client_for(viewer_a).get(f"/studies/{study_a.pk}/table1.md").status_code == 200


def download(user, study, fmt, query=""):
    response = client_for(user).get(f"/studies/{study.pk}/table1.{fmt}{query}")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"] == f'attachment; filename="{study.code}-table1.{fmt}"'
    return response.content


def test_every_format_opens_and_holds_the_same_counts(cohort, study_a, coordinator_a):
    rows = list(csv.reader(io.StringIO(download(coordinator_a, study_a, "csv").decode("utf-8-sig"))))
    assert rows[1][:2] == ["Characteristic", "All (n=21)"]
    assert ["  Female", "12 (57)", "10 (100)", "2 (18)"] in rows or any(r[:2] == ["  Female", "12 (57)"] for r in rows)

    sheet = load_workbook(io.BytesIO(download(coordinator_a, study_a, "xlsx"))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any(row[:2] == ["Female", "12 (57)"] for row in values)

    markdown = download(coordinator_a, study_a, "md").decode()
    assert "| &nbsp;&nbsp;Female | 12 (57) |" in markdown

    latex = download(coordinator_a, study_a, "tex").decode()
    assert r"\quad Female & 12 (57)" in latex and r"\begin{tabular}" in latex

    pdf = PdfReader(io.BytesIO(download(coordinator_a, study_a, "pdf")))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Characteristics of participants" in text and "12 (57)" in text

    assert AuditEvent.objects.filter(action="table1.export", study=study_a).count() == 5
    assert sorted(AuditEvent.objects.filter(action="table1.export").values_list("detail__format", flat=True)) == [
        "csv", "md", "pdf", "tex", "xlsx",
    ]


def test_no_name_email_or_hpr_in_any_table1_file(cohort, study_a, coordinator_a):
    for i, person in enumerate(cohort):
        person.hpr_number = str(9100000 + i)
        person.save()
    for fmt in ("csv", "xlsx", "md", "tex", "pdf"):
        content = download(coordinator_a, study_a, fmt)
        text = content.decode("latin-1")
        if fmt == "pdf":
            text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        for person in cohort:
            for value in (person.given_name, person.family_name, person.email, person.hpr_number):
                # As a word: a given name such as "Per" stands inside "Percentages".
                assert not re.search(rf"\b{re.escape(value)}\b", text), (fmt, value)


def test_composition_charts_are_svg_without_styles_and_hide_small_groups(cohort, study_a, coordinator_a):
    Enrollment.objects.filter(participant__in=cohort[:3]).update(status=Status.SCHEDULED)
    response = client_for(coordinator_a).get(f"/studies/{study_a.pk}/table1/")
    svgs = re.findall(r"<svg.*?</svg>", response.text, flags=re.S)
    assert len(svgs) >= 5
    for svg in svgs:
        assert "style=" not in svg and "<script" not in svg
    gender = next(svg for svg in svgs if "<title>Gender</title>" in svg)
    # Scheduled (3 people, fewer than k) is one grey hidden bar, with no women or men drawn.
    scheduled = gender.split("Scheduled (n=3)")[1].split("</text>")[1]
    assert 'fill="#BBBBBB"><title>hidden</title>' in scheduled.split("<text")[0]
    age = next(svg for svg in svgs if "Age, years" in svg)
    assert "Scheduled (n=3)" in age and ">hidden</text>" in age


def test_the_pdf_holds_the_charts(cohort, study_a, coordinator_a):
    pdf = PdfReader(io.BytesIO(download(coordinator_a, study_a, "pdf")))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Age, years: median and interquartile range" in text
    assert "Practice setting" in text


def test_with_sessions_the_columns_are_the_sessions(cohort, study_a, actor_a):
    from recruit.models import Booking
    from tests.scheduling_helpers import make_session

    first = make_session(study_a, title="Group 1", capacity=12)
    second = make_session(study_a, title="Group 2", capacity=12)
    enrollments = list(Enrollment.objects.filter(study=study_a).order_by("pk"))
    for index, enrollment in enumerate(enrollments[:16]):
        Booking.objects.create(session=first if index < 8 else second, enrollment=enrollment)
    options = table1_options(group_by="session")
    table = table1_build(actor=actor_a, study=study_a, options=options)
    labels = [c.label for c in table.columns]
    assert labels[0] == "All" and labels[1].startswith("Group 1") and labels[2].startswith("Group 2")
    assert labels[3] == "Not in a session"
    assert [c.n for c in table.columns] == [21, 8, 8, 5]


def test_by_kind_of_session_the_focus_groups_and_the_interviews_are_columns(cohort, study_a, actor_a):
    from recruit.models import Booking, Session
    from tests.scheduling_helpers import make_session

    def day(n):
        return timezone.now().replace(microsecond=0) + datetime.timedelta(days=n)

    groups = [make_session(study_a, title=f"Group {i}", capacity=12, start=day(i + 1)) for i in range(2)]
    phone = make_session(study_a, title="Phone", capacity=12, start=day(5), kind=Session.Kind.TELEPHONE_INTERVIEW)
    enrollments = list(Enrollment.objects.filter(study=study_a).order_by("pk"))
    for index, enrollment in enumerate(enrollments[:12]):
        Booking.objects.create(session=groups[index % 2], enrollment=enrollment)
    for enrollment in enrollments[10:17]:  # two of them are in a focus group as well
        Booking.objects.create(session=phone, enrollment=enrollment)
    table = table1_build(actor=actor_a, study=study_a, options=table1_options(group_by="kind"))
    assert [(c.label, c.n) for c in table.columns] == [
        ("All", 21), ("Focus group", 12), ("Telephone interview", 7), ("Not in a session", 4),
    ]
    # Overlapping columns: a column's hidden count cannot be recomputed from the others' sum, so none is assumed.
    gender = category_cells(table, "gender")
    assert gender["Female"][0] == "12 (57)"


def test_an_unknown_grouping_is_a_field_error():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        table1_options(group_by="colour")
    assert "group_by" in error.value.message_dict


def test_the_options_help_is_in_the_readers_language(cohort, study_a, coordinator_a):
    client = client_for(coordinator_a)
    client.post("/i18n/setlang/", {"language": "nb", "next": "/"})
    response = client.get(f"/studies/{study_a.pk}/table1/")
    assert "Antall under k slås sammen eller skjules. Minst 3." in response.text
