"""A browser in another time zone sees the session times in its own zone, labelled, from the first page."""
import datetime
import zoneinfo

import pytest
from playwright.sync_api import expect

from recruit.models import Enrollment, Membership, Region, SchedulingSettings, Session, Study
from recruit.regions import load_regions
from recruit.services.links import link_issue

from ..conftest import make_participant, make_user
from .conftest import DESKTOP, PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture
def session():
    load_regions(Region)  # a transactional test starts from a flushed database
    study = Study.objects.create(code="TZ", title="GP focus groups", status="recruiting")
    Membership.objects.create(study=study, user=make_user("coordinator"), role=Membership.Role.OWNER)
    SchedulingSettings.objects.create(study=study, self_booking=True)
    # 10:00 in Oslo, in the summer of next year: 04:00 in New York, 17:00 in Tokyo.
    start = datetime.datetime(datetime.date.today().year + 1, 6, 2, 10, 0, tzinfo=OSLO)
    return Session.objects.create(study=study, kind="focus_group", title="Morning group", starts_at=start,
                                  ends_at=start + datetime.timedelta(hours=2), capacity=5, requires_consent=False)


def test_a_coordinator_in_new_york_reads_new_york_times(browser, live_server, session):
    context = browser.new_context(base_url=live_server.url, **{**DESKTOP, "timezone_id": "America/New_York"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "coordinator")
    # The first page already reads New York times: the script tells the server and redraws it once.
    page.goto(f"/studies/{session.study_id}/sessions/{session.pk}/")
    when = page.locator("dt:has-text('When') + dd")
    expect(when).to_contain_text("04:00")
    expect(when).to_contain_text("06:00 (America/New_York)")
    page.goto(f"/studies/{session.study_id}/sessions/")
    expect(page.get_by_text("Times in America/New_York.")).to_be_visible()
    context.close()


def test_a_participant_in_tokyo_books_from_a_phone_reading_tokyo_times(browser, live_server, session):
    participant = make_participant(session.study, preferred_language="en")
    enrollment = Enrollment.objects.get(participant=participant)
    Enrollment.objects.filter(pk=enrollment.pk).update(status="eligible")
    context = browser.new_context(base_url=live_server.url, **{**PHONE, "timezone_id": "Asia/Tokyo"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    _link, token = link_issue(enrollment=enrollment, purpose="booking")
    page.goto(f"/l/{token}/")
    choice = page.locator(".session-choice").filter(has_text="Morning group")
    when = choice.locator(".session-when")
    expect(when).to_contain_text(f"2 June {session.starts_at.year}, 17:00–19:00")
    expect(when.locator(".time-zone")).to_have_text("(Asia/Tokyo)")
    choice.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("You are booked. We have sent you a confirmation.")).to_be_visible()
    expect(page.locator(".session-choice").first.locator(".session-when")).to_contain_text("17:00–19:00 (Asia/Tokyo)")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
