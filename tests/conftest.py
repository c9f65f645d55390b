"""The cast every test draws on: two studies, their coordinators, a viewer, participants.

Coordinator A must never see study B's people, and the other way round.
"""
import itertools
import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from faker import Faker
from rest_framework.test import APIClient

from recruit.actors import Actor
from recruit.models import Enrollment, Membership, Participant, Region, Study

fake = Faker("no_NO")
fake.seed_instance(2026)
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(username, email=f"{username}@example.org", password="pw-123456789", **extra)


def make_study(code: str, owner=None, **overrides) -> Study:
    fields = {"title": f"Study {code}", "status": Study.Status.RECRUITING, **overrides}
    study = Study.objects.create(code=code, **fields)
    if owner is not None:
        Membership.objects.create(study=study, user=owner, role=Membership.Role.OWNER)
    return study


def make_participant(study: Study | None = None, enroll: bool = True, **overrides) -> Participant:
    """A valid GP; with a study, added through it (and enrolled as invited unless enroll=False)."""
    n = next(_serial)
    fields = {
        "given_name": fake.first_name(),
        "family_name": fake.last_name(),
        "email": f"person{n}@example.org",
        "birth_year": 1975,
        "gender": "female",
        "gp_start_year": 2008,
        "role": "gp",
        "county": Region.objects.get(country="NO", code="46"),
        "practice_setting": "urban",
        "practice_name": f"Practice {n}",
        "source_study": study,
        **overrides,
    }
    participant = Participant.objects.create(**fields)
    if study is not None and enroll:
        Enrollment.objects.create(study=study, participant=participant)
    return participant


@pytest.fixture
def coordinator_a(db):
    return make_user("coordinator_a")


@pytest.fixture
def coordinator_b(db):
    return make_user("coordinator_b")


@pytest.fixture
def viewer_a(db, study_a):
    user = make_user("viewer_a")
    Membership.objects.create(study=study_a, user=user, role=Membership.Role.VIEWER)
    return user


@pytest.fixture
def study_a(coordinator_a):
    return make_study("STUDYA", owner=coordinator_a)


@pytest.fixture
def study_b(coordinator_b):
    return make_study("STUDYB", owner=coordinator_b)


@pytest.fixture
def participant_a(study_a):
    return make_participant(study_a, given_name="Astrid", family_name="Ålvik")


@pytest.fixture
def participant_b(study_b):
    return make_participant(study_b, given_name="Bjørn", family_name="Bakken")


@pytest.fixture
def enrollment_a(participant_a, study_a):
    return Enrollment.objects.get(participant=participant_a, study=study_a)


@pytest.fixture
def eligible_a(enrollment_a):
    """Study A's enrollment, screened eligible: the step before consent."""
    Enrollment.objects.filter(pk=enrollment_a.pk).update(status="eligible")
    enrollment_a.refresh_from_db()
    return enrollment_a


@pytest.fixture
def version_a(study_a):
    from .consent_support import published_consent

    return published_consent(study_a)


@pytest.fixture
def enrollment_b(participant_b, study_b):
    return Enrollment.objects.get(participant=participant_b, study=study_b)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def actor_a(coordinator_a):
    return Actor(user=coordinator_a, ip="127.0.0.1")


def pytest_runtest_setup(item):
    """Tests marked postgres skip, with the reason, when DATABASE_URL is not PostgreSQL.

    CI sets RECRUIT_REQUIRE_POSTGRES=1 with a PostgreSQL DATABASE_URL (.ci/run): there a
    missing PostgreSQL fails the test instead of skipping it.
    """
    if item.get_closest_marker("postgres") is None:
        return
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        message = ("needs PostgreSQL: set DATABASE_URL=postgres://USER@HOST:5432/NAME "
                   "(SQLite serialises all writes, so it cannot show a race)")
        if os.environ.get("RECRUIT_REQUIRE_POSTGRES"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _default_language():
    """A request for a page in bokmål leaves bokmål active in the thread; the next test starts in the default."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """API throttles count in the cache; each test starts with none used."""
    from django.core.cache import cache

    cache.clear()
