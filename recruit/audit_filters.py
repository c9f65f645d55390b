"""Filters for a study's audit log, shared by its page and its CSV export."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from recruit.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(
        label=_("Action"), lookup_expr="startswith", help_text=_("e.g. participant or participant.view")
    )
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="iexact", label=_("User"))
    object_type = django_filters.CharFilter(label=_("Object type"))
    object_id = django_filters.CharFilter(label=_("Object id"))
    since = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = []
