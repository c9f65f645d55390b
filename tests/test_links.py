import datetime
import hashlib

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.utils import timezone

from recruit import urls as recruit_urls
from recruit.models import LinkFailure, PersonalLink
from recruit.services.links import FAILURE_LIMIT, link_complete, link_issue, link_url
from recruit.views import links

pytestmark = pytest.mark.django_db


def test_only_the_hash_of_the_token_is_stored(enrollment_a):
    link, token = link_issue(enrollment=enrollment_a, purpose="consent")
    assert len(token) >= 43  # 32 random bytes
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not PersonalLink.objects.filter(token_hash=token).exists()
    assert link_url(token).endswith(f"/l/{token}/")


def test_opening_a_link_moves_the_token_into_the_session_and_drops_it_from_the_url(enrollment_a):
    link, token = link_issue(enrollment=enrollment_a, purpose="consent")
    client = Client()
    response = client.get(f"/l/{token}/")
    assert response.status_code == 302
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert client.session[links.session_key("consent")] == link.pk
    link.refresh_from_db()
    assert link.first_used_at is not None


@pytest.mark.parametrize("state, status, words", [
    ("expired", 410, "expired"),
    ("completed", 410, "already been used"),
    ("revoked", 410, "no longer valid"),
])
def test_expired_used_and_revoked_links_do_not_open(enrollment_a, state, status, words):
    link, token = link_issue(enrollment=enrollment_a, purpose="consent")
    if state == "expired":
        link.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    elif state == "completed":
        link.completed_at = timezone.now()
    else:
        link.revoked_at = timezone.now()
    link.save()
    response = Client().get(f"/l/{token}/")
    assert response.status_code == status
    assert words in response.content.decode()


def test_a_wrong_token_is_a_404_and_repeated_ones_are_throttled(db):
    client = Client()
    assert client.get("/l/not-a-token/").status_code == 404
    for _ in range(FAILURE_LIMIT - 1):
        client.get("/l/still-not-a-token/")
    assert LinkFailure.objects.count() == FAILURE_LIMIT
    assert client.get("/l/another-guess/").status_code == 429


def test_a_link_completes_only_once(enrollment_a):
    link, _ = link_issue(enrollment=enrollment_a, purpose="consent")
    assert link_complete(link) is True
    assert link_complete(link) is False


def guarded_view(request):
    return HttpResponse(f"enrollment {request.enrollment.pk}")


# This module doubles as a URLconf: the real one plus a page guarded for consent links.
urlpatterns = [path("guarded/", links.participant_link_required("consent")(guarded_view)), *recruit_urls.urlpatterns]


@pytest.mark.urls("tests.test_links")
def test_a_link_of_one_purpose_opens_no_page_of_another(enrollment_a):
    _, poll_token = link_issue(enrollment=enrollment_a, purpose="poll")
    client = Client()
    client.get(f"/l/{poll_token}/")
    assert client.get("/guarded/").status_code == 403
    _, consent_token = link_issue(enrollment=enrollment_a, purpose="consent")
    client.get(f"/l/{consent_token}/")
    response = client.get("/guarded/")
    assert response.status_code == 200 and response.content.decode() == f"enrollment {enrollment_a.pk}"
    assert response["Cache-Control"].startswith("no-store")
