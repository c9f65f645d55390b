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

from django.utils import timezone

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
}

# Keywords that are not object ids: filled with a fixed value.
PLAIN_VALUES: dict = {
    "app_label": "recruit",
    "fmt": "csv",
}

# Admin pages of apps that hold no study's data (users, tokens, task results, login failures):
# B's owner has no permission there; they are tried with id 1.
ADMIN_APPS_WITHOUT_STUDY_DATA = {"auth", "authtoken", "django_tasks_database", "axes"}

# Reference data every signed-in user reads (counties): not study A's, so reading it is no leak.
SHARED_MODELS = {"recruit.region"}

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


def _screening_question(world):
    from recruit.models import ScreeningQuestion

    return ScreeningQuestion.objects.create(study=world["study"], key="isolation", kind="yes_no",
                                            text_nb="Isolasjon A", text_en="Isolation A", is_reportable=True)


MAKERS = {
    "recruit.screeningquestion": _screening_question,
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
