import pytest
from playwright.sync_api import expect

from recruit.actors import Actor
from recruit.models import Enrollment, Region, ScreeningResponse, Study
from recruit.regions import load_regions
from recruit.services import screening
from recruit.services.links import link_issue

from ..conftest import make_participant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_gp_answers_the_screening_questionnaire_on_a_phone_in_bokmal(phone):
    load_regions(Region)  # a transactional test starts from a flushed database
    study = Study.objects.create(code="GPQI", title="Fastlegestudien", status="recruiting")
    actor = Actor.system()
    screening.question_save(actor=actor, study=study, key="lists", text_nb="Har du egen pasientliste?",
                            text_en="Do you have a patient list?", kind="yes_no", position=1)
    screening.question_save(actor=actor, study=study, key="tools", text_nb="Hva bruker du i konsultasjonen?",
                            text_en="What do you use?", kind="multiple", is_required=False, position=2,
                            options=screening.options_from_lines("Journal | Record\nVideo | Video"))
    screening.rule_create(actor=actor, study=study, attribute="q.lists", operator="eq", value="yes")
    participant = make_participant(study, given_name="Ingrid", gp_start_year=2008, preferred_language="nb")
    enrollment = Enrollment.objects.get(participant=participant)
    _link, token = link_issue(enrollment=enrollment, purpose="screening")

    page = phone
    page.goto(f"/l/{token}/")
    expect(page.get_by_role("heading", name="Vil du delta i Fastlegestudien?")).to_be_visible()
    # Prefilled from the registry; the participant corrects the start year.
    expect(page.get_by_label("Fødselsår")).to_have_value("1975")
    page.get_by_label("År startet i allmennpraksis").fill("2010")
    page.get_by_role("button", name="Send svarene mine").click()
    expect(page.get_by_text("Rett svarene som er merket nedenfor.")).to_be_visible()  # the required question

    page.get_by_role("group", name="Har du egen pasientliste?").get_by_label("Ja").check()
    page.get_by_role("group", name="Hva bruker du i konsultasjonen?").get_by_label("Video").check()
    page.get_by_role("button", name="Send svarene mine").click()
    expect(page.get_by_role("heading", name="Takk")).to_be_visible()
    expect(page.get_by_text("Hva skjer nå:")).to_be_visible()
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    enrollment.refresh_from_db()
    participant.refresh_from_db()
    assert enrollment.status == "eligible" and participant.gp_start_year == 2010
    assert ScreeningResponse.objects.get().answers == {"lists": True, "tools": ["video"]}
