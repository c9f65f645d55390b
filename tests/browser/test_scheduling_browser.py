import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from recruit.models import Booking, Enrollment, PollAnswer, Region, SchedulingSettings, Session, Study
from recruit.regions import load_regions
from recruit.services.availability import poll_create
from recruit.services.links import link_issue
from recruit.actors import Actor

from ..conftest import make_participant
from tests.consent_support import consent_given

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_answers_a_poll_and_books_a_seat_on_a_phone(phone):
    load_regions(Region)  # a transactional test starts from a flushed database
    study = Study.objects.create(code="GPFG", title="GP focus groups", status="recruiting")
    SchedulingSettings.objects.create(study=study, self_booking=True)
    participant = make_participant(study, given_name="Marit", family_name="Berg", preferred_language="en")
    make_participant(study, given_name="Other", family_name="Colleague")
    enrollment = Enrollment.objects.get(participant=participant)
    Enrollment.objects.filter(study=study).update(status="consented")
    consent_given(enrollment)  # the session requires a valid consent
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=9)
    poll = poll_create(actor=Actor.system(), study=study, title="Autumn groups",
                       times=[(start, start + datetime.timedelta(hours=2)),
                              (start + datetime.timedelta(days=1), start + datetime.timedelta(days=1, hours=2))])
    session = Session.objects.create(study=study, kind="focus_group", title="Bergen group", starts_at=start,
                                     ends_at=start + datetime.timedelta(hours=2), capacity=5, place="Årstadveien 17")
    first, second = poll.options.all()
    page = phone

    _link, token = link_issue(enrollment=enrollment, purpose="poll")
    page.goto(f"/l/{token}/")
    expect(page.get_by_role("heading", name="When can you come?")).to_be_visible()
    page.get_by_role("group").nth(0).get_by_label("Yes").check()
    page.get_by_role("group").nth(1).get_by_label("If need be").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Your answers are saved")).to_be_visible()
    assert "Colleague" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    _link, token = link_issue(enrollment=enrollment, purpose="booking")
    page.goto(f"/l/{token}/")
    expect(page.get_by_text("5 seats left")).to_be_visible()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("You are booked. We have sent you a confirmation.")).to_be_visible()
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    assert dict(PollAnswer.objects.filter(enrollment=enrollment).values_list("option_id", "answer")) == {
        first.pk: "yes", second.pk: "if_need_be"}
    booking = Booking.objects.get(enrollment=enrollment)
    assert (booking.session_id, booking.status, booking.source) == (session.pk, "booked", "participant")
    assert Session.objects.get(pk=session.pk).booked == 1
