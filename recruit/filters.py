"""The participant filters, shared by the coordinator pages and the API so both answer alike."""
import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from recruit.models import Enrollment, Gender, Participant, PracticeSetting, Role, Study
from recruit.pipeline import Status
from recruit.regions import region_choices
from recruit.selectors import studies_visible_to


CHECKBOXES = forms.CheckboxSelectMultiple


def _visible_studies(request):
    return studies_visible_to(request.user if request else None)


class SortFilter(django_filters.ChoiceFilter):
    """Sorts by a named key (prefix '-' to reverse); each key ends in a unique column for stable pages."""

    KEYS = {
        "name": ("family_name", "given_name", "id"),
        "age": ("-birth_year", "id"),
        "experience": ("-gp_start_year", "id"),
        "county": ("county__code", "family_name", "id"),
        "created": ("created_at", "id"),
    }
    LABELS = {
        "name": _("Name"), "age": _("Age"), "experience": _("Experience"),
        "county": _("County"), "created": _("Added"),
    }

    def __init__(self, *args, **kwargs):
        choices = []
        for key, label in self.LABELS.items():
            choices += [(key, label), (f"-{key}", _("%(key)s (descending)") % {"key": label})]
        super().__init__(*args, choices=choices, **kwargs)

    def filter(self, qs, value):
        reverse = value.startswith("-") if value else False
        columns = self.KEYS[(value or "name").lstrip("-")]
        if reverse:
            columns = tuple(c[1:] if c.startswith("-") else f"-{c}" for c in columns)
        return qs.order_by(*columns)


# The largest id a database integer column holds: a larger number is no id. SQLite and PostgreSQL
# fail on it (an overflow, not "nothing found"), so filters refuse it as a bad value first.
MAX_ID = 2**63 - 1


class IdChoiceField(django_filters.fields.ModelChoiceField):
    """A choice by id, refused as "not a valid choice" unless it is a whole number an id can be."""

    def to_python(self, value):
        if value not in self.empty_values:
            try:
                number = int(str(value))
            except ValueError:
                number = 0
            if not 0 < number <= MAX_ID:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.INT)
class StudyChoiceFilter(django_filters.ModelChoiceFilter):
    """A study id among the studies the user can see."""

    field_class = IdChoiceField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object's id as a plain whole number. Nothing is looked up, so the filter cannot tell apart
    objects that exist and objects the user cannot see: both just match no rows."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ParticipantFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    gender = django_filters.MultipleChoiceFilter(
        choices=Gender.choices, label=_("Gender"), widget=CHECKBOXES, distinct=False
    )
    age_min = django_filters.NumberFilter(method="filter_age_min", label=_("Age from"), min_value=0)
    age_max = django_filters.NumberFilter(method="filter_age_max", label=_("Age to"), min_value=0)
    experience_min = django_filters.NumberFilter(
        method="filter_experience_min", label=_("Experience from (years)"), min_value=0
    )
    experience_max = django_filters.NumberFilter(
        method="filter_experience_max", label=_("Experience to (years)"), min_value=0
    )
    county = django_filters.MultipleChoiceFilter(
        choices=region_choices, label=_("County"), widget=CHECKBOXES, distinct=False
    )
    practice_setting = django_filters.MultipleChoiceFilter(
        choices=PracticeSetting.choices, label=_("Setting"), widget=CHECKBOXES, distinct=False
    )
    role = django_filters.MultipleChoiceFilter(
        choices=Role.choices, label=_("Role"), widget=CHECKBOXES, distinct=False
    )
    is_specialist = django_filters.BooleanFilter(label=_("Specialist in general practice"))
    study = StudyChoiceFilter(
        queryset=_visible_studies, method="filter_study", label=_("Study")
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, method="filter_status", label=_("Status"), widget=CHECKBOXES, distinct=False
    )
    ordering = SortFilter(label=_("Sort by"), empty_label=None)

    class Meta:
        model = Participant
        fields = []

    # Building the form class from the filters costs more than the filtering itself, and it is
    # the same for every request but the study choices; so it is built once per class and each
    # form is given the requester's studies.
    def get_form_class(self):
        cls = type(self)
        if cls.__dict__.get("_form_class") is None:
            form_class = super().get_form_class()
            form_class.base_fields["study"].queryset = Study.objects.none()
            cls._form_class = form_class
        return cls._form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            super().form.fields["study"].queryset = _visible_studies(self.request)
        return self._form

    def filter_queryset(self, queryset):
        # Sorting applies even when no "ordering" was given, so pages are always stable.
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("ordering"):
            queryset = self.filters["ordering"].filter(queryset, "name")
        return queryset

    def filter_search(self, queryset, name, value):
        query = Q()
        for word in value.split()[:5]:
            query &= (
                Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(email__icontains=word)
                | Q(practice_name__icontains=word) | Q(municipality__icontains=word) | Q(hpr_number=word)
            )
        return queryset.filter(query)

    # Age and experience are whole years this year, so a range is a range of birth or start years.
    def filter_age_min(self, queryset, name, value):
        return queryset.filter(birth_year__lte=timezone.localdate().year - int(value))

    def filter_age_max(self, queryset, name, value):
        return queryset.filter(birth_year__gte=timezone.localdate().year - int(value))

    def filter_experience_min(self, queryset, name, value):
        return queryset.filter(gp_start_year__lte=timezone.localdate().year - int(value))

    def filter_experience_max(self, queryset, name, value):
        return queryset.filter(gp_start_year__gte=timezone.localdate().year - int(value))

    def filter_study(self, queryset, name, value):
        if self.form.cleaned_data.get("status"):
            return queryset  # filter_status narrows to this study's enrollments itself
        return queryset.filter(Exists(Enrollment.objects.filter(participant=OuterRef("pk"), study=value)))

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        study = self.form.cleaned_data.get("study")
        studies = [study.pk] if study else _visible_studies(self.request).values("pk")
        enrollments = Enrollment.objects.filter(participant=OuterRef("pk"), status__in=value, study__in=studies)
        return queryset.filter(Exists(enrollments))
