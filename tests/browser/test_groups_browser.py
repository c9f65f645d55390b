import pytest
from playwright.sync_api import expect

from recruit.models import Booking, Membership, Region, Study
from recruit.regions import load_regions

from ..conftest import make_user
from ..groups_cast import make_pool, make_session
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_builds_groups_moves_a_member_by_hand_and_accepts(desktop):
    load_regions(Region)  # a transactional test starts from a flushed database
    user = make_user("coordinator")
    study = Study.objects.create(code="FOCUS", title="GP focus groups", status="recruiting")
    Membership.objects.create(study=study, user=user, role="owner")
    first = make_session(study, days=7, capacity=3, title="Tuesday group")
    second = make_session(study, days=8, capacity=3, title="Wednesday group")
    pool = make_pool(study, 6)

    page = desktop
    log_in(page, "coordinator")
    page.goto(f"/studies/{study.pk}/")
    page.get_by_role("link", name="Build groups").click()
    page.get_by_role("button", name="Build groups").click()

    expect(page.get_by_text("All rules met.")).to_be_visible()
    index = page.locator("#groups-index")
    before = index.get_attribute("data-index")
    columns = page.locator(".group-column")
    wednesday = page.locator(f'.group-column[data-session="{second.pk}"]')
    expect(columns).to_have_count(2)
    expect(columns.nth(0).locator(".member")).to_have_count(3)

    # Move someone from the Tuesday group to the Wednesday group: four in a group of at most three.
    mover = columns.nth(0).locator(".member").first
    name = mover.locator(".member-name").inner_text()
    mover_id = int(mover.get_attribute("data-enrollment"))
    choice = page.get_by_label(f"Group for {name}")
    choice.focus()
    choice.select_option(str(second.pk))
    expect(page.locator("#groups-check")).to_contain_text("above its maximum of 3")
    expect(page.get_by_role("button", name="Accept and book")).to_be_disabled()
    expect(wednesday.locator(".member")).to_have_count(4)
    expect(page.get_by_label(f"Group for {name}")).to_be_focused()  # keyboard users keep their place

    # Move someone else back: the rules hold again and the index is recomputed for the new groups.
    other = wednesday.locator(".member").filter(
        has_not_text=name).first
    other_name = other.locator(".member-name").inner_text()
    page.get_by_label(f"Group for {other_name}").select_option(str(first.pk))
    expect(page.get_by_text("All rules met.")).to_be_visible()
    assert index.get_attribute("data-index") != ""
    assert float(index.get_attribute("data-index")) >= float(before) - 1e-9  # the engine's proposal was best

    page.get_by_role("button", name="Accept and book").click()
    expect(page.get_by_text("Groups saved: 6 booked")).to_be_visible()
    mover_booking = Booking.objects.get(enrollment_id=mover_id, status="booked")
    assert mover_booking.session == second
    assert Booking.objects.filter(status="booked").count() == len(pool)
