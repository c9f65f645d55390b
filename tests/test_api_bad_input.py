"""Text the database cannot store is a 400 with a clear message, never a 500 (found by fuzzing on PostgreSQL)."""
import json

import pytest

from recruit.models import Membership, SamplingQuota
from tests.conftest import api_for, make_user

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_a_json_body_is_refused(study_a, coordinator_a):
    body = {"study": study_a.pk, "label": "Women", "criteria": {"gender": "fe\u0000male"}, "target": 2}
    response = api_for(coordinator_a).post("/api/v1/sampling-quotas/", json.dumps(body),
                                           content_type="application/json")
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
    assert not SamplingQuota.objects.exists()


def test_a_nul_character_in_a_form_body_is_refused(study_a, coordinator_a):
    response = api_for(coordinator_a).post("/api/v1/memberships/", "study=%d&role=viewer&user=a%%00b" % study_a.pk,
                                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "NUL" in response.json()["detail"]


def test_a_user_name_with_a_nul_character_is_no_user(study_a, coordinator_a):
    make_user("viewer")
    serializer_input = {"study": study_a.pk, "role": "viewer", "user": "vie\u0000wer"}
    from api.serializers.studies import MembershipSerializer

    serializer = MembershipSerializer(data=serializer_input)
    assert not serializer.is_valid() and "user" in serializer.errors
    assert not Membership.objects.filter(user__username="viewer").exists()
