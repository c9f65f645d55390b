import pytest
from django.core.management import call_command

from .conftest import api_for

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    for path in ["/api/v1/participants/", "/api/v1/enrollments/{id}/transition/", "/api/v1/memberships/"]:
        assert path in schema
    for parameter in ["age_min", "experience_max", "county", "practice_setting", "ordering"]:
        assert f"name: {parameter}" in schema


def test_the_schema_and_docs_are_served(coordinator_a):
    api = api_for(coordinator_a)
    assert api.get("/api/schema/").status_code == 200
    docs = api.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()


def test_token_authentication_works(coordinator_a, participant_a):
    from rest_framework.test import APIClient

    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "coordinator_a", "password": "pw-123456789"})
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/participants/").json()["count"] == 1
