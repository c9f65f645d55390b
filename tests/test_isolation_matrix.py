"""Per-study isolation, tried on every route the application has.

Every URL pattern (walked from the resolver, including the API and the admin) and every route
of the OpenAPI schema is tried with study A's objects by people who must not reach them:
the owner of study B, a viewer of study A (writes only), an anonymous visitor, and a
participant holding a personal-link session of study B. Every method (GET, POST, PUT, PATCH,
DELETE) must be refused without telling whether A's object exists; lists must not show A's
rows; no write may change A's data. A new route is covered as soon as it exists: when the
matrix cannot tell which object a URL names, it fails and asks for a filler in
tests/isolation_registry.py.

The figure "routes x roles tried, 0 leaks" is written to var/isolation-matrix.txt and printed
by bench/isolation.py.
"""
import contextlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator

from recruit.models import AuditEvent, PersonalLink
from recruit.services.links import link_issue
from recruit.views.links import session_key

from . import isolation_registry as registry

pytestmark = pytest.mark.django_db
METHODS = ["get", "post", "put", "patch", "delete"]
WRITES = {"post", "put", "patch", "delete"}
REPORT = Path(__file__).resolve().parent.parent / "var" / "isolation-matrix.txt"
# Rows that change as a side effect of any request (logs, throttles, sessions), not study data.
VOLATILE = {
    "recruit.auditevent", "recruit.linkfailure", "sessions.session", "axes.accessattempt",
    "axes.accessfailurelog", "axes.accesslog", "django_tasks_db.dbtaskresult", "admin.logentry",
    "authtoken.token", "authtoken.tokenproxy",
}


# --- the routes ------------------------------------------------------------------------------

def url_patterns():
    """(full route text, pattern, qualified name, kwarg names) for every pattern, recursively."""
    found = []

    def walk(patterns, prefix, namespace, kwargs):
        for pattern in patterns:
            text = str(pattern.pattern)
            names = list(getattr(pattern.pattern, "converters", {}) or {})
            regex = getattr(pattern.pattern, "regex", None)
            if regex is not None:
                names = list(dict.fromkeys(names + list(regex.groupindex)))
            if isinstance(pattern, URLResolver):
                space = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + text, space, kwargs + names)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}".lstrip(":") if pattern.name else None
                found.append((prefix + text, pattern, name, kwargs + names))

    walk(get_resolver().url_patterns, "", "", [])
    return found


_model_label = registry.model_label
kwarg_model = registry.kwarg_model
a_object = registry.a_object


@pytest.fixture
def world(db):
    return registry.world_create()


def clients(world):
    coordinator_b = Client()
    coordinator_b.force_login(world["owner_b"])
    viewer = Client()
    viewer.force_login(world["viewer"])
    # B's participant holds a live link session of every purpose, so every participant page is
    # reached as someone with a real (other study's) link, not only the pages of one purpose.
    participant_b = Client()
    session = participant_b.session
    for purpose in PersonalLink.Purpose.values:
        link, _token = link_issue(enrollment=world["enrollment_b"], purpose=purpose)
        session[session_key(purpose)] = link.pk
    session.save()
    return {"coordinator_b": coordinator_b, "viewer": viewer, "anonymous": Client(), "participant_b": participant_b}


def snapshot(world):
    """Every row of every model but the volatile ones, by model and primary key."""
    rows = {}
    for model in apps.get_models():
        label = _model_label(model)
        if label in VOLATILE or model._meta.proxy or not model._meta.managed:
            continue
        rows[label] = {row["pk_"]: row for row in model.objects.annotate(pk_=models.F("pk")).values()}
    return rows


def _ids(world, study, participant_id, enrollment) -> dict:
    return {"study_id": study.pk, "participant_id": participant_id, "enrollment_id": enrollment.pk}


def _names(row, ids: dict) -> bool:
    return any(row.get(column) == value for column, value in ids.items())


def changes(before, after, world) -> list[str]:
    """Rows changed or deleted since `before`, and new rows naming study A's objects.

    B's own rows (naming study B, B's participant or B's enrollment, and none of A's) are theirs to
    change: B's participant may withdraw or book through their own link, B's owner may edit B.
    """
    a_ids = _ids(world, world["study"], world["participant"].pk, world["enrollment"])
    b_ids = _ids(world, world["study_b"], world["enrollment_b"].participant_id, world["enrollment_b"])
    b_rows = {("recruit.study", world["study_b"].pk), ("recruit.enrollment", world["enrollment_b"].pk),
              ("recruit.participant", world["enrollment_b"].participant_id)}
    found = []
    for label, rows in before.items():
        for pk, row in rows.items():
            now = after.get(label, {}).get(pk)
            if now == row:
                continue
            own = (label, pk) in b_rows or (_names(row, b_ids) and not _names(row, a_ids))
            if own and not (now and _names(now, a_ids)):
                continue
            if now is None:
                found.append(f"{label} #{pk} was deleted")
            else:
                found.append(f"{label} #{pk} was changed: " + ", ".join(k for k in row if row[k] != now.get(k)))
    for label, rows in after.items():
        for pk, row in rows.items():
            if pk not in before.get(label, {}) and _names(row, a_ids):
                found.append(f"a new {label} #{pk} naming study A's objects was written")
    return found


class Writes:
    """The tables written to by the statements run inside `with connection.execute_wrapper(...)`.

    Most refused requests write nothing; only when one did is the whole database compared."""

    TABLE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(\w+)", re.IGNORECASE)

    def __init__(self):
        self.tables: set[str] = set()
        self.volatile = {m._meta.db_table for m in apps.get_models() if _model_label(m) in VOLATILE}

    def __call__(self, execute, sql, params, many, context):
        match = self.TABLE.match(sql)
        if match and match.group(1) not in self.volatile:
            self.tables.add(match.group(1))
        return execute(sql, params, many, context)


@contextlib.contextmanager
def undone(writes: Writes):
    """Whatever the requests inside write is rolled back, so every route meets the same world."""
    writes.tables.clear()
    point = transaction.savepoint()
    try:
        with connection.execute_wrapper(writes):
            yield
    finally:
        transaction.savepoint_rollback(point)


# --- expectations ------------------------------------------------------------------------------

def _to_login(response) -> bool:
    return response.status_code == 302 and "login" in response.get("Location", "")


def refused(role, method, url, response) -> bool:
    status = response.status_code
    if status == 429:
        return True  # a throttle (e.g. on guessed tokens) refuses before anything is looked up
    if url.startswith("/admin/"):
        return status in (302, 403, 404, 405)
    if role == "coordinator_b":
        # A participant page's link guard answers 403 before it looks at any id: no existence leak.
        link_guard = status == 403 and "participant/link_error.html" in [t.name for t in response.templates]
        return status in (404, 405) or link_guard
    if role == "viewer":
        return status in (400, 403, 404, 405)
    if role in ("anonymous", "participant_b"):
        return status in (401, 403, 404, 405, 410) or _to_login(response)
    raise AssertionError(role)


def fill(route, pattern, name, kwargs, world):
    """The URL with A's objects, or the reason it cannot be filled."""
    values = {}
    shared = []
    short = name.split(":")[-1] if name else None
    for kwarg in kwargs:
        if kwarg in registry.PLAIN_VALUES:
            values[kwarg] = registry.PLAIN_VALUES[kwarg]
        elif (short, kwarg) in registry.CREDENTIAL_KWARGS:
            values[kwarg] = "not-a-valid-token-" + "x" * 30
        elif kwarg == "object_id" and re.match(r"admin:(%s)_" % "|".join(registry.ADMIN_APPS_WITHOUT_STUDY_DATA), name or ""):
            values[kwarg] = 1
        elif kwarg == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            values[kwarg] = ContentType.objects.get_for_model(world["participant"]).pk
        else:
            model = kwarg_model(route, pattern, name, kwarg)
            if kwarg == "object_id" and name == "admin:view_on_site":
                model = type(world["participant"])
            obj = a_object(world, model) if model is not None else None
            if obj is None:
                what = _model_label(model) if model is not None else "which model"
                return None, (f"{route!r} (name {name!r}): cannot fill <{kwarg}> ({what}); register a maker in "
                              "tests/isolation_registry.py MAKERS or the model in KWARG_MODELS")
            values[kwarg] = obj.pk
            shared.append(_model_label(model) in registry.SHARED_MODELS)
    from django.urls import reverse

    try:
        url = reverse(name, kwargs=values)
        if shared and all(shared):
            SHARED_URLS.add(url)
        return url, None
    except Exception as error:  # noqa: BLE001 - reported as a failure naming the route
        return None, f"{route!r} (name {name!r}): cannot build the URL with {values}: {error}"


SHARED_URLS: set = set()


def markers(world):
    return [world["participant"].email, world["participant"].family_name, world["study"].code, world["study"].title,
            *registry.MARKERS]


# The one page whose policy allows inline styles (Swagger UI sets them from its own script).
INLINE_STYLE_ALLOWED = {"api:docs"}
POLICY_PROBLEMS: list = []


def policy_checked(name, url, response):
    """Every page, refused or not, carries a Content-Security-Policy without inline code."""
    policy = response.get("Content-Security-Policy")
    is_html = response.get("Content-Type", "").startswith("text/html")
    if is_html and not policy:
        POLICY_PROBLEMS.append(f"{url}: an HTML answer ({response.status_code}) without a Content-Security-Policy")
    elif policy and "unsafe-inline" in policy and name not in INLINE_STYLE_ALLOWED:
        POLICY_PROBLEMS.append(f"{url}: the policy allows inline code: {policy}")
    return response


def _request(client, method, url, name=None):
    cache.clear()  # throttles must not answer for the view
    if method == "get":
        return policy_checked(name, url, client.get(url))
    return policy_checked(name, url, getattr(client, method)(url, data="{}", content_type="application/json"))


def test_no_role_reaches_study_a_through_any_route(world):
    POLICY_PROBLEMS.clear()
    by_role = clients(world)
    patterns = url_patterns()
    problems, leaks, server_errors = [], [], []
    tried = routes = 0
    id_routes, list_routes = [], []
    for route, pattern, name, kwargs in patterns:
        if "format" in kwargs:
            continue  # DRF's ".json" twin of a route tried without the suffix
        if not name and route.startswith("admin/"):
            continue  # the admin's unnamed redirects to the named change page, and its catch-all
        if not name:
            problems.append(f"{route!r}: give the URL pattern a name so the matrix can build it")
            continue
        object_kwargs = [k for k in kwargs if k not in registry.PLAIN_VALUES]
        url, problem = fill(route, pattern, name, kwargs, world)
        if problem:
            problems.append(problem)
            continue
        (id_routes if object_kwargs else list_routes).append((route, name, url))
    assert not problems, "\n".join(problems)

    before = snapshot(world)
    writes = Writes()
    seen_by_b = AuditEvent.objects.filter(study=world["study"], actor=world["owner_b"])

    def route_wrote(url, answered) -> None:
        """After one route's requests (rolled back next): what they wrote, and what B's owner saw."""
        detail = f" (answered: {', '.join(answered)})" if answered else ""
        if writes.tables:
            leaks.extend(f"{url}{detail}: {change}" for change in changes(before, snapshot(world), world))
        if seen_by_b.exists():
            leaks.append(f"{url}: B's owner was recorded viewing study A's data")

    for route, name, url in id_routes:
        routes += 1
        answered = []
        with undone(writes):
            for role, client in by_role.items():
                for method in METHODS:
                    if role == "viewer" and method not in WRITES:
                        continue
                    response = _request(client, method, url, name)
                    tried += 1
                    if response.status_code >= 500:
                        server_errors.append(f"{role} {method.upper()} {url}: {response.status_code}")
                    elif refused(role, method, url, response):
                        continue
                    elif method == "get" and url in SHARED_URLS and role == "coordinator_b":
                        continue  # reference data, readable by every signed-in user
                    elif role == "viewer":
                        # A viewer may read A; a write that answered must have written nothing (below).
                        answered.append(f"viewer {method.upper()} {response.status_code}")
                    else:
                        leaks.append(f"{role} {method.upper()} {url}: {response.status_code}")
            route_wrote(url, answered)

    # Lists: B's owner, the anonymous visitor and B's participant never see A's rows, even when
    # they ask for study A by id; writes naming A's ids are refused.
    naming_a = {"study": world["study"].pk, "participant": world["participant"].pk,
                "enrollment": world["enrollment"].pk}
    for route, name, url in list_routes:
        if url.startswith("/admin/") or name in ("logout", "api:docs", "set_language"):
            continue
        routes += 1
        with undone(writes):
            for role in ("coordinator_b", "anonymous", "participant_b"):
                client = by_role[role]
                # The schema describes the API, not data: asked once, not with each study filter.
                queries = [{}] if name == "api:schema" else [
                    {}, {"study": world["study"].pk}, {"participant": world["participant"].pk}]
                for query in queries:
                    cache.clear()
                    response = policy_checked(name, url, client.get(url, query))
                    tried += 1
                    if response.status_code >= 500:
                        server_errors.append(f"{role} GET {url} {query}: {response.status_code}")
                        continue
                    body = response.content.decode(errors="replace") if not response.streaming else ""
                    seen = [m for m in markers(world) if m in body]
                    if seen and response.status_code == 200:
                        leaks.append(f"{role} GET {url} {query}: shows {seen}")
                cache.clear()
                response = client.post(url, data=json.dumps(naming_a), content_type="application/json")
                tried += 1
                if response.status_code >= 500:
                    server_errors.append(f"{role} POST {url}: {response.status_code}")
            route_wrote(url, [])

    # Every route in the OpenAPI schema is one the matrix tried.
    schema = SchemaGenerator().get_schema(request=None, public=True)
    tried_names = {n for _, n, _ in id_routes + list_routes}
    untried = []
    for path in schema["paths"]:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
        qualified = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        if qualified not in tried_names:
            untried.append(path)
    assert not untried, f"schema routes the matrix did not try: {untried}"

    roles = len(by_role)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        f"isolation matrix: {routes} routes x {roles} roles, {tried} requests tried "
        f"({len(id_routes)} routes with study A's ids, {len(schema['paths'])} OpenAPI paths all covered), "
        f"{len(leaks)} leaks, {len(server_errors)} server errors\n"
    )
    assert not server_errors, "\n".join(server_errors)
    assert not leaks, "\n".join(leaks)
    assert not POLICY_PROBLEMS, "\n".join(dict.fromkeys(POLICY_PROBLEMS))
