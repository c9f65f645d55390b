"""/healthz tells a load balancer whether this instance can serve: database, migrations, media."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from recruit import health

pytestmark = pytest.mark.django_db


def test_a_healthy_instance_answers_200_with_each_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "media": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_it_needs_no_login_and_answers_any_host_name_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["recruit.example.org"]
    response = client.get("/healthz/", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200


def test_unwritable_media_answers_503(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "media": "failing"}


def test_unapplied_migrations_answer_503(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    # Forget the latest recruit migration (the test's transaction brings it back).
    executor = MigrationExecutor(connection)
    latest = next(node for node in executor.loader.graph.leaf_nodes() if node[0] == "recruit")
    MigrationRecorder(connection).record_unapplied(*latest)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "failing"


def test_the_migrations_check_passes_against_the_real_plan(monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    assert health.check_migrations() is True


def test_a_failing_database_answers_503(client, monkeypatch):
    from django.db import OperationalError, connections

    class BrokenCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *args):
            return False

    monkeypatch.setattr(type(connections["default"]), "cursor", lambda self: BrokenCursor())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failing"
    assert "refused" not in response.content.decode()
