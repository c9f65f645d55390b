"""Every participant-facing page passes axe-core's WCAG 2.1 A and AA rules, in bokmål and English,
on a phone and a desktop, and does not scroll sideways on the phone.

axe-core is vendored (tests/browser/vendor/axe.min.js, pinned, MPL-2.0) so the check runs offline;
it is injected into each page once the page has reached the state under test.

The pages are reached the way a participant reaches them: a personal link, then the forms. A journey
builds its data once and walks through its pages in order (the signing page, the same page with
errors, the review, the receipt), checking each page it stops at; so every page is checked without
replaying the steps before it. The test runs per journey × viewport × language and fails listing, per
page, each violation with its impact and the offending elements.

With RECRUIT_A11Y_REPORT set (bench/a11y.py sets it), the module writes the figure
"pages × viewports × languages checked, violations" to that file when it finishes.
"""
import base64
import datetime
import errno
import hashlib
import os
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import expect

from recruit.actors import Actor
from recruit.models import (
    Enrollment,
    LinkFailure,
    PersonalLink,
    Region,
    SchedulingSettings,
    ScreeningResponse,
    Study,
)
from recruit.models.consent import SECTION_FIELDS
from recruit.regions import load_regions
from recruit.services import screening
from recruit.services.availability import poll_create
from recruit.services import signing
from recruit.services.links import link_issue
from recruit.views import links as links_views

from ..conftest import make_participant
from ..consent_support import consent_given, published_consent
from ..scheduling_helpers import make_session
from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
# axe-core's own sri-history.json entry for 4.14.1's axe.min.js: the vendored file is the published one.
AXE_SHA256 = "KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
LANGUAGES = ["nb", "en"]
SYSTEM = Actor.system("test")


# Data ---------------------------------------------------------------------------------------------------

def _study(**fields) -> Study:
    load_regions(Region)  # a transactional test starts from a flushed database
    fields = {"code": "GPQI", "title": "Fastleger og kvalitet", "status": "recruiting",
              "principal_investigator": "Kari Nordmann", **fields}
    return Study.objects.create(**fields)


def _enrollment(study, language, status=None) -> Enrollment:
    participant = make_participant(study, given_name="Åse", family_name="Ødegård", preferred_language=language)
    enrollment = Enrollment.objects.get(participant=participant)
    if status:
        Enrollment.objects.filter(pk=enrollment.pk).update(status=status)
        enrollment.refresh_from_db()
    return enrollment


def _open_link(page, enrollment, purpose):
    _link, token = link_issue(enrollment=enrollment, purpose=purpose)
    return page.goto(f"/l/{token}/")


def _consent_texts(study):
    """Published consent texts in both languages; the English one in English."""
    published_consent(study, language="nb")
    english = {name: f"What {name.replace('_', ' ')} means for you in this study." for name in SECTION_FIELDS}
    english.update(title="Would you like to take part in “GPs and quality”?",
                   end_date=timezone.localdate() + datetime.timedelta(days=700))
    published_consent(study, language="en", statements=[
        {"text": "I agree to take part in a focus group.", "required": True},
        {"text": "I agree to audio recording.", "required": True},
        {"text": "Anonymised quotes from me may be published.", "required": False},
    ], **english)


class FullDisk(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)


# Journeys: each yields the name of every page it stops at, once the page shows that state. -------------

def consent(page, language):
    study = _study()
    _consent_texts(study)
    _open_link(page, _enrollment(study, language, status="eligible"), "consent")
    expect(page.locator("form[data-consent-form]")).to_be_visible()
    yield "consent-read"

    page.locator("#consent-end").scroll_into_view_if_needed()
    page.locator("[data-requires-reading]").click()
    expect(page.locator(".consent-form .errorlist").first).to_be_visible()
    yield "consent-read-errors"

    for box in page.locator(".consent-choice input[type=checkbox]").all()[:2]:
        box.check()
    page.locator("input[name=typed_name]").fill("Åse Ødegård")
    pad = page.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 160, box["y"] + 90, steps=5)
    page.mouse.up()
    page.locator("[data-requires-reading]").click()
    expect(page.locator(".consent-review img.signature-image")).to_be_visible()
    yield "consent-review"

    # The disk is full as they sign: nothing is stored, they are told so and can try again.
    with mock.patch.object(signing, "default_storage", FullDisk(location=tempfile.gettempdir())):
        page.locator("input[name=confirmed]").check()
        page.locator(".consent-review button[type=submit]").click()
        expect(page.locator("a[href$='/consent/review/']")).to_be_visible()
    yield "consent-not-stored"

    page.locator("a[href$='/consent/review/']").click()
    page.locator("input[name=confirmed]").check()
    page.locator(".consent-review button[type=submit]").click()
    expect(page.locator("a[href$='/consent/pdf/']")).to_be_visible()
    yield "consent-done"


def consent_closed(page, language):
    study = _study()
    _consent_texts(study)
    response = _open_link(page, _enrollment(study, language, status="withdrawn"), "consent")
    assert response.status == 410 and page.url.endswith("/consent/")
    yield "consent-closed"


def link_errors(page, language):
    enrollment = _enrollment(_study(), language, status="eligible")
    link, token = link_issue(enrollment=enrollment, purpose="consent")
    PersonalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    assert page.goto(f"/l/{token}/").status == 410
    yield "link-expired"

    page.goto("/l/")
    yield "link-landing"

    # The database is briefly unreachable (a restart): the 503 page.
    with mock.patch.object(links_views, "link_open", side_effect=OperationalError("server closed the connection")):
        assert page.goto(f"/l/{token}/").status == 503
    yield "service-unavailable"

    LinkFailure.objects.bulk_create([LinkFailure(ip_address=ip) for ip in ("127.0.0.1", "::1") for _ in range(20)])
    assert page.goto("/l/not-a-token/").status == 429
    yield "link-too-many"


def poll(page, language):
    study = _study()
    enrollment = _enrollment(study, language, status="eligible")
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=9)
    poll_create(actor=SYSTEM, study=study, title="Høstens fokusgrupper", message="Velg alle tider som passer.",
                times=[(start, start + datetime.timedelta(hours=2)),
                       (start + datetime.timedelta(days=1), start + datetime.timedelta(days=1, hours=2))])
    _open_link(page, enrollment, "poll")
    expect(page.locator("fieldset.poll-option")).to_have_count(2)
    yield "poll"

    page.locator("fieldset.poll-option input[value=yes]").first.check()
    page.locator("fieldset.poll-option input[value=if_need_be]").last.check()
    page.locator(".participant-poll form button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    yield "poll-saved"


def booking(page, language):
    study = _study()
    SchedulingSettings.objects.create(study=study, self_booking=True)
    enrollment = _enrollment(study, language, status="consented")
    consent_given(enrollment)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=9)
    make_session(study, start=start, title="Bergen", place="Årstadveien 17", capacity=5)
    make_session(study, start=start + datetime.timedelta(days=1), title="Oslo", place="Forskningsveien 3", capacity=5)
    make_session(study, start=start + datetime.timedelta(days=2), title="Video", video_link="https://example.org/v",
                 capacity=4, booked=4)
    _open_link(page, enrollment, "booking")
    expect(page.locator("input[name=waitlist]")).to_have_count(1)
    yield "booking"

    page.locator(".session-choice form button").first.click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("input[name=move]")).to_have_count(1)  # booked: move to the other open time, or cancel
    expect(page.locator("form[action$='/booking/cancel/']")).to_have_count(1)
    yield "booking-booked"

    page.locator("input[name=move] ~ button").click()
    expect(page.locator(".message-success")).to_be_visible()
    yield "booking-moved"

    page.locator("form[action$='/booking/cancel/'] button").click()
    expect(page.locator("form[action$='/booking/cancel/']")).to_have_count(0)
    expect(page.locator(".message-success")).to_be_visible()
    yield "booking-cancelled"


def questionnaire(page, language):
    study = _study()
    screening.question_save(actor=SYSTEM, study=study, key="lists", text_nb="Har du egen pasientliste?",
                            text_en="Do you have a patient list?", kind="yes_no", position=1)
    screening.question_save(actor=SYSTEM, study=study, key="tools", text_nb="Hva bruker du i konsultasjonen?",
                            text_en="What do you use in consultations?", kind="multiple", is_required=False,
                            position=2, options=screening.options_from_lines("Journal | Record\nVideo | Video"))
    screening.rule_create(actor=SYSTEM, study=study, attribute="q.lists", operator="eq", value="yes")
    _open_link(page, _enrollment(study, language), "screening")
    expect(page.locator("input[name=q_lists]").first).to_be_visible()
    yield "screening"

    page.locator(".screening form button[type=submit]").first.click()
    expect(page.locator(".screening .has-error").first).to_be_visible()
    yield "screening-errors"

    page.locator("input[name=q_lists][value=yes]").check()
    page.locator(".screening form button[type=submit]").first.click()
    page.wait_for_url("**/p/screening/thanks/")
    assert ScreeningResponse.objects.get().is_eligible
    yield "screening-thanks"

    # Another GP of the same study says no, thank you.
    _open_link(page, _enrollment(study, language), "screening")
    page.locator("form.decline button").click()
    page.wait_for_url("**/p/screening/thanks/")
    assert ScreeningResponse.objects.filter(declined=True).count() == 1
    yield "screening-declined"


def withdrawal(page, language):
    enrollment = _enrollment(_study(), language, status="consented")
    consent_given(enrollment)
    _open_link(page, enrollment, "withdrawal")
    expect(page.locator("textarea[name=reason]")).to_be_visible()
    yield "withdrawal"

    page.locator("textarea[name=reason]").fill("Ikke tid i høst.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("textarea[name=reason]")).to_have_count(0)
    assert Enrollment.objects.get().status == "withdrawn"
    yield "withdrawal-done"


def own_data(page, language):
    _open_link(page, _enrollment(_study(), language, status="consented"), "own_data")
    expect(page.locator("a[href$='data.pdf']")).to_be_visible()
    yield "own-data"


def unsubscribe(page, language):
    _open_link(page, _enrollment(_study(), language), "unsubscribe")
    expect(page.locator("main form button[type=submit]")).to_be_visible()
    yield "unsubscribe"

    page.locator("main form button[type=submit]").click()
    expect(page.locator("main form")).to_have_count(0)
    yield "unsubscribe-done"


# Each journey and the pages it checks, in order.
JOURNEYS = {
    "consent": (consent, ["consent-read", "consent-read-errors", "consent-review", "consent-not-stored",
                          "consent-done"]),
    "consent-closed": (consent_closed, ["consent-closed"]),
    "link-errors": (link_errors, ["link-expired", "link-landing", "service-unavailable", "link-too-many"]),
    "poll": (poll, ["poll", "poll-saved"]),
    "booking": (booking, ["booking", "booking-booked", "booking-moved", "booking-cancelled"]),
    "screening": (questionnaire, ["screening", "screening-errors", "screening-thanks", "screening-declined"]),
    "withdrawal": (withdrawal, ["withdrawal", "withdrawal-done"]),
    "own-data": (own_data, ["own-data"]),
    "unsubscribe": (unsubscribe, ["unsubscribe", "unsubscribe-done"]),
}
PAGES = [name for _journey, names in JOURNEYS.values() for name in names]


# The check ----------------------------------------------------------------------------------------------

class Tally:
    """What this module checked, for the figure bench/a11y.py prints."""

    def __init__(self):
        self.checked: dict[tuple[str, str, str], int] = {}

    def write(self, path: Path):
        pages = [page for page in PAGES if any(key[0] == page for key in self.checked)]
        violations = sum(self.checked.values())
        expected = len(PAGES) * len(VIEWPORTS) * len(LANGUAGES)
        complete = "" if len(self.checked) == expected else f" (INCOMPLETE: {len(self.checked)} of {expected} ran)"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"Accessibility (axe-core {AXE_VERSION}, WCAG 2.1 A+AA): {len(pages)} pages × {len(VIEWPORTS)} viewports "
            f"× {len(LANGUAGES)} languages = {len(self.checked)} checks, {violations} violations{complete}\n"
            f"pages: {', '.join(pages)}\n"
            f"viewports: phone 390x844, desktop 1280x900; languages: {', '.join(LANGUAGES)}\n"
        )


@pytest.fixture(scope="module")
def tally():
    tally = Tally()
    yield tally
    report = os.environ.get("RECRUIT_A11Y_REPORT")
    if report:
        tally.write(Path(report))


@pytest.fixture(scope="module")
def axe_source():
    data = AXE.read_bytes()
    assert base64.b64encode(hashlib.sha256(data).digest()).decode() == AXE_SHA256, "vendored axe.min.js changed"
    return data.decode()


@pytest.fixture(scope="module")
def pages(browser, live_server):
    """One browser tab per viewport for the whole module: opening a tab costs Chromium more than the check
    itself. Each test clears the cookies first, so it starts as a new participant.

    bypass_csp lets the test inject axe as an inline script; the pages' own scripts are files anyway.
    """
    made = {}

    def page(viewport):
        if viewport not in made:
            context = browser.new_context(base_url=live_server.url, bypass_csp=True, **VIEWPORTS[viewport])
            made[viewport] = context.new_page()
            made[viewport].set_default_timeout(10_000)
        return made[viewport]

    yield page
    for page in made.values():
        page.context.close()


def axe_violations(page, axe_source) -> list[dict]:
    page.add_script_tag(content=axe_source)
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary.replace(/\\s+/g, ' '))})))""",
        WCAG_21_AA,
    )


def describe(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"  - {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"      {node}" for node in v["nodes"][:8])
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("journey", list(JOURNEYS))
def test_participant_pages_have_no_wcag_21_aa_violations(journey, viewport, language, pages, live_server,
                                                         axe_source, tally):
    walk, expected_pages = JOURNEYS[journey]
    page = pages(viewport)
    page.context.clear_cookies()  # a new participant: no session from the previous test
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    failures, seen = [], []
    for name in walk(page, language):
        seen.append(name)
        assert page.locator("html").get_attribute("lang") == language, f"{name} is not in {language}"
        violations = axe_violations(page, axe_source)
        tally.checked[(name, viewport, language)] = sum(len(v["nodes"]) for v in violations)
        if violations:
            failures.append(f"{name} at {page.url}:\n{describe(violations)}")
        # WCAG 1.4.10 (reflow): nothing wider than the screen, so no sideways scrolling on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            failures.append(f"{name} at {page.url}: scrolls sideways by {overflow}px")
    assert seen == expected_pages
    assert not failures, f"WCAG 2.1 AA violations ({viewport}, {language}):\n" + "\n".join(failures)
