import django_filters

from recruit.filters import ParticipantFilter
from recruit.models import Enrollment, Membership, Study
from recruit.selectors import studies_visible_to

__all__ = ["EnrollmentFilter", "MembershipFilter", "ParticipantFilter", "StudyFilter"]


def _visible_studies(request):
    return studies_visible_to(request.user if request else None)


class StudyFilter(django_filters.FilterSet):
    class Meta:
        model = Study
        fields = ["status", "code"]


class MembershipFilter(django_filters.FilterSet):
    study = django_filters.ModelChoiceFilter(queryset=_visible_studies)

    class Meta:
        model = Membership
        fields = ["study", "role"]


class EnrollmentFilter(django_filters.FilterSet):
    study = django_filters.ModelChoiceFilter(queryset=_visible_studies)
    status = django_filters.MultipleChoiceFilter(choices=Enrollment.Status.choices)
    # A plain number, so the filter cannot tell apart participants that exist and ones you cannot see.
    participant = django_filters.NumberFilter(field_name="participant_id")

    class Meta:
        model = Enrollment
        fields = ["study", "status", "participant"]
