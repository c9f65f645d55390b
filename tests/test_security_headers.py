import pytest
from django.urls import reverse

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_pages_send_a_content_security_policy_without_inline_code(coordinator_a, participant_a):
    response = client_for(coordinator_a).get(reverse("participant-detail", args=[participant_a.pk]))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_our_templates_hold_no_inline_script_or_style(coordinator_a, participant_a, study_a):
    client = client_for(coordinator_a)
    for url in [reverse("dashboard"), reverse("participant-list"),
                reverse("participant-detail", args=[participant_a.pk]), reverse("study-detail", args=[study_a.pk])]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and " style=" not in html and "<style" not in html, url
