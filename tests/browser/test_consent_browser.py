import hashlib
import re

import pytest
from playwright.sync_api import expect

from recruit.models import Enrollment, Membership, Region, SignatureRecord, Study
from recruit.regions import load_regions

from ..conftest import make_participant, make_user
from ..consent_support import emailed_consent_link, published_consent
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = " ".join(["Participation means a 90-minute focus group with four or five other GPs, audio recorded and "
                 "transcribed without names."] * 6)


@pytest.fixture
def consent_link():
    load_regions(Region)  # a transactional test starts from a flushed database
    study = Study.objects.create(code="GPQI", title="GP motivation", status="recruiting")
    Membership.objects.create(study=study, user=make_user("coordinator"), role="owner")
    return emailed_consent_link(study, text=LONG)


def test_a_participant_signs_on_a_phone_with_a_drawn_signature_and_downloads_the_pdf(phone, consent_link):
    enrollment, path = consent_link
    page = phone
    page.goto(path)
    expect(page.get_by_role("heading", name="Would you like to take part in “GP motivation”?")).to_be_visible()
    assert "/l/" not in page.url
    submit = page.get_by_role("button", name="Continue to review")
    # The button waits until the whole text has been on screen.
    expect(submit).to_be_disabled()
    page.locator("#consent-end").scroll_into_view_if_needed()
    expect(submit).to_be_enabled()

    page.get_by_label("Jeg samtykker til å delta i en fokusgruppe.").check()
    page.get_by_label("Jeg samtykker til lydopptak.").check()
    page.get_by_label("Your full name").fill("ase odegard")
    pad = page.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] * (0.3 if step % 2 else 0.7), steps=3)
    page.mouse.up()
    expect(page.locator("input[name=drawn_signature]")).to_have_value(re.compile(r"^data:image/png;base64,"))
    submit.click()

    expect(page.get_by_role("heading", name="Review your consent")).to_be_visible()
    expect(page.get_by_role("img", name="Your drawn signature")).to_be_visible()
    page.get_by_label("I confirm that the information above is correct").check()
    page.get_by_role("button", name="Sign consent").click()

    expect(page.get_by_role("heading", name="Thank you – your consent is signed")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your signed consent (PDF)").click()
    data = open(download_info.value.path(), "rb").read()

    signature = SignatureRecord.objects.get(enrollment=enrollment)
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == signature.pdf_sha256
    assert signature.drawn_signature and bytes(signature.drawn_signature).startswith(b"\x89PNG")
    assert signature.typed_name == "ase odegard"
    assert Enrollment.objects.get(pk=enrollment.pk).status == "consented"


def test_the_consent_overview_and_a_published_version_fit_a_phone(phone):
    load_regions(Region)
    study = Study.objects.create(code="GPQI", title="GP motivation", status="recruiting")
    Membership.objects.create(study=study, user=make_user("coordinator"), role="owner")
    for n in range(3):
        make_participant(study, given_name=f"Kari{n}", family_name="Nordmann")
    version = published_consent(study)
    page = phone
    log_in(page, "coordinator")
    # The table scrolls inside its card (its hidden tick-box labels included), the text's hash wraps:
    # the page itself never scrolls sideways.
    for path in (f"/studies/{study.pk}/consent/", f"/studies/{study.pk}/consent/versions/{version.pk}/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
