"""What production turns on, read from the settings a production start-up really builds."""
import json

import pytest

from .test_settings import PRODUCTION, manage

SHOW = """
import json
from django.conf import settings
from django.test import Client, override_settings
db = settings.DATABASES["default"]
# Production serves collected, hashed static files; this check has not run collectstatic.
plain_static = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain_static):
    response = Client(HTTP_HOST="recruit.example.org").get("/accounts/login/", secure=True)
print(json.dumps({
    "hsts": settings.SECURE_HSTS_SECONDS, "subdomains": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_name": settings.SESSION_COOKIE_NAME, "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY, "session_samesite": settings.SESSION_COOKIE_SAMESITE,
    "csrf_name": settings.CSRF_COOKIE_NAME, "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "csrf_samesite": settings.CSRF_COOKIE_SAMESITE, "language_secure": settings.LANGUAGE_COOKIE_SECURE,
    "language_httponly": settings.LANGUAGE_COOKIE_HTTPONLY,
    "conn_health_checks": db["CONN_HEALTH_CHECKS"], "conn_max_age": db["CONN_MAX_AGE"],
    "headers": {k: response.get(k) for k in ("Strict-Transport-Security", "Referrer-Policy",
                "X-Content-Type-Options", "Content-Security-Policy")},
    "csrf_cookie": str(response.cookies.get(settings.CSRF_COOKIE_NAME, "")),
}))
"""


def production(**extra):
    result = manage("shell", "-c", SHOW, env={**PRODUCTION, **extra})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def shown():
    return production()


def test_production_sends_hsts_and_redirects_to_https(shown):
    assert shown["hsts"] >= 31536000 and shown["subdomains"] and shown["ssl_redirect"]
    assert shown["headers"]["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_cookies_are_host_only_secure_httponly_and_same_site(shown):
    assert shown["session_name"] == "__Host-sessionid"
    assert shown["session_secure"] and shown["session_httponly"] and shown["session_samesite"] == "Lax"
    assert shown["csrf_name"] == "__Host-csrftoken" and shown["csrf_secure"] and shown["csrf_samesite"] == "Lax"
    assert shown["language_secure"] and shown["language_httponly"]
    cookie = shown["csrf_cookie"]
    assert "__Host-csrftoken=" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert "Domain" not in cookie and "Path=/" in cookie


def test_production_sends_referrer_policy_nosniff_and_a_strict_csp(shown):
    headers = shown["headers"]
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def test_production_database_connections_are_kept_and_health_checked():
    # After a PostgreSQL restart a kept connection is found dead and replaced, without restarting recruit.
    shown = production(DATABASE_URL="postgres://recruit@127.0.0.1:5432/recruit")
    assert shown["conn_health_checks"] is True and shown["conn_max_age"] > 0
