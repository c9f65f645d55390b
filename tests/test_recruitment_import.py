"""Importing participant lists: validation by the registry's rules, all-or-nothing, dedupe, encodings."""
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from recruit import spreadsheets
from recruit.actors import Actor
from recruit.models import AuditEvent, Participant
from recruit.services.imports import ImportRejected, participants_import
from tests.conftest import make_participant

pytestmark = pytest.mark.django_db

HEADER = "Fornavn;Etternavn;E-post;Fødselsår;Kjønn;HPR-nummer;Fylke;Praksistype\n"


def csv_bytes(*rows, header=HEADER, encoding="utf-8"):
    return (header + "".join(row + "\n" for row in rows)).encode(encoding)


def run_import(study, data, actor=None, filename="list.csv", **options):
    table = spreadsheets.read_table(data, filename)
    mapping = spreadsheets.guess_mapping(table.headers, [
        "given_name", "family_name", "email", "birth_year", "gender", "hpr_number", "county", "practice_setting",
        "phone",
    ])
    return participants_import(actor=actor or Actor.system(), study=study, table=table, mapping=mapping, **options)


def test_a_valid_file_creates_every_row_through_the_study(study_a):
    result = run_import(study_a, csv_bytes(
        "Åse;Øvrebø;ase@example.org;1970;Kvinne;1234567;Vestland;by",
        "Per;Hansen;per@example.org;1980;M;;46;land",
    ))
    assert (result.created, result.updated, result.skipped) == (2, 0, 0)
    ase = Participant.objects.get(email="ase@example.org")
    assert (ase.given_name, ase.family_name, ase.gender, ase.hpr_number) == ("Åse", "Øvrebø", "female", "1234567")
    assert ase.county.name == "Vestland" and ase.practice_setting == "urban" and ase.source_study == study_a
    assert Participant.objects.get(email="per@example.org").practice_setting == "rural"
    event = AuditEvent.objects.get(action="participant.import")
    assert event.detail["created"] == 2 and "ase@example.org" not in str(event.detail)


def test_one_bad_row_imports_nothing_and_names_the_row_and_column(study_a):
    with pytest.raises(ImportRejected) as rejected:
        run_import(study_a, csv_bytes(
            "Åse;Øvrebø;ase@example.org;1970;Kvinne;;;",
            "Per;Hansen;not-an-address;2030;M;;;",
        ))
    errors = {(e.row, e.column) for e in rejected.value.plan.errors}
    assert errors == {(3, "E-post"), (3, "Fødselsår")}
    assert not Participant.objects.exists()


def test_the_model_rules_apply_to_imported_rows(study_a):
    # Started general practice at 10 years old: the model's cross-field rule, not a copy of it.
    header = "Fornavn;Etternavn;E-post;Fødselsår;Kjønn;Startet i allmennpraksis\n"
    table = spreadsheets.read_table(csv_bytes("A;B;a@example.org;1990;K;1995", header=header), "x.csv")
    mapping = spreadsheets.guess_mapping(table.headers, ["given_name", "family_name", "email", "birth_year",
                                                          "gender", "gp_start_year"])
    with pytest.raises(ImportRejected) as rejected:
        participants_import(actor=Actor.system(), study=study_a, table=table, mapping=mapping)
    assert [e.field for e in rejected.value.plan.errors] == ["gp_start_year"]


def test_skipping_bad_rows_imports_the_good_ones_and_reports_the_bad(study_a):
    result = run_import(study_a, csv_bytes(
        "Åse;Øvrebø;ase@example.org;1970;Kvinne;;;",
        "Per;Hansen;per@example.org;1980;robot;;;",
        "Kari;Nordmann;kari@example.org;1985;K;;Atlantis;",
    ), skip_bad_rows=True)
    assert (result.created, result.skipped, result.skipped_rows) == (1, 2, [3, 4])
    assert {e["field"] for e in result.errors} == {"gender", "county"}
    assert list(Participant.objects.values_list("email", flat=True)) == ["ase@example.org"]


def test_duplicates_within_the_file_are_errors(study_a):
    with pytest.raises(ImportRejected) as rejected:
        run_import(study_a, csv_bytes(
            "Åse;Øvrebø;ase@example.org;1970;K;111;;",
            "Åse;Øvrebø;ASE@example.org;1970;K;;;",
            "Per;Hansen;per@example.org;1980;M;111;;",
        ))
    assert [(e.row, e.field) for e in rejected.value.plan.errors] == [(3, "email"), (4, "hpr_number")]


def test_a_match_by_hpr_changes_only_the_chosen_fields(study_a):
    existing = make_participant(study_a, hpr_number="555", email="old@example.org", family_name="Old", birth_year=1960)
    result = run_import(study_a, csv_bytes("Ny;New;new@example.org;1961;M;555;;"), update_fields=["family_name"])
    assert (result.created, result.updated) == (0, 1)
    existing.refresh_from_db()
    assert (existing.family_name, existing.email, existing.birth_year, existing.gender) == (
        "New", "old@example.org", 1960, "female"
    )


def test_a_match_by_email_ignores_case_and_is_left_alone_without_update_fields(study_a):
    existing = make_participant(study_a, email="Kari.Nordmann@Example.org", family_name="Nordmann")
    result = run_import(study_a, csv_bytes("Kari;Changed;kari.nordmann@example.org;1975;K;;;"))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    existing.refresh_from_db()
    assert existing.family_name == "Nordmann" and Participant.objects.count() == 1


def test_an_empty_cell_never_erases_a_value(study_a):
    existing = make_participant(study_a, hpr_number="777", phone="12345678")
    header = "Fornavn;Etternavn;E-post;Fødselsår;Kjønn;HPR;Telefon\n"
    run_import(study_a, csv_bytes(f"A;B;{existing.email};1975;K;777;", header=header), update_fields=["phone"])
    existing.refresh_from_db()
    assert existing.phone == "12345678"


def test_participants_of_another_study_are_skipped_not_changed(study_a, study_b, coordinator_a):
    other = make_participant(study_b, email="other@example.org", family_name="Other")
    result = run_import(study_a, csv_bytes("X;Changed;other@example.org;1975;K;;;"),
                        actor=Actor(user=coordinator_a), update_fields=["family_name"])
    assert (result.created, result.updated, result.skipped) == (0, 0, 1)
    other.refresh_from_db()
    assert other.family_name == "Other"


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1252", False)])
def test_norwegian_letters_survive_every_encoding(study_a, encoding, bom):
    data = csv_bytes("Åse;Ørjasæter;ase@example.org;1970;Kvinne;;Østfold;", encoding=encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    run_import(study_a, data)
    ase = Participant.objects.get()
    assert (ase.given_name, ase.family_name, ase.county.name) == ("Åse", "Ørjasæter", "Østfold")


def test_comma_separated_files_are_read_too():
    table = spreadsheets.read_table(b"given name,family name,email\nA,B,a@example.org\n", "x.csv")
    assert table.headers == ["given name", "family name", "email"] and table.rows == [["A", "B", "a@example.org"]]


def xlsx_bytes(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_file_is_imported_with_numbers_as_numbers(study_a):
    data = xlsx_bytes([
        ["Fornavn", "Etternavn", "E-post", "Fødselsår", "Kjønn", "HPR-nummer"],
        ["Åse", "Øvrebø", "ase@example.org", 1970, "Kvinne", 1234567],
        [None, None, None, None, None, None],
    ])
    result = run_import(study_a, data, filename="list.xlsx")
    assert result.created == 1
    assert Participant.objects.get().hpr_number == "1234567"


def test_a_file_that_is_not_a_table_is_refused():
    with pytest.raises(spreadsheets.SpreadsheetError):
        spreadsheets.read_table(b"PK\x03\x04garbage", "x.xlsx")
    with pytest.raises(spreadsheets.SpreadsheetError):
        spreadsheets.read_table(b"", "x.csv")


def test_the_command_names_bad_rows_and_exits_non_zero(study_a, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes("Åse;Øvrebø;ase@example.org;1970;K;;;", "Per;Hansen;per@;1980;M;;;"))
    with pytest.raises(CommandError, match="1 row has errors"):
        call_command("import_participants", str(path), "--study", study_a.code)
    assert "Row 3, E-post:" in capsys.readouterr().err
    assert not Participant.objects.exists()


def test_the_command_skips_bad_rows_when_asked_and_uses_the_mapping(study_a, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(
        "Åse;Øvrebø;ase@example.org;1970;K;;;", "Per;Hansen;per@;1980;M;;;",
        header="A;B;C;D;E;F;G;H\n",
    ))
    call_command("import_participants", str(path), "--study", study_a.code, "--skip-bad-rows",
                 "--mapping", "A=given_name", "B=family_name", "C=email", "D=birth_year", "E=gender")
    assert "1 created, 0 updated, 0 unchanged, 1 skipped." in capsys.readouterr().out
    assert Participant.objects.get().given_name == "Åse"


def test_the_command_refuses_a_file_without_required_columns(study_a, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(b"Fornavn;Etternavn\nA;B\n")
    with pytest.raises(CommandError, match="Choose a column for"):
        call_command("import_participants", str(path), "--study", study_a.code)


def test_an_import_costs_the_same_few_queries_for_few_rows_or_many(study_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(start, n):
        return [f"Navn{i};Etter{i};lege{i}@example.org;1970;K;{2000000 + i};Vestland;by" for i in range(start, start + n)]

    # Every other row matches someone in the registry by HPR number, and is updated.
    for i in range(0, 40, 2):
        make_participant(study_a, hpr_number=str(2000000 + i), email=f"lege{i}@example.org", family_name="Gammel")

    def queries(start, n):
        with CaptureQueriesContext(connection) as captured:
            result = run_import(study_a, csv_bytes(*rows(start, n)), update_fields=["family_name"])
        assert (result.created, result.updated) == (n // 2, n // 2)
        return len(captured)

    # Regions, existing participants (by HPR or e-mail in one query), who may be edited, the
    # transaction, one INSERT and one UPDATE per batch, the audit event: never one per row.
    assert queries(0, 4) == queries(4, 36)
    assert Participant.objects.filter(family_name="Gammel").count() == 0


def test_a_phone_number_without_digits_is_a_row_error(study_a):
    header = "Fornavn;Etternavn;E-post;Fødselsår;Kjønn;Telefon\n"
    table = spreadsheets.read_table(
        csv_bytes("A;B;a@example.org;1970;K;+47 900 00 001", "C;D;c@example.org;1971;M;ring meg", header=header),
        "x.csv",
    )
    mapping = spreadsheets.guess_mapping(table.headers, ["given_name", "family_name", "email", "birth_year",
                                                          "gender", "phone"])
    with pytest.raises(ImportRejected) as rejected:
        participants_import(actor=Actor.system(), study=study_a, table=table, mapping=mapping)
    assert [(e.row, e.field) for e in rejected.value.plan.errors] == [(3, "phone")]
    assert not Participant.objects.exists()
