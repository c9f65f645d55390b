import pytest
from playwright.sync_api import expect

from recruit.actors import Actor
from recruit.models import Membership, Region, Study
from recruit.regions import load_regions
from recruit.services.audit import audit_record

from ..conftest import make_participant, make_user
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast():
    load_regions(Region)  # a transactional test starts from a flushed database
    user = make_user("coordinator")
    study = Study.objects.create(code="GPQI", title="GP motivation", status="recruiting")
    Membership.objects.create(study=study, user=user, role="owner")
    rogaland = Region.objects.get(code="11")
    make_participant(study, given_name="Ingrid", family_name="Haugen", gender="female", county=rogaland)
    make_participant(study, given_name="Ola", family_name="Vik", gender="male", county=rogaland)
    make_participant(study, given_name="Sigrid", family_name="Lunde", gender="female")
    return study


def test_a_coordinator_logs_in_filters_the_list_and_opens_a_participant(desktop, cast):
    page = desktop
    log_in(page, "coordinator")
    expect(page.get_by_role("heading", name="GP motivation")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Participants").click()
    expect(page.get_by_role("heading", name="3 participants")).to_be_visible()

    page.get_by_role("group", name="Gender").get_by_label("Female").check()
    page.locator("summary", has_text="County").click()
    page.get_by_label("Rogaland").check()
    page.get_by_role("button", name="Apply filters").click()

    expect(page.get_by_role("heading", name="1 participant")).to_be_visible()
    expect(page.get_by_role("link", name="Vik, Ola")).to_have_count(0)
    page.get_by_role("link", name="Haugen, Ingrid").click()
    expect(page.get_by_role("heading", name="Ingrid Haugen", level=1)).to_be_visible()
    expect(page.get_by_text("Rogaland")).to_be_visible()


def test_the_participant_list_reads_on_a_phone(phone, cast):
    page = phone
    log_in(page, "coordinator")
    page.goto("/participants/")
    row = page.get_by_role("row").filter(has_text="Lunde, Sigrid")
    expect(row).to_be_visible()
    # The table collapses into labelled cards: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_the_audit_log_and_its_filters_fit_a_phone(phone, cast):
    # An event with long unbroken words, as a real change of the scheduling settings records.
    audit_record(actor=Actor(user=cast.memberships.get().user), action="scheduling_settings.update", study=cast,
                 detail={"changes": {"participant_deadline_hours": [24, 48]}})
    page = phone
    log_in(page, "coordinator")
    page.goto(f"/studies/{cast.pk}/audit/")
    expect(page.get_by_role("heading", name="Filter")).to_be_visible()
    # The filter card and the table below it share the one column; neither widens the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
