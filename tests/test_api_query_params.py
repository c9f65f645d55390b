"""Ordering and filter parameters are limited to fields each endpoint lists, so no one can sort
or filter by a column the API does not show (an oracle for hidden values, e.g. a password hash)."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter

from recruit.models import Membership

from .conftest import api_for, make_user


def api_view_classes():
    found = {}

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                if view is not None and hasattr(view, "filter_backends"):
                    found[f"{view.__module__}.{view.__name__}"] = view

    walk(get_resolver().url_patterns)
    return found


VIEWS = api_view_classes()


def test_the_api_views_are_found():
    assert "api.views.participants.ParticipantViewSet" in VIEWS


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_ordering_is_limited_to_listed_fields(name):
    view = VIEWS[name]
    if any(issubclass(backend, OrderingFilter) for backend in view.filter_backends):
        fields = getattr(view, "ordering_fields", None)
        assert isinstance(fields, (list, tuple)) and "__all__" not in fields, (
            f"{name} sorts with OrderingFilter: list the sortable fields in ordering_fields"
        )


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_filters_are_limited_to_listed_fields(name):
    view = VIEWS[name]
    if any(issubclass(backend, DjangoFilterBackend) for backend in view.filter_backends):
        filterset_class = getattr(view, "filterset_class", None)
        fields = getattr(view, "filterset_fields", None)
        if filterset_class is not None:
            fields = filterset_class._meta.fields
        assert fields != "__all__", f"{name}: list the filterable fields instead of '__all__'"


@pytest.mark.django_db
def test_sorting_by_an_unlisted_field_is_ignored(study_a, coordinator_a):
    for name in ("zed", "amy"):
        Membership.objects.create(study=study_a, user=make_user(name), role=Membership.Role.VIEWER)
    api = api_for(coordinator_a)
    default = [m["id"] for m in api.get("/api/v1/memberships/").json()["results"]]
    by_password = [m["id"] for m in api.get("/api/v1/memberships/?ordering=user__password").json()["results"]]
    by_name = [m["id"] for m in api.get("/api/v1/memberships/?ordering=-user__username").json()["results"]]
    assert by_password == default and by_name == default


@pytest.mark.django_db
def test_an_id_filter_refuses_a_number_no_id_can_be(study_a, coordinator_a):
    # Found by fuzzing: a number beyond the database's integer answered 500 (an overflow) before.
    api = api_for(coordinator_a)
    for url in ("/api/v1/bookings/?session=%d" % 2**80, "/api/v1/campaigns/?study=%d" % 2**80,
                "/api/v1/enrollments/?study=%d" % 2**80, "/api/v1/enrollments/?participant=1.5"):
        response = api.get(url)
        assert response.status_code == 400, (url, response.status_code)
        assert set(response.json()) <= {"session", "study", "participant"}


@pytest.mark.django_db
def test_filtering_by_another_studys_id_tells_nothing_about_it(study_a, study_b, coordinator_a):
    """The id of study B (which exists) and an id no study has get the same answer: nothing."""
    api = api_for(coordinator_a)
    unknown = study_b.pk + 1000
    for path in ("/api/v1/campaigns/", "/api/v1/messages/", "/api/v1/sampling-quotas/", "/api/v1/imports/",
                 "/api/v1/screening-questions/", "/api/v1/consent-documents/"):
        seen = [api.get(path, {"study": pk}) for pk in (study_b.pk, unknown)]
        assert [r.status_code for r in seen] == [200, 200], path
        assert seen[0].json()["results"] == seen[1].json()["results"] == [], path
