"""A participant who uses no mouse signs consent with Tab, Shift+Tab, Space, Enter and typing alone,
and sees where the focus is at every step."""

import pytest
from playwright.sync_api import expect

from recruit.models import Enrollment, Region, SignatureRecord, Study
from recruit.regions import load_regions

from ..consent_support import emailed_consent_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = " ".join(["Participation means a 90-minute focus group with four or five other GPs, audio recorded and "
                 "transcribed without names."] * 8)
STATEMENTS = [
    {"text": "I agree to take part in a focus group.", "required": True},
    {"text": "I agree to audio recording.", "required": True},
    {"text": "Anonymised quotes from me may be published.", "required": False},
]
FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e), box = e.getBoundingClientRect();
  return {tag: e.tagName, name: e.getAttribute('name') || '', type: e.getAttribute('type') || '',
          text: (e.innerText || '').trim(), checked: !!e.checked,
          outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
          onScreen: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth};
}"""


def press(page, key, visited):
    page.keyboard.press(key)
    element = page.evaluate(FOCUSED)
    visited.append(element)
    if element["tag"] != "BODY":
        # WCAG 2.4.7: keyboard focus is visible — an outline of at least 2px, on screen.
        assert element["outline"] != "none" and element["outlineWidth"] >= 2, f"no visible focus on {element}"
        assert element["onScreen"], f"focused element scrolled out of view: {element}"
    return element


def tab_to(page, wanted, visited, key="Tab", limit=30):
    """Press Tab (or Shift+Tab) until the focused element matches `wanted`; fail if it is never reached."""
    for _ in range(limit):
        element = press(page, key, visited)
        if wanted(element):
            return element
    raise AssertionError(f"not reachable with {key}; focus went through {[(e['tag'], e['name'], e['text']) for e in visited]}")


def named(name):
    return lambda element: element["name"] == name


def button(text):
    return lambda element: element["tag"] == "BUTTON" and element["text"] == text


@pytest.fixture
def consent_link():
    load_regions(Region)  # a transactional test starts from a flushed database
    study = Study.objects.create(code="GPKB", title="GP motivation", status="recruiting")
    return emailed_consent_link(study, text=LONG, statements=STATEMENTS)


def test_a_participant_signs_consent_with_the_keyboard_alone(desktop, consent_link):
    enrollment, path = consent_link
    page, visited = desktop, []
    page.goto(path)  # opening the e-mailed link; from here on, keys only
    expect(page.get_by_role("heading", level=1, name="Would you like to take part in “GP motivation”?")).to_be_visible()
    submit = page.get_by_role("button", name="Continue to review")
    expect(submit).to_have_attribute("aria-disabled", "true")  # waits until the text has been read

    # The first Tab shows the skip link; Enter jumps past the header.
    skip = press(page, "Tab", visited)
    assert skip["tag"] == "A" and skip["onScreen"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Ticking the statements: Tab into the form (past the whole text), Space ticks.
    tab_to(page, named("statement_1"), visited)
    page.keyboard.press("Space")
    tab_to(page, named("statement_2"), visited)
    page.keyboard.press("Space")
    tab_to(page, named("typed_name"), visited)
    page.keyboard.type("Åse Ødegård")
    # Back up to the optional statement and tick it too.
    tab_to(page, named("statement_3"), visited, key="Shift+Tab")
    page.keyboard.press("Space")
    assert [page.locator(f"input[name=statement_{n}]").is_checked() for n in (1, 2, 3)] == [True, True, True]

    # The typed name is the signature: the drawing pad is for pointers and takes no keyboard focus.
    tab_to(page, button("Continue to review"), visited)
    assert "CANVAS" not in {element["tag"] for element in visited}
    expect(submit).not_to_have_attribute("aria-disabled", "true")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Review your consent")).to_be_visible()
    expect(page.get_by_text("None (your typed name is your signature)")).to_be_visible()
    tab_to(page, named("confirmed"), visited)
    page.keyboard.press("Space")
    tab_to(page, button("Sign consent"), visited)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Thank you – your consent is signed")).to_be_visible()
    signature = SignatureRecord.objects.get(enrollment=enrollment)
    assert signature.typed_name == "Åse Ødegård" and not signature.drawn_signature
    assert [answer["answer"] for answer in signature.answers] == [True, True, True]
    assert signature.pdf_sha256
    assert Enrollment.objects.get(pk=enrollment.pk).status == "consented"
