import django_filters
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend

from recruit.filters import IdFilter, ParticipantFilter, StudyChoiceFilter
from recruit.models import Enrollment, Membership, Study
from recruit.selectors import studies_visible_to

__all__ = ["EnrollmentFilter", "FilterBackend", "FilterSet", "MembershipFilter", "ParticipantFilter", "StudyFilter"]


class FilterSet(django_filters.FilterSet):
    """The base of the API's filtersets, also for `filterset_fields`: a foreign key is filtered by a plain
    id (IdFilter), not looked up, so a filter neither reveals which ids exist nor fails on huge numbers."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
    }


class FilterBackend(DjangoFilterBackend):
    filterset_base = FilterSet


def _visible_studies(request):
    return studies_visible_to(request.user if request else None)


class StudyFilter(FilterSet):
    class Meta:
        model = Study
        fields = ["status", "code"]


class MembershipFilter(FilterSet):
    study = StudyChoiceFilter(queryset=_visible_studies)

    class Meta:
        model = Membership
        fields = ["study", "role"]


class EnrollmentFilter(FilterSet):
    study = StudyChoiceFilter(queryset=_visible_studies)
    status = django_filters.MultipleChoiceFilter(choices=Enrollment.Status.choices)
    # A plain number, so the filter cannot tell apart participants that exist and ones you cannot see.
    participant = IdFilter(field_name="participant_id")

    class Meta:
        model = Enrollment
        fields = ["study", "status", "participant"]
