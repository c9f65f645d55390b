"""/healthz for load balancers: is the database reachable, are migrations applied, can media be written?

Answered by a middleware at the top of the stack, before host validation, HTTPS redirects,
sessions and CSP, so a probe by IP address over plain HTTP gets the real answer: JSON with one
entry per check, 200 when all pass, 503 otherwise. No authentication, and no detail that helps
an attacker (no paths, versions or error texts).
"""
import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

PATHS = {"/healthz", "/healthz/"}
logger = logging.getLogger(__name__)
_migrated = False  # once every migration is applied, it stays so for this process's life


def check_database() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def check_migrations() -> bool:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def check_media() -> bool:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return True


CHECKS = {"database": check_database, "migrations": check_migrations, "media": check_media}


def health() -> tuple[dict, bool]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "failing"
        except Exception:  # noqa: BLE001 - any failure of a check is the answer, not a crash
            logger.warning("health check %s failed", name, exc_info=True)
            results[name] = "failing"
    return results, all(value == "ok" for value in results.values())


def healthz(request):
    results, healthy = health()
    response = JsonResponse({"status": "ok" if healthy else "failing", "checks": results}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in PATHS and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
