"""Screening questions marked reportable in Table 1: yes/no, one choice, several choices, numbers.

Small cells are protected as in every other row; free-text answers never appear.
"""
import csv
import io

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from recruit.anonymise.small_cells import protect
from recruit.anonymise.table1 import Variable, build_table1
from recruit.models import Enrollment, ScreeningQuestion, ScreeningResponse
from recruit.pipeline import Status
from recruit.services import screening as screening_service
from recruit.services.table1 import table1_build, table1_options
from tests.conftest import api_for, client_for, make_participant
from tests.test_export_small_cells import feasible_range, partitioned_table

SECRET_WORDS = "Dr Hemmelig at Fjellstua legekontor"


def question(study, key, kind, position, options=(), **extra):
    return ScreeningQuestion.objects.create(
        study=study, key=key, kind=kind, position=position, text_nb=f"Spørsmål {key}", text_en=f"Question {key}",
        options=[{"value": v, "nb": f"{v} nb", "en": f"{v} en"} for v in options], is_reportable=True, **extra,
    )


@pytest.fixture
def answered(study_a):
    """21 GPs with answers: 18 use video (3 do not), 10/9/1/1 on the record system, tools chosen
    by 20/2/10 (one did not answer), hours 1–20 (one not recorded), and a free-text answer."""
    question(study_a, "video", ScreeningQuestion.Kind.YES_NO, 1)
    question(study_a, "record", ScreeningQuestion.Kind.SINGLE, 2, options=("dips", "infodoc", "cgm", "other"))
    question(study_a, "tools", ScreeningQuestion.Kind.MULTIPLE, 3, options=("phone", "chat", "video"))
    question(study_a, "hours", ScreeningQuestion.Kind.NUMBER, 4)
    ScreeningQuestion.objects.create(study=study_a, key="comment", kind=ScreeningQuestion.Kind.TEXT, position=5,
                                     text_nb="Kommentar", text_en="Comment", is_reportable=True)
    ScreeningQuestion.objects.create(study=study_a, key="unreported", kind=ScreeningQuestion.Kind.YES_NO,
                                     position=6, text_nb="Ikke rapportert", text_en="Not reported")
    records = ["dips"] * 10 + ["infodoc"] * 9 + ["cgm", "other"]
    for i in range(21):
        participant = make_participant(study_a, gender="female" if i < 12 else "male")
        enrollment = Enrollment.objects.get(participant=participant)
        answers = {"video": i >= 3, "record": records[i], "comment": SECRET_WORDS, "unreported": True}
        if i < 20:
            answers["tools"] = ["phone"] + (["chat"] if i < 2 else []) + (["video"] if i % 2 else [])
            answers["hours"] = float(i + 1)
        ScreeningResponse.objects.create(enrollment=enrollment, answers=answers, may_contact=True, is_eligible=True)
    return study_a


def block(table, variable):
    return {row.label: row.cells for row in table.rows if row.variable == variable and row.kind != "heading"}


def test_yes_no_answers_are_counted_and_a_small_answer_is_hidden_with_its_complement(answered, actor_a):
    table = table1_build(actor=actor_a, study=answered, options=table1_options(group_by="none"))
    heading = next(row for row in table.rows if row.variable == "q.video" and row.kind == "heading")
    assert heading.label == "Question video"
    # 3 "no" is under k=5; "yes" (18) is hidden too, or 21 - 18 would give the 3 back.
    assert block(table, "q.video") == {"Yes": [":"], "No": ["<5"]}
    assert "Question video: 2 cells hidden (1 with fewer than 5, 1 to protect them)." in table.notes


def test_one_choice_answers_pool_small_options_into_other(answered, actor_a):
    table = table1_build(actor=actor_a, study=answered, options=table1_options(group_by="none"))
    # cgm and other (1 each) pool into "Other" (2, still under k), hidden with the next smallest.
    assert block(table, "q.record") == {"dips en": ["10 (48)"], "infodoc en": [":"], "Other": ["<5"]}
    assert any(note.startswith("Question record: cgm en, other en pooled into") for note in table.notes)


def test_several_choices_give_each_option_its_share_and_say_they_do_not_add_up(answered, actor_a):
    table = table1_build(actor=actor_a, study=answered, options=table1_options(group_by="none"))
    rows = block(table, "q.tools")
    # phone: 20 of 21 — the one who did not answer would be 21 - 20, so both are hidden.
    assert rows["phone en"] == [":"] and rows["Not recorded"] == ["<5"]
    assert rows["chat en"] == ["<5"]  # 2 chose it
    assert rows["video en"] == ["10 (48)"]
    assert "Question tools: participants could choose several options, so the percentages do not add up to 100." in table.notes


def test_numbers_show_a_median_and_interquartile_range(answered, actor_a):
    table = table1_build(actor=actor_a, study=answered, options=table1_options(group_by="none"))
    # Hours 1..20: median 10.5, quartiles 5.75 and 15.25 (inclusive method, as for age).
    assert block(table, "q.hours") == {"Median (IQR)": ["10.5 (5.8–15.2)"], "Not recorded": ["<5"]}


def test_free_text_and_unreported_questions_never_appear(answered, actor_a):
    table = table1_build(actor=actor_a, study=answered, options=table1_options(group_by="none"))
    assert not any(row.variable in ("q.comment", "q.unreported") for row in table.rows)
    assert all(SECRET_WORDS not in " ".join(row.cells + [row.label]) for row in table.rows)


def test_per_group_question_rows_show_no_count_under_k(answered, actor_a):
    ids = list(Enrollment.objects.filter(study=answered).order_by("pk").values_list("pk", flat=True))
    Enrollment.objects.filter(pk__in=ids[:9]).update(status=Status.CONSENTED)
    table = table1_build(actor=actor_a, study=answered, options=table1_options(group_by="status", k=5))
    assert [c.n for c in table.columns] == [21, 12, 9]
    for row in table.rows:
        if row.variable.startswith("q.") and row.kind == "category":
            for count in row.counts:
                assert count is None or count == 0 or count >= 5, (row.label, row.cells)


def test_an_answer_to_a_removed_option_counts_without_showing_what_was_stored(answered, actor_a):
    response = ScreeningResponse.objects.filter(enrollment__study=answered).first()
    response.answers["record"] = "my own words"
    response.save()
    table = table1_build(actor=actor_a, study=answered, options=table1_options(group_by="none"))
    assert not any("my own words" in row.label for row in table.rows)


def test_the_engine_protects_each_of_several_options_against_recomputation():
    """For each option the published cells (chosen, not recorded, n) leave every hidden count open."""
    variable = Variable("q.t", "Tools", "several", categories=[("a", "A"), ("b", "B")], keep_empty=True)
    # Group 1: 6 people, group 2: 7; option a chosen by all but one in group 2; one not recorded.
    values = [["a"]] * 6 + [["a", "b"]] * 3 + [["a"]] * 2 + [[]] + [None]
    group_of = ["1"] * 6 + ["2"] * 7
    table = build_table1(data={"q.t": values}, group_of=group_of, groups=[("1", "G1"), ("2", "G2")],
                         variables=[variable], k=5)
    rows = {row.label: row for row in table.rows if row.kind == "category"}
    sizes = [13, 6, 7]
    for option, chosen_line in (("a", [11, 6, 5]), ("b", [3, 0, 3])):
        missing = [1, 0, 1]
        counts = [chosen_line, [sizes[c] - chosen_line[c] - missing[c] for c in range(3)], missing]
        label = option.upper()
        hidden = {(0, c) for c in range(3) if rows[label].counts[c] is None}
        hidden |= {(1, c) for c in range(3)}  # "answered, did not choose" is never shown
        hidden |= {(2, c) for c in range(3) if rows["Not recorded"].counts[c] is None}
        for (r, c), (low, high) in feasible_range(counts, sizes, hidden, partition=True).items():
            if 0 < counts[r][c] < 5:
                assert low < high, (option, r, c, counts)
    assert all(count is None or count == 0 or count >= 5 for row in rows.values() for count in row.counts)


@settings(max_examples=60, deadline=None)
@given(groups=st.lists(st.lists(st.integers(0, 9), min_size=3, max_size=3), min_size=2, max_size=3),
       k=st.integers(3, 6))
def test_a_row_never_shown_is_protected_like_a_shown_one(groups, k):
    """Row 1 ("answered, did not choose") is never published: its small counts stay open too."""
    counts, totals = partitioned_table(groups)
    primary, complementary = protect(counts, totals, k, unshown=[1])
    assert not any(cell[0] == 1 for cell in primary | complementary)
    hidden = primary | complementary | {(1, c) for c in range(len(totals)) if counts[1][0]}
    if sum(1 for row in counts if row[0]) < 2:
        return  # everyone in one category: the overall column says so
    for r, row in enumerate(counts):
        for c, value in enumerate(row):
            if 0 < value < k and r != 1:
                assert (r, c) in hidden
    for (r, c), (low, high) in feasible_range(counts, totals, hidden, partition=True).items():
        if 0 < counts[r][c] < k:
            assert low < high, f"cell {(r, c)}={counts[r][c]} is exactly {low} in {counts}"


def download(user, study, fmt):
    response = client_for(user).get(f"/studies/{study.pk}/table1.{fmt}?group_by=none&k=5&age_width=10"
                                    "&experience_edges=0,5,10,20&statuses=invited")
    assert response.status_code == 200, response.content[:300]
    return response.content


def test_every_format_carries_the_questions_and_never_the_free_text(answered, coordinator_a):
    csv_rows = list(csv.reader(io.StringIO(download(coordinator_a, answered, "csv").decode("utf-8-sig"))))
    assert ["Question tools"] + [""] in csv_rows
    assert ["  video en", "10 (48)"] in csv_rows and ["  Median (IQR)", "10.5 (5.8–15.2)"] in csv_rows
    assert any("do not add up to 100" in row[0] for row in csv_rows if row)

    sheet = load_workbook(io.BytesIO(download(coordinator_a, answered, "xlsx"))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Question video", None] in values or any(row[0] == "Question video" for row in values)
    assert any(row[:2] == ["Yes", ":"] for row in values)

    markdown = download(coordinator_a, answered, "md").decode()
    assert "| **Question hours** |" in markdown and "| &nbsp;&nbsp;dips en | 10 (48) |" in markdown

    latex = download(coordinator_a, answered, "tex").decode()
    assert r"\textbf{Question record}" in latex and r"\quad video en & 10 (48)" in latex

    pdf = PdfReader(io.BytesIO(download(coordinator_a, answered, "pdf")))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Question tools" in text and "10.5 (5.8–15.2)" in text

    for fmt in ("csv", "xlsx", "md", "tex", "pdf"):
        content = download(coordinator_a, answered, fmt)
        if fmt == "pdf":
            content = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).encode()
        assert b"Hemmelig" not in content and b"Comment" not in content, fmt


def test_the_table_speaks_the_readers_language(answered, coordinator_a):
    response = client_for(coordinator_a).get(f"/studies/{answered.pk}/table1/?group_by=none&k=5&age_width=10"
                                             "&experience_edges=0,5,10,20&statuses=invited",
                                             HTTP_ACCEPT_LANGUAGE="nb")
    assert "Spørsmål tools" in response.text and "dips nb" in response.text


def test_free_text_cannot_be_marked_reportable(study_a, actor_a):
    with pytest.raises(ValidationError) as refused:
        screening_service.question_save(actor=actor_a, study=study_a, key="why", text_nb="Hvorfor", text_en="Why",
                                        kind="text", is_reportable=True)
    assert [e.code for e in refused.value.error_dict["is_reportable"]] == ["text_not_reportable"]
    assert not ScreeningQuestion.objects.filter(study=study_a).exists()


def test_the_api_marks_a_question_reportable_and_refuses_free_text(study_a, coordinator_a):
    item = question(study_a, "video", ScreeningQuestion.Kind.YES_NO, 1)
    ScreeningQuestion.objects.filter(pk=item.pk).update(is_reportable=False)
    api = api_for(coordinator_a)
    response = api.patch(f"/api/v1/screening-questions/{item.pk}/", {"is_reportable": True}, format="json")
    assert response.status_code == 200 and response.json()["is_reportable"] is True
    text = question(study_a, "why", ScreeningQuestion.Kind.TEXT, 2, is_required=False)
    ScreeningQuestion.objects.filter(pk=text.pk).update(is_reportable=False)
    response = api.patch(f"/api/v1/screening-questions/{text.pk}/", {"is_reportable": True}, format="json")
    assert response.status_code == 400 and "is_reportable" in response.json()
    assert ScreeningQuestion.objects.get(pk=text.pk).is_reportable is False


def test_the_editor_page_toggles_reporting_for_editors_only(study_a, coordinator_a, viewer_a):
    item = question(study_a, "video", ScreeningQuestion.Kind.YES_NO, 1)
    url = f"/studies/{study_a.pk}/screening/question/{item.pk}/reportable/"
    assert client_for(viewer_a).post(url, {"is_reportable": "0"}).status_code == 403
    assert ScreeningQuestion.objects.get(pk=item.pk).is_reportable is True
    response = client_for(coordinator_a).post(url, {"is_reportable": "0"}, follow=True)
    assert "Table 1 no longer reports this question." in response.text
    assert ScreeningQuestion.objects.get(pk=item.pk).is_reportable is False


def test_the_admin_edits_reportable_and_shows_the_free_text_refusal_as_a_form_error(study_a, coordinator_a):
    from django.contrib.auth.models import Permission

    coordinator_a.is_staff = True
    coordinator_a.save()
    coordinator_a.user_permissions.set(Permission.objects.filter(content_type__app_label="recruit"))
    text = ScreeningQuestion.objects.create(study=study_a, key="why", kind="text", text_nb="Hvorfor", text_en="Why")
    form = {"key": "why", "position": "0", "text_nb": "Hvorfor", "text_en": "Why", "kind": "text",
            "options": "[]", "is_required": "on", "is_reportable": "on"}
    response = client_for(coordinator_a).post(f"/admin/recruit/screeningquestion/{text.pk}/change/", form)
    assert response.status_code == 200
    assert "never reported in Table 1" in response.text
    assert ScreeningQuestion.objects.get(pk=text.pk).is_reportable is False
    form["kind"] = "yes_no"
    response = client_for(coordinator_a).post(f"/admin/recruit/screeningquestion/{text.pk}/change/", form)
    assert response.status_code == 302
    assert ScreeningQuestion.objects.get(pk=text.pk).is_reportable is True
