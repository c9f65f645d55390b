"""Guessing passwords and tokens is slowed down: login lockout (django-axes) and API throttles."""
import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from .conftest import api_for, make_user

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def log_in(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def user(db):
    return make_user("kari")


def test_five_wrong_passwords_lock_the_account_from_that_address(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "kari", "wrong").status_code == 200  # the form again, with its error
    locked = log_in(client, "kari", "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # Even the right password is refused while locked.
    assert log_in(client, "kari", "pw-123456789").status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_address_is_not_locked_out(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "kari", "wrong", ip="10.0.0.1")
    response = log_in(client, "kari", "pw-123456789", ip="10.0.0.2")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_a_successful_login_resets_the_count(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "kari", "wrong")
    assert log_in(client, "kari", "pw-123456789").status_code == 302
    client.logout()
    assert log_in(client, "kari", "wrong").status_code == 200


def test_axes_reset_unlocks(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "kari", "wrong")
    call_command("axes_reset", verbosity=0)
    assert log_in(client, "kari", "pw-123456789").status_code == 302


def test_the_token_endpoint_is_behind_the_same_lockout(user, settings):
    api = APIClient(REMOTE_ADDR="10.0.0.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/v1/auth/token/", {"username": "kari", "password": "wrong"})
    response = api.post("/api/v1/auth/token/", {"username": "kari", "password": "pw-123456789"})
    assert response.status_code == 429 and "token" not in response.json()


def test_the_token_endpoint_is_throttled_per_address(user, settings):
    api = APIClient()
    answers = [
        api.post("/api/v1/auth/token/", {"username": f"nobody{i}", "password": "x"}).status_code
        for i in range(11)
    ]
    assert answers[:10] == [400] * 10
    assert answers[10] == 429


def test_the_token_endpoint_gives_a_token_for_the_right_password(user):
    response = APIClient().post("/api/v1/auth/token/", {"username": "kari", "password": "pw-123456789"})
    assert response.status_code == 200 and response.json()["token"]


def test_anonymous_api_requests_are_throttled(db, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    api = APIClient()
    answers = [api.get("/api/schema/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_a_user_is_throttled_after_the_rate(coordinator_a, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "3/minute")
    api = api_for(coordinator_a)
    answers = [api.get("/api/v1/studies/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
