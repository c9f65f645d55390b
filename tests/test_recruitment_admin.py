"""The recruitment admin (campaigns, recipients, messages, screening, quotas, imports, settings) is scoped
like every other door: a coordinator of study B never sees study A's rows there."""
import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from recruit.models import (
    AuditEvent,
    Campaign,
    CampaignRecipient,
    EligibilityRule,
    Enrollment,
    Message,
    ParticipantImport,
    RecruitmentSettings,
    SamplingQuota,
    ScreeningResponse,
)
from tests.conftest import client_for, make_participant

pytestmark = pytest.mark.django_db

MODELS = ["campaign", "campaignrecipient", "message", "screeningresponse", "eligibilityrule", "samplingquota",
          "participantimport", "recruitmentsettings"]


def staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="recruit"))
    return client_for(user)


def recruitment_rows(study, label):
    """One row of every recruitment model, belonging to `study`."""
    participant = make_participant(study, family_name=f"Family{label}")
    enrollment = Enrollment.objects.get(study=study, participant=participant)
    campaign = Campaign.objects.create(study=study, name=f"Campaign{label}", subject_nb="s", body_nb="b",
                                       subject_en="s", body_en="b")
    message = Message.objects.create(kind="campaign_invitation", key=f"campaign:{label}", participant=participant,
                                     study=study, subject=f"Subject{label}")
    CampaignRecipient.objects.create(campaign=campaign, participant=participant, enrollment=enrollment,
                                     message=message, last_contacted_at=timezone.now())
    ScreeningResponse.objects.create(enrollment=enrollment, answers={}, may_contact=True, is_eligible=True)
    EligibilityRule.objects.create(study=study, attribute=f"gp_years{label}", operator="gte", value="2")
    SamplingQuota.objects.create(study=study, label=f"Quota{label}", criteria={"gender": "female"}, target=3)
    ParticipantImport.objects.create(study=study, filename=f"File{label}.csv", data=b"secret")
    RecruitmentSettings.objects.get_or_create(study=study, defaults={"contact_limit": 2})
    return participant


@pytest.mark.parametrize("model", MODELS)
def test_a_coordinator_of_study_b_sees_only_study_bs_rows(model, study_a, study_b, coordinator_b):
    recruitment_rows(study_a, "A")
    recruitment_rows(study_b, "B")
    response = staff(coordinator_b).get(f"/admin/recruit/{model}/")
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert len(rows) == 1
    study = getattr(rows[0], "study", None) or getattr(getattr(rows[0], "campaign", None), "study", None) \
        or rows[0].enrollment.study
    assert study == study_b
    # Nor can the row of study A be opened by its address.
    other = response.context["cl"].model.objects.exclude(pk=rows[0].pk).get()
    assert staff(coordinator_b).get(f"/admin/recruit/{model}/{other.pk}/change/").status_code == 302


def test_the_changelists_search_and_filter(study_a, coordinator_a):
    recruitment_rows(study_a, "A")
    recruitment_rows(study_a, "Z")
    client = staff(coordinator_a)
    found = client.get("/admin/recruit/campaignrecipient/", {"q": "FamilyZ"}).context["cl"].result_list
    assert [r.participant.family_name for r in found] == ["FamilyZ"]
    Message.objects.filter(key="campaign:A").update(status="sent")
    sent = client.get("/admin/recruit/message/", {"status__exact": "sent"}).context["cl"].result_list
    assert [m.key for m in sent] == ["campaign:A"]


def test_opening_a_screening_response_is_audited_and_an_import_never_shows_its_file(study_a, coordinator_a):
    recruitment_rows(study_a, "A")
    client = staff(coordinator_a)
    response = client.get(f"/admin/recruit/screeningresponse/{ScreeningResponse.objects.get().pk}/change/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="screening_response.view").count() == 1
    page = client.get(f"/admin/recruit/participantimport/{ParticipantImport.objects.get().pk}/change/")
    assert page.status_code == 200 and "secret" not in page.text and "FileA.csv" in page.text


def test_settings_are_changed_through_the_service_and_only_in_ones_own_study(study_a, study_b, coordinator_a):
    recruitment_rows(study_a, "A")
    recruitment_rows(study_b, "B")
    client = staff(coordinator_a)
    own = RecruitmentSettings.objects.get(study=study_a)
    response = client.post(f"/admin/recruit/recruitmentsettings/{own.pk}/change/",
                           {"contact_limit": "4", "contact_window_months": "6", "send_rate_per_minute": "60"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.contact_limit, own.contact_window_months, own.send_rate_per_minute) == (4, 6, 60)
    assert AuditEvent.objects.filter(action="recruitment_settings.update", study=study_a).exists()
    refused = client.post(f"/admin/recruit/recruitmentsettings/{own.pk}/change/", {
        "contact_limit": "0", "contact_window_months": "6", "send_rate_per_minute": "60"})
    assert refused.status_code == 200 and "errorlist" in refused.text
    theirs = RecruitmentSettings.objects.get(study=study_b)
    client.post(f"/admin/recruit/recruitmentsettings/{theirs.pk}/change/",
                {"contact_limit": "9", "contact_window_months": "6", "send_rate_per_minute": "60"})
    theirs.refresh_from_db()
    assert theirs.contact_limit == 2
