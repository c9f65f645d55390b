"""How the isolation matrix (tests/test_isolation_matrix.py) finds study A's objects for a URL.

A URL keyword such as `pk`, `session_pk` or `object_id` is filled with the id of one of study A's
objects. Which model it names is inferred, in this order:
  1. KWARG_MODELS[(url name, kwarg)] or KWARG_MODELS[kwarg], when registered here;
  2. the admin URL's own model (admin:<app>_<model>_<action>);
  3. a DRF view's queryset or serializer model, for `pk`/`id`;
  4. `<model>_pk` / `<model>_id` in the kwarg's name (membership_pk -> Membership);
  5. the path segment just before the kwarg (studies/<pk>/ -> Study, imports/<import_pk>/ -> ParticipantImport).
The object itself comes from MAKERS[model label](world), which returns an object of study A.

When you add a model that URLs name, add a maker for it here (and a KWARG_MODELS entry if the
URL's words do not say which model it is). The matrix fails, naming the URL, until you do: no
route is ever skipped silently.
"""
import datetime
import re

from django.apps import apps
from django.contrib.auth.models import Permission
from django.urls import URLPattern
from django.utils import timezone

from recruit.models import Membership

from .conftest import make_participant, make_study, make_user

# {(url name, kwarg) or kwarg: "app_label.model_name"}
KWARG_MODELS: dict = {
    ("import-new", "pk"): "recruit.study",
    ("import-detail", "pk"): "recruit.study",
    ("import-commit", "pk"): "recruit.study",
    ("membership-new", "pk"): "recruit.study",
    ("membership-delete", "pk"): "recruit.study",
    ("audit-log", "pk"): "recruit.study",
    ("audit-export", "pk"): "recruit.study",
    ("screening-question-reportable", "pk"): "recruit.study",
    ("screening-question-reportable", "item_pk"): "recruit.screeningquestion",
    ("consent-signature-pdf", "signature_pk"): "recruit.signaturerecord",
    ("screening-item-delete", "item_pk"): "recruit.screeningquestion",
}

# Keywords that are not object ids: filled with a fixed value.
PLAIN_VALUES: dict = {
    "app_label": "recruit",
    "fmt": "csv",
    # The screening editor deletes a question or a rule; the matrix tries the question.
    "kind": "question",
    # A campaign's start, pause or resume: start is the one that sends e-mail.
    "action": "start",
}

# Admin pages of apps that hold no study's data (users, tokens, task results, login failures):
# B's owner has no permission there; they are tried with id 1.
ADMIN_APPS_WITHOUT_STUDY_DATA = {"auth", "authtoken", "django_tasks_database", "axes"}

# Reference data every signed-in user reads (counties): not study A's, so reading it is no leak.
SHARED_MODELS = {"recruit.region"}

# Texts only study A's objects carry: a list that shows one of them shows A's rows.
MARKERS = ["Isolation campaign A", "Isolation session A", "Isolation poll A", "Isolation question A",
           "Isolation quota A", "Isolation reason A"]

# Routes whose keyword is a bearer credential, not an object id: whoever holds a personal-link
# token is its participant by design. The matrix presents a token that is not valid instead.
CREDENTIAL_KWARGS = {("link-entry", "token"), ("calendar-feed", "token")}


def _session(world):
    from recruit.models import Session

    start = timezone.now() + datetime.timedelta(days=7)
    return Session.objects.create(
        study=world["study"], starts_at=start, ends_at=start + datetime.timedelta(hours=2), capacity=5,
        title="Isolation session A", place="Room A",
    )


def _booking(world):
    from recruit.models import Booking, Session

    session = world.get("recruit.session") or _session(world)
    Session.objects.filter(pk=session.pk).update(booked=1)
    return Booking.objects.create(session=session, enrollment=world["enrollment"])


def _participant_import(world):
    from recruit.models import ParticipantImport

    return ParticipantImport.objects.create(
        study=world["study"], created_by=world["owner"], filename="a.csv", data=b"given_name\nA\n",
        headers=["given_name"], row_count=1,
    )


def _personal_link(world):
    from recruit.services.links import link_issue

    link, _token = link_issue(enrollment=world["enrollment"], purpose="consent")
    return link


def _audit_event(world):
    from recruit.actors import Actor
    from recruit.services.audit import audit_record

    return audit_record(actor=Actor(user=world["owner"]), action="study.view", study=world["study"])


def _status_change(world):
    from recruit.models import StatusChange

    return StatusChange.objects.filter(enrollment=world["enrollment"]).first() or StatusChange.objects.create(
        enrollment=world["enrollment"], from_status="invited", to_status="invited", actor=world["owner"]
    )


def _poll(world):
    from recruit.models import Poll

    return Poll.objects.create(study=world["study"], title="Isolation poll A")


def _poll_option(world):
    from recruit.models import PollOption

    poll = world.get("recruit.poll") or _poll(world)
    world["recruit.poll"] = poll
    start = timezone.now() + datetime.timedelta(days=9)
    return PollOption.objects.create(poll=poll, starts_at=start, ends_at=start + datetime.timedelta(hours=2))


def _campaign(world):
    from recruit.models import Campaign

    return Campaign.objects.create(
        study=world["study"], name="Isolation campaign A", filters={"gender": ["female"]},
        subject_nb="Invitasjon", body_nb="Hei {first_name}, {screening_link} {unsubscribe_link}",
        subject_en="Invitation", body_en="Hello {first_name}, {screening_link} {unsubscribe_link}",
        created_by=world["owner"],
    )


def _message(world):
    from recruit.models import Message

    return Message.objects.create(
        kind="campaign.invitation", key=f"isolation-{world['enrollment'].pk}", participant=world["participant"],
        study=world["study"], subject="Invitasjon til Isolation study A",
    )


def _campaign_recipient(world):
    from recruit.models import CampaignRecipient

    campaign = world.get("recruit.campaign") or world.setdefault("recruit.campaign", _campaign(world))
    return CampaignRecipient.objects.create(campaign=campaign, participant=world["participant"],
                                            enrollment=world["enrollment"], last_contacted_at=timezone.now())


def _recruitment_settings(world):
    from recruit.models import RecruitmentSettings

    return RecruitmentSettings.objects.get_or_create(study=world["study"], defaults={"contact_limit": 2})[0]


def _screening_question(world):
    from recruit.models import ScreeningQuestion

    return ScreeningQuestion.objects.create(
        study=world["study"], key="uses_video", text_nb="Isolation question A (nb)", text_en="Isolation question A",
        kind=ScreeningQuestion.Kind.YES_NO, is_reportable=True,
    )


def _eligibility_rule(world):
    from recruit.models import EligibilityRule

    return EligibilityRule.objects.create(study=world["study"], attribute="gender", operator="eq", value="female")


def _screening_response(world):
    from recruit.models import ScreeningResponse

    return ScreeningResponse.objects.create(
        enrollment=world["enrollment"], answers={"uses_video": True}, may_contact=True, is_eligible=True,
    )


def _sampling_quota(world):
    from recruit.models import SamplingQuota

    return SamplingQuota.objects.create(study=world["study"], label="Isolation quota A", criteria={"gender": "female"}, target=3)


def _published_consent(world):
    from .consent_support import published_consent

    if "published_consent" not in world:
        world["published_consent"] = published_consent(world["study"])
    return world["published_consent"]


def _consent_document(world):
    return _published_consent(world).document


def _consent_version(world):
    """A draft next to the published version: the one a leaky door could still change."""
    from recruit.services.consent import consent_version_create

    from .consent_support import SYSTEM

    return consent_version_create(actor=SYSTEM, document=_consent_document(world))


def _consent_request(world):
    from recruit.models import ConsentRequest

    return ConsentRequest.objects.create(
        enrollment=world["enrollment"], version=_published_consent(world), created_by=world["owner"],
    )


def _signature(world):
    """A real signature with its stored PDF, so a door that leaks it would serve the file."""
    from recruit.models import Enrollment

    from .consent_support import sign

    # Screened eligible (the status a signature needs); signing moves the enrollment to consented.
    Enrollment.objects.filter(pk=world["enrollment"].pk).update(status=Enrollment.Status.ELIGIBLE)
    return sign(world["enrollment"], _published_consent(world))


def _withdrawal(world):
    # Written directly: the withdraw service would end the enrollment the other routes are tried on.
    from recruit.models import Withdrawal

    return Withdrawal.objects.create(
        enrollment=world["enrollment"], at=timezone.now(), channel=Withdrawal.Channel.PHONE,
        reason="Isolation reason A", recorded_by=world["owner"],
    )


MAKERS = {
    "recruit.campaign": _campaign,
    "recruit.message": _message,
    "recruit.campaignrecipient": _campaign_recipient,
    "recruit.recruitmentsettings": _recruitment_settings,
    "recruit.screeningquestion": _screening_question,
    "recruit.eligibilityrule": _eligibility_rule,
    "recruit.screeningresponse": _screening_response,
    "recruit.samplingquota": _sampling_quota,
    "recruit.consentdocument": _consent_document,
    "recruit.consentversion": _consent_version,
    "recruit.consentrequest": _consent_request,
    "recruit.signaturerecord": _signature,
    "recruit.withdrawal": _withdrawal,
    "recruit.poll": _poll,
    "recruit.polloption": _poll_option,
    "recruit.study": lambda world: world["study"],
    "recruit.participant": lambda world: world["participant"],
    "recruit.enrollment": lambda world: world["enrollment"],
    "recruit.membership": lambda world: world["viewer_membership"],
    "recruit.session": _session,
    "recruit.booking": _booking,
    "recruit.participantimport": _participant_import,
    "recruit.personallink": _personal_link,
    "recruit.auditevent": _audit_event,
    "recruit.statuschange": _status_change,
    "recruit.region": lambda world: world["participant"].county,
    "auth.user": lambda world: world["owner"],
}


# --- which model a URL keyword names ------------------------------------------------------------

def model_label(model) -> str:
    return model._meta.label_lower


def _segment_before(route: str, kwarg: str) -> str | None:
    match = re.search(r"([A-Za-z_-]+)/(?:\^?)(?:<(?:\w+:)?%s>|\(\?P<%s>)" % (kwarg, kwarg), route)
    return match.group(1) if match else None


def _model_named(word: str):
    word = word.lower().replace("-", "").replace("_", "")
    candidates = [word, word[:-1] if word.endswith("s") else word, word[:-3] + "y" if word.endswith("ies") else word]
    models_ = [m for m in apps.get_models() if m._meta.app_label in ("recruit", "auth")]
    for candidate in candidates:
        for model in models_:
            if model._meta.model_name == candidate:
                return model
    for candidate in candidates:
        matches = [m for m in models_ if m._meta.model_name.endswith(candidate)]
        if len(matches) == 1:
            return matches[0]
    return None


def kwarg_model(route: str, pattern: URLPattern, name: str | None, kwarg: str):
    short = name.split(":")[-1] if name else None
    label = KWARG_MODELS.get((short, kwarg)) or KWARG_MODELS.get(kwarg)
    if label:
        return apps.get_model(label)
    if name and name.startswith("admin:") and kwarg == "object_id":
        match = re.match(r"admin:(\w+?)_(\w+)_(change|delete|history)$", name)
        if match:
            try:
                return apps.get_model(match.group(1), match.group(2))
            except LookupError:
                pass
    view = getattr(pattern.callback, "cls", None)
    if view is not None and kwarg in ("pk", "id"):
        queryset = getattr(view, "queryset", None)
        if queryset is not None:
            return queryset.model
        serializer = getattr(view, "serializer_class", None)
        meta = getattr(serializer, "Meta", None)
        if meta is not None and getattr(meta, "model", None) is not None:
            return meta.model
    match = re.match(r"(\w+?)_(pk|id)$", kwarg)
    if match:
        model = _model_named(match.group(1))
        if model is not None:
            return model
    segment = _segment_before(route, kwarg)
    if segment:
        return _model_named(segment)
    return None


# --- the world: studies A and B and the people around them -------------------------------------

def world_create() -> dict:
    """Study A (its owner, a viewer, a participant) and study B (its owner, who may use the admin, and a
    participant). Objects of other kinds are made on demand by a_object()."""
    owner_a = make_user("owner_a")
    study = make_study("ISOA", owner=owner_a, title="Isolation study A")
    viewer = make_user("viewer_of_a")
    viewer_membership = Membership.objects.create(study=study, user=viewer, role=Membership.Role.VIEWER)
    participant = make_participant(study, given_name="Aurora", family_name="Isolasjonsen", email="aurora.iso@example.org")
    enrollment = participant.enrollments.get(study=study)
    owner_b = make_user("owner_b", is_staff=True)
    study_b = make_study("ISOB", owner=owner_b, title="Isolation study B")
    # B's owner may use the admin for the recruit models, so the admin's scoping is tried too.
    owner_b.user_permissions.set(
        Permission.objects.filter(content_type__app_label="recruit").exclude(content_type__model__in=["region"])
    )
    participant_b = make_participant(study_b, given_name="Bente", family_name="Bortensen")
    return {
        "study": study, "owner": owner_a, "viewer": viewer, "viewer_membership": viewer_membership,
        "participant": participant, "enrollment": enrollment, "study_b": study_b, "owner_b": owner_b,
        "enrollment_b": participant_b.enrollments.get(study=study_b),
    }


def a_object(world, model):
    """Study A's object of this model, made once per world by its maker (None without a maker)."""
    label = model_label(model)
    if label not in world:
        maker = MAKERS.get(label)
        if maker is None:
            return None
        world[label] = maker(world)
    return world[label]
