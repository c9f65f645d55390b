"""Production settings: check --deploy is clean, and a missing SECRET_KEY stops start-up."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recruit.env import ConfigurationError, email_settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7#kV2q!9zLp@4mWn8Rt$5bYc&1hJd^6fGs*3aQe%0uXo(EiZy",
    "ALLOWED_HOSTS": "recruit.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args, env):
    inherited = ("SECRET_KEY", "DJANGO_ENV", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_mail_with_personal_links_leaves_the_machine_unencrypted():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env={**PRODUCTION, "EMAIL_URL": "smtp://relay.example.org:25?tls=0"})
    assert result.returncode != 0
    assert "recruit.W001" in result.stderr + result.stdout and "relay.example.org without TLS" in result.stderr + result.stdout
    encrypted = manage("check", "--deploy", "--fail-level", "WARNING",
                       env={**PRODUCTION, "EMAIL_URL": "smtp://relay.example.org:587"})
    assert encrypted.returncode == 0, encrypted.stdout + encrypted.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set. Production refuses to start without it" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    result = manage("check", env=env)
    assert result.returncode != 0 and "ALLOWED_HOSTS must list" in result.stderr


def test_email_url_becomes_smtp_settings_with_tls():
    config = email_settings("smtp://mailer:s%40cret@smtp.example.org:587")
    assert config["EMAIL_HOST"] == "smtp.example.org"
    assert config["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert config["EMAIL_USE_TLS"] is True


def test_an_unknown_email_scheme_fails_loudly():
    with pytest.raises(ConfigurationError, match="EMAIL_URL scheme 'pigeon'"):
        email_settings("pigeon://coop")
