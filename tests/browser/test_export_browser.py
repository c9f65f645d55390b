"""The export pages in a real browser: Table 1 with its hidden cells and notes, the downloads,
the pseudonymised export's achieved k, and the key offered to owners only."""
import csv
import datetime
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from recruit.models import Membership, Region, Study
from recruit.regions import load_regions

from ..conftest import make_participant, make_user
from .conftest import DESKTOP, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cohort(study):
    """21 GPs: 17 women and 4 men (a count under k); two in their thirties (a band to merge)."""
    for i in range(21):
        make_participant(study, gender="female" if i < 17 else "male",
                         birth_year=1990 if i < 2 else 1975 - (i % 2) * 10, gp_start_year=2018 + i % 3)


def row_of(table, label):
    return table.locator("tr").filter(has=table.page.get_by_role("rowheader", name=label, exact=True))


def downloaded(page, name) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).click()
    return Path(info.value.path()).read_bytes()


@pytest.fixture
def study():
    load_regions(Region)  # a transactional test starts from a flushed database
    owner = make_user("owner")
    coordinator = make_user("coordinator")
    study = Study.objects.create(code="TAB1", title="GP focus groups", status="recruiting",
                                 start_date=datetime.date(2026, 1, 1))
    Membership.objects.create(study=study, user=owner, role=Membership.Role.OWNER)
    Membership.objects.create(study=study, user=coordinator, role=Membership.Role.COORDINATOR)
    cohort(study)
    return study


def test_a_coordinator_reads_table1_with_its_hidden_cells_and_downloads_it(desktop, study):
    page = desktop
    log_in(page, "coordinator")
    page.goto(f"/studies/{study.pk}/")
    page.get_by_role("navigation", name="Study sections").get_by_role("link", name="Table 1").click()

    expect(page.get_by_role("heading", name="Table 1. Characteristics of participants, TAB1")).to_be_visible()
    table = page.locator("table.table1")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Characteristic", re.compile(r"All\s*n = 21"), re.compile(r"Invited\s*n = 21")])
    male = row_of(table, "Male")
    # 4 men is under k = 5: shown as "<5" in both columns, and the count of women it could be
    # recomputed from is hidden too.
    expect(male.get_by_title("fewer than 5 participants", exact=True)).to_have_text(["<5", "<5"])
    hidden = row_of(table, "Female").get_by_title("hidden: fewer than 5, or hidden so that such a count cannot be recomputed")
    expect(hidden).to_have_text([":", ":"])
    expect(page.get_by_text("<5 means fewer than 5 participants; : means hidden so that such a count")).to_be_visible()
    notes = page.locator("h3:has-text('What was merged or hidden') + ul")
    expect(notes).to_contain_text("Gender: 4 cells hidden (2 with fewer than 5, 2 to protect them).")
    # Ages 36 (2), 51 (10) and 61 (9) at the study's start: the two in their thirties join the next band.
    expect(notes).to_contain_text("Age: 30–39 + 50–59 merged into 30–59 (fewer than 5 in a band).")

    rows = list(csv.reader(io.StringIO(downloaded(page, "CSV").decode("utf-8-sig"))))
    assert rows[1] == ["Characteristic", "All (n=21)", "Invited (n=21)"]
    assert ["  Male", "<5", "<5"] in rows and ["  Female", ":", ":"] in rows
    assert any(row and row[0].startswith("Gender: 4 cells hidden") for row in rows)

    sheet = load_workbook(io.BytesIO(downloaded(page, "Excel (XLSX)"))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Male", "<5", "<5"] in values

    pdf = PdfReader(io.BytesIO(downloaded(page, "PDF")))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Characteristics of participants, TAB1" in text and "Gender: 4 cells hidden" in text


def test_the_pseudonymised_export_shows_its_achieved_k_and_the_key_is_for_owners_only(browser, live_server, study):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, **DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "coordinator")
    page.goto(f"/studies/{study.pk}/table1/")
    page.get_by_role("navigation", name="Study sections").get_by_role("link", name="Pseudonymised export").click()

    expect(page.get_by_role("heading", name="What the export holds")).to_be_visible()
    achieved = int(page.locator("dt:has-text('Achieved k') + dd").inner_text())
    assert achieved >= 5
    expect(page.get_by_role("link", name="Download the key (codes to names)")).to_have_count(0)

    rows = list(csv.DictReader(io.StringIO(downloaded(page, "Download CSV").decode("utf-8-sig"))))
    assert len(rows) == 21 and all(row["code"].startswith("GP") for row in rows)
    # Checked independently of the page: every combination of the columns is shared by >= achieved k.
    classes = Counter(tuple(value for key, value in row.items() if key != "code") for row in rows)
    assert min(classes.values()) >= achieved
    context.close()

    owner = browser.new_context(base_url=live_server.url, accept_downloads=True, **DESKTOP)
    page = owner.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "owner")
    page.goto(f"/studies/{study.pk}/pseudonymised/")
    key = downloaded(page, "Download the key (codes to names)").decode("utf-8-sig")
    assert len(key.strip().splitlines()) == 22  # a header and one line per participant
    owner.close()
