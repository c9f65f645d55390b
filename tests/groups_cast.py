"""Builders for the group-builder tests: a study with consented GPs and upcoming sessions."""
import datetime

from django.utils import timezone

from recruit.models import Enrollment, Session
from tests.conftest import make_participant


def make_session(study, *, days=7, hour=18, capacity=5, title=""):
    start = (timezone.now() + datetime.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return Session.objects.create(study=study, title=title, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                  capacity=capacity, requires_consent=False)


def make_pool(study, n, *, status="consented", **overrides):
    """n enrollments with varied age, gender, experience and setting, each from their own practice."""
    genders = ["female", "male"]
    settings = ["urban", "rural", "semi_urban"]
    enrollments = []
    for i in range(n):
        fields = {
            "birth_year": 1960 + (i * 7) % 30,
            "gp_start_year": 1995 + (i * 5) % 25,
            "gender": genders[i % 2],
            "practice_setting": settings[i % 3],
            **overrides,
        }
        participant = make_participant(study, enroll=False, **fields)
        enrollments.append(Enrollment.objects.create(study=study, participant=participant, status=status))
    return enrollments
