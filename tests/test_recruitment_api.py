"""Survey recruitment through the API: campaigns, messages, screening definitions and responses; per-study 404s."""
import pytest

from recruit.actors import Actor
from recruit.models import Campaign, Message, ScreeningQuestion, ScreeningResponse
from recruit.services import campaigns as campaign_service
from recruit.services import screening as screening_service
from tests.conftest import api_for, make_participant

pytestmark = pytest.mark.django_db

TEMPLATE = {"subject_nb": "Invitasjon", "body_nb": "Hei {{ given_name }}: {{ screening_link }}",
            "subject_en": "Invitation", "body_en": "Hi {{ given_name }}: {{ screening_link }}"}


def test_a_coordinator_creates_previews_starts_and_follows_a_campaign(study_a, coordinator_a,
                                                                      django_capture_on_commit_callbacks):
    people = [make_participant(study_a, enroll=False) for _ in range(2)]
    api = api_for(coordinator_a)
    created = api.post("/api/v1/campaigns/", {"study": study_a.pk, "name": "API", "filters": {}, **TEMPLATE},
                       format="json")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    preview = api.get(f"/api/v1/campaigns/{pk}/preview/")
    assert preview.data["nb"]["body"].startswith("Hei Kari:")
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(f"/api/v1/campaigns/{pk}/start/")
    assert started.status_code == 200 and started.data["status"] == "sending"
    again = api.post(f"/api/v1/campaigns/{pk}/start/")
    assert again.status_code == 400
    recipients = api.get(f"/api/v1/campaigns/{pk}/recipients/")
    assert {r["participant"] for r in recipients.data["results"]} == {p.pk for p in people}
    assert api.get(f"/api/v1/campaigns/{pk}/counts/").data["recipients"] == 2
    messages = api.get("/api/v1/messages/", {"study": study_a.pk})
    assert messages.data["count"] == 2 and {m["kind"] for m in messages.data["results"]} == {"campaign.invitation"}
    assert api.post(f"/api/v1/campaigns/{pk}/pause/").data["status"] == "paused"


def test_a_bad_template_is_a_400_with_field_errors(study_a, coordinator_a):
    response = api_for(coordinator_a).post("/api/v1/campaigns/", {
        "study": study_a.pk, "name": "x", **TEMPLATE, "body_en": "No link {{ nope }}"}, format="json")
    assert response.status_code == 400 and "body_en" in response.data
    assert not Campaign.objects.exists()


def test_another_studys_campaigns_messages_and_questions_answer_404(study_a, study_b, coordinator_a):
    system = Actor.system()
    campaign = campaign_service.campaign_create(actor=system, study=study_b, name="B", **TEMPLATE)
    question = screening_service.question_save(actor=system, study=study_b, key="k", text_nb="?", text_en="?",
                                               kind="text")
    api = api_for(coordinator_a)
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/start/").status_code == 404
    assert api.get(f"/api/v1/screening-questions/{question.pk}/").status_code == 404
    assert api.delete(f"/api/v1/screening-questions/{question.pk}/").status_code == 404
    assert api.get("/api/v1/campaigns/").data["count"] == 0
    created = api.post("/api/v1/campaigns/", {"study": study_b.pk, "name": "sneaky", **TEMPLATE}, format="json")
    assert created.status_code == 400 and Campaign.objects.count() == 1
    assert ScreeningQuestion.objects.filter(pk=question.pk).exists()


def test_questions_and_rules_are_defined_through_the_api(study_a, coordinator_a):
    api = api_for(coordinator_a)
    question = api.post("/api/v1/screening-questions/", {
        "study": study_a.pk, "key": "video", "text_nb": "Video?", "text_en": "Video?", "kind": "single",
        "options": [{"value": "yes", "nb": "Ja", "en": "Yes"}, {"value": "no", "nb": "Nei", "en": "No"}],
        "is_reportable": True}, format="json")
    assert question.status_code == 201, question.data
    bad = api.post("/api/v1/eligibility-rules/", {"study": study_a.pk, "attribute": "q.missing", "operator": "eq",
                                                  "value": "yes"}, format="json")
    assert bad.status_code == 400 and "attribute" in bad.data
    rule = api.post("/api/v1/eligibility-rules/", {"study": study_a.pk, "attribute": "q.video", "operator": "eq",
                                                   "value": "yes"}, format="json")
    assert rule.status_code == 201
    assert api.get("/api/v1/eligibility-rules/", {"study": study_a.pk}).data["count"] == 1


def test_responses_are_listed_for_the_users_studies_only(study_a, study_b, coordinator_a, enrollment_a, enrollment_b):
    ScreeningResponse.objects.create(enrollment=enrollment_a, answers={"k": True}, may_contact=True, is_eligible=True)
    ScreeningResponse.objects.create(enrollment=enrollment_b, answers={}, may_contact=False)
    listed = api_for(coordinator_a).get("/api/v1/screening-responses/")
    assert [r["enrollment"] for r in listed.data["results"]] == [enrollment_a.pk]
    assert not Message.objects.exists()


def test_sampling_quotas_and_the_frame_through_the_api(study_a, study_b, coordinator_a):
    make_participant(study_a, gender="female")
    api = api_for(coordinator_a)
    created = api.post("/api/v1/sampling-quotas/", {"study": study_a.pk, "label": "Women",
                                                    "criteria": {"gender": "female"}, "target": 2}, format="json")
    assert created.status_code == 201, created.data
    bad = api.post("/api/v1/sampling-quotas/", {"study": study_a.pk, "label": "x", "criteria": {"shoe": 42},
                                                "target": 2}, format="json")
    assert bad.status_code == 400 and "criteria" in bad.data
    frame = api.get("/api/v1/sampling-quotas/frame/", {"study": study_a.pk})
    assert frame.status_code == 200
    assert frame.data[0]["counts"]["invited"] == 1 and frame.data[0]["short"] == 2
    assert api.get("/api/v1/sampling-quotas/frame/", {"study": study_b.pk}).status_code == 404


def test_a_quota_without_attributes_or_with_attributes_that_are_no_object_is_a_400(study_a, coordinator_a):
    # Found by fuzzing: both answered 500 before.
    api = api_for(coordinator_a)
    missing = api.post("/api/v1/sampling-quotas/", {"study": study_a.pk, "label": "x", "target": 2}, format="json")
    not_an_object = api.post("/api/v1/sampling-quotas/", {"study": study_a.pk, "label": "x", "criteria": 1.5,
                                                          "target": 2}, format="json")
    assert missing.status_code == 400 and "criteria" in missing.data
    assert not_an_object.status_code == 400 and "criteria" in not_an_object.data
    assert not study_a.sampling_quotas.exists()


def test_the_frame_of_a_study_that_is_not_a_number_is_a_400(study_a, coordinator_a):
    # Found by fuzzing: "?study=false" answered 500 before.
    api = api_for(coordinator_a)
    for value in ("false", "", str(2**80)):
        response = api.get("/api/v1/sampling-quotas/frame/", {"study": value})
        assert response.status_code == 400 and "study" in response.data, value
