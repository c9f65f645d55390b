"""API fuzzing: schemathesis generates requests from the drf-spectacular schema and checks every answer.

Each operation of the OpenAPI schema is called through the Django WSGI application, as study A's owner
with a token, with valid and invalid data, on study A's real objects and on ids that do not exist.
Checks: no server error, the response matches the schema, authentication is not ignored. A stateful
run follows the links schemathesis infers between operations (create, then read, change, delete) and
adds the use-after-free and resource-availability checks.

The number of examples per operation is fixed and the generation derandomised, so CI runs the same
cases every time. Each test writes its counts to var/fuzz/ ; bench/fuzz.py prints the total.
"""
import contextlib
import functools
import json
import re
import types
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    ensure_resource_availability,
    ignored_auth,
    response_schema_conformance,
    use_after_free,
)

from . import isolation_registry as registry

pytestmark = pytest.mark.django_db

EXAMPLES = 20  # per operation
STATEFUL_EXAMPLES = 40
STATEFUL_STEPS = 8
CHECKS = [not_a_server_error, response_schema_conformance, ignored_auth]
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]
REPORT = Path(__file__).resolve().parent.parent / "var" / "fuzz"
APP = WSGIHandler()

SCHEMA = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
SCHEMA.app = APP  # requests go straight to Django's WSGI handler, in the test's transaction
OWNER_TOKEN: dict = {}


@SCHEMA.auth(refresh_interval=None)
class OwnerToken:
    """Study A's owner's API token (made by the fuzz_world fixture), sent as DRF's TokenAuthentication reads it."""

    def get(self, case, context):
        return OWNER_TOKEN["key"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


OPERATIONS = {operation.label: operation for operation in (result.ok() for result in SCHEMA.get_all_operations())}


@contextlib.contextmanager
def connection_kept():
    """Django closes the database connection at the start and end of a request when it is inside a
    transaction (PostgreSQL); the test client stops that, and so must calls to the bare WSGI handler,
    or the first request would end the test's transaction."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """Study A with one object of every kind the API names, owned by the fuzzing user.

    Made once for the module, in a transaction rolled back at its end: each test (and each case,
    see call()) runs in a savepoint inside it, so every case meets the same objects."""
    with django_db_blocker.unblock(), transaction.atomic(), connection_kept():
        world = registry.world_create()
        for label in registry.MAKERS:
            registry.a_object(world, registry.apps.get_model(label))
        OWNER_TOKEN["key"] = Token.objects.create(user=world["owner"]).key
        yield world
        transaction.set_rollback(True)


def path_ids(operation, world) -> dict:
    """Study A's ids for the operation's path parameters, found the way the isolation matrix finds them."""
    names = [parameter.name for parameter in operation.path_parameters]
    if not names:
        return {}
    placeholders = {name: 900_001 + i for i, name in enumerate(names)}
    match = resolve(operation.path.format(**placeholders))
    pattern = types.SimpleNamespace(callback=match.func)
    ids = {}
    for name, placeholder in placeholders.items():
        kwarg = next(k for k, v in match.kwargs.items() if str(v) == str(placeholder))
        model = registry.kwarg_model(match.route, pattern, match.view_name, kwarg)
        assert model is not None, f"{operation.label}: which model is <{name}>? Add it to tests/isolation_registry.py"
        ids[name] = registry.a_object(world, model).pk
    return ids


# Body fields that name other objects: random numbers almost never do, so a quarter of the valid
# bodies name study A's objects instead, and the requests reach the services behind validation.
REFERENCES = {
    "study": "recruit.study", "enrollment": "recruit.enrollment", "participant": "recruit.participant",
    "session": "recruit.session", "document": "recruit.consentdocument", "county": "recruit.region",
    "sessions": ["recruit.session"], "enrollments": ["recruit.enrollment"],
}


def referring_to(world, case):
    if isinstance(case.body, dict) and REFERENCES.keys() & case.body.keys():
        body = dict(case.body)
        for name, label in REFERENCES.items():
            if name in body:
                if isinstance(label, list):
                    body[name] = [registry.a_object(world, registry.apps.get_model(label[0])).pk]
                else:
                    body[name] = registry.a_object(world, registry.apps.get_model(label)).pk
        case.body = body
    return case


def strategy(operation, world):
    """Valid and invalid requests, on study A's objects and on random (mostly unknown) ids."""
    ids = path_ids(operation, world) or None
    options = [operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ids),
               operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=ids)]
    if ids:
        options.append(operation.as_strategy(GenerationMode.POSITIVE))
    if operation.body:
        options.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ids).map(
            functools.partial(referring_to, world)))
    return st.one_of(options)


def call(case) -> int:
    """Send one case and check the answer (FailureGroup if a check fails); its writes are rolled back."""
    cache.clear()  # throttles count in the cache; they are tested in test_throttling.py
    point = transaction.savepoint()
    try:
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        return response.status_code
    finally:
        transaction.savepoint_rollback(point)


def record(name: str, statuses: list[int], failures: list[str]) -> None:
    """var/fuzz/<name>.json: cases generated, how many were answered 2xx, failures (read by bench/fuzz.py)."""
    REPORT.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    answered = sum(200 <= status < 300 for status in statuses)
    (REPORT / f"{slug}.json").write_text(json.dumps(
        {"name": name, "cases": len(statuses), "answered_2xx": answered, "failures": len(failures)}))
    print(f"{name}: {len(statuses)} cases ({answered} answered 2xx), {len(failures)} failures")


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_answers_every_request_as_its_schema_says(label, fuzz_world):
    operation = OPERATIONS[label]
    statuses, failures = [], []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy(operation, fuzz_world))
    def run(case):
        try:
            statuses.append(call(case))
        except FailureGroup as failure:
            statuses.append(0)
            failures.append(str(failure))

    run()
    record(label, statuses, failures)
    assert not failures, "\n".join(failures[:3])


def test_linked_operations_keep_their_promises(fuzz_world):
    """Sequences along the links schemathesis infers (a list's ids to the detail, a created object to its
    reads, changes and deletion): besides the checks above, a deleted object is gone (use after free) and
    a created one can be read (resource availability). Each sequence's writes are rolled back."""
    statuses, failures = [], []

    class Workflow(SCHEMA.as_state_machine()):
        def setup(self):
            self.point = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.point)

        def before_call(self, case):
            cache.clear()

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            statuses.append(response.status_code)
            try:
                case.validate_response(response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs or None,
                                       recorder=self.recorder)
            except FailureGroup as failure:
                failures.append(str(failure))

    Workflow.run(settings=settings(
        max_examples=STATEFUL_EXAMPLES, stateful_step_count=STATEFUL_STEPS, derandomize=True, database=None,
        deadline=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    ))
    record("stateful: linked operations", statuses, failures)
    assert statuses, "the state machine made no calls"
    assert not failures, "\n".join(failures[:3])
