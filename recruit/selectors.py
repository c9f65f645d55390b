"""Reads. Every view, get_queryset(), admin page and export starts from these, so a user
only ever reaches the studies they are a member of and the people in them."""
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from recruit.models import AuditEvent, Enrollment, Membership, Participant, Study

EDIT_ROLES = (Membership.Role.OWNER, Membership.Role.COORDINATOR)


def studies_visible_to(user) -> QuerySet[Study]:
    if not user or not user.is_authenticated:
        return Study.objects.none()
    if user.is_superuser:
        return Study.objects.all()
    return Study.objects.filter(memberships__user=user)


def studies_editable_by(user) -> QuerySet[Study]:
    if not user or not user.is_authenticated:
        return Study.objects.none()
    if user.is_superuser:
        return Study.objects.all()
    return Study.objects.filter(memberships__user=user, memberships__role__in=EDIT_ROLES)


def studies_owned_by(user) -> QuerySet[Study]:
    if not user or not user.is_authenticated:
        return Study.objects.none()
    if user.is_superuser:
        return Study.objects.all()
    return Study.objects.filter(memberships__user=user, memberships__role=Membership.Role.OWNER)


def study_role(user, study) -> str | None:
    """The user's role in the study; superusers act as owners."""
    if not user or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Membership.Role.OWNER
    return Membership.objects.filter(user=user, study=study).values_list("role", flat=True).first()


def _in_studies(studies: QuerySet[Study]) -> Q:
    """Participants enrolled in, or added through, one of the studies (subqueries, no join)."""
    study_ids = studies.values("pk")
    enrolled = Exists(Enrollment.objects.filter(participant=OuterRef("pk"), study__in=study_ids))
    return Q(enrolled) | Q(source_study__in=study_ids)


def participants_visible_to(user) -> QuerySet[Participant]:
    if not user or not user.is_authenticated:
        return Participant.objects.none()
    if user.is_superuser:
        return Participant.objects.all()
    return Participant.objects.filter(_in_studies(studies_visible_to(user)))


def participants_editable_by(user) -> QuerySet[Participant]:
    if not user or not user.is_authenticated:
        return Participant.objects.none()
    if user.is_superuser:
        return Participant.objects.all()
    return Participant.objects.filter(_in_studies(studies_editable_by(user)))


def enrollments_visible_to(user) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(study__in=studies_visible_to(user).values("pk"))


def _visible_enrollment_rows(user) -> QuerySet[Enrollment]:
    """The user's studies' enrollments with what participant pages show of them, by study code."""
    return (
        enrollments_visible_to(user).select_related("study")
        .only("id", "participant_id", "status", "status_changed_at", "study__id", "study__code", "study__title")
        .order_by("study__code")
    )


def visible_enrollments_prefetch(user) -> Prefetch:
    """Prefetch a participant's enrollments in the user's studies only, as .visible_enrollments."""
    return Prefetch("enrollments", queryset=_visible_enrollment_rows(user), to_attr="visible_enrollments")


def attach_visible_enrollments(participants, user) -> None:
    """Set .visible_enrollments as visible_enrollments_prefetch does, in one plain query.

    For pages of lists, where the prefetch machinery costs more than the query itself.
    """
    found = {participant.pk: [] for participant in participants}
    for enrollment in _visible_enrollment_rows(user).filter(participant_id__in=list(found)):
        found[enrollment.participant_id].append(enrollment)
    for participant in participants:
        participant.visible_enrollments = found[participant.pk]


def memberships_visible_to(user) -> QuerySet[Membership]:
    return Membership.objects.filter(study__in=studies_visible_to(user).values("pk"))


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """Study owners read their studies' audit events; superusers read all."""
    if not user or not user.is_authenticated:
        return AuditEvent.objects.none()
    if user.is_superuser:
        return AuditEvent.objects.all()
    return AuditEvent.objects.filter(study__in=studies_owned_by(user).values("pk"))


def status_counts(studies: QuerySet[Study]) -> dict[int, dict[str, int]]:
    """{study id: {status: count}} for the studies, in one query."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        Enrollment.objects.filter(study__in=studies.values("pk"))
        .values("study_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["study_id"], {})[row["status"]] = row["n"]
    return counts


def audit_events_for_study(study: Study) -> QuerySet[AuditEvent]:
    """One study's audit events, newest first; callers check that the user owns the study."""
    return AuditEvent.objects.filter(study=study).order_by("-at", "-id")
