"""The sampling frame: quotas a coordinator sets, their fill counted in one aggregate query,
and suggestions from the registry for the cells still short."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from recruit import sampling
from recruit.actors import Actor
from recruit.models import Enrollment, Participant, SamplingQuota
from recruit.selectors import participants_editable_by
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record

SUGGESTIONS = 5


def quota_save(*, actor: Actor, study, label: str, criteria: dict, target: int, target_is_percent: bool = False,
               quota: SamplingQuota | None = None) -> SamplingQuota:
    require_study_editor(actor, study)
    if not isinstance(criteria, dict):
        raise ValidationError({"criteria": ValidationError(
            _("Give the attributes as an object, e.g. {\"gender\": \"female\"}."), code="bad_criteria")})
    criteria = {name: value for name, value in criteria.items() if value not in ("", None)}
    problems = sampling.check_criteria(criteria)
    if target_is_percent and target > 100:
        problems.append(_("A percentage cannot be above 100."))
    if problems:
        raise ValidationError({"criteria": [ValidationError(p, code="bad_criteria") for p in problems]})
    quota = quota or SamplingQuota(study=study)
    quota.label, quota.criteria, quota.target, quota.target_is_percent = label, criteria, target, target_is_percent
    quota.full_clean()
    with transaction.atomic():
        quota.save()
        audit_record(actor=actor, action="sampling_quota.save", obj=quota, study=study,
                     detail={"criteria": criteria, "target": target, "percent": target_is_percent})
    return quota


def quota_delete(*, actor: Actor, quota: SamplingQuota) -> None:
    require_study_editor(actor, quota.study)
    with transaction.atomic():
        audit_record(actor=actor, action="sampling_quota.delete", obj=quota, study=quota.study)
        quota.delete()


PERSON_FIELDS = {
    "participant__gender": "gender", "participant__practice_setting": "practice_setting",
    "participant__role": "role", "participant__county__code": "county",
    "participant__is_specialist": "is_specialist", "participant__birth_year": "birth_year",
    "participant__gp_start_year": "gp_start_year",
}


def sampling_frame(study) -> list[sampling.Cell]:
    """Each quota's target and its invited, eligible, consented and scheduled counts.

    One aggregate query groups the study's enrollments by the attributes quotas test and by
    status; matching groups to cells happens in recruit.sampling.
    """
    quotas = [(q.pk, q.label, q.criteria, q.target, q.target_is_percent) for q in study.sampling_quotas.all()]
    rows = (Enrollment.objects.filter(study=study).values(*PERSON_FIELDS, "status")
            .annotate(n=Count("id")).order_by())
    groups = [({PERSON_FIELDS[k]: v for k, v in row.items() if k in PERSON_FIELDS}, row["status"], row["n"])
              for row in rows]
    return sampling.fill(quotas, groups, timezone.localdate().year)


def criteria_q(criteria: dict) -> Q:
    year = timezone.localdate().year
    q = Q()
    for name, value in criteria.items():
        if name == "age_min":
            q &= Q(birth_year__lte=year - value)
        elif name == "age_max":
            q &= Q(birth_year__gte=year - value)
        elif name == "experience_min":
            q &= Q(gp_start_year__lte=year - value)
        elif name == "experience_max":
            q &= Q(gp_start_year__gte=year - value)
        elif name == "county":
            q &= Q(county__code=value)
        else:
            q &= Q(**{name: value})
    return q


def _candidates(*, actor: Actor, study):
    """People who could be invited: not in the study yet, not do-not-contact (nor restricted), and
    visible to the coordinator."""
    base = Participant.objects.all() if actor.trusted else participants_editable_by(actor.user)
    people = base.filter(do_not_contact=False).exclude(
        Exists(Enrollment.objects.filter(study=study, participant=OuterRef("pk"))))
    if any(f.name == "restricted" for f in Participant._meta.get_fields()):
        people = people.filter(restricted=False)
    return people


def suggestions(*, actor: Actor, study, cell: sampling.Cell, limit: int = SUGGESTIONS):
    """People in the registry who fit the cell and could be invited; longest-serving registry entries first."""
    return suggestions_for_cells(actor=actor, study=study, cells=[cell], limit=limit)[cell.quota_id]


def suggestions_for_cells(*, actor: Actor, study, cells: list[sampling.Cell], limit: int = SUGGESTIONS) -> dict:
    """{quota id: suggestions} for several cells in one query, however many cells there are.

    Each cell adds two columns: whether the person fits it, and their place among those who fit
    (a window over the registry, oldest entries first); a row comes back when it is among the
    first `limit` of any cell.
    """
    found: dict[int, list] = {cell.quota_id: [] for cell in cells}
    if not cells:
        return found
    people = _candidates(actor=actor, study=study)
    wanted = Q()
    for i, cell in enumerate(cells):
        fits = Case(When(criteria_q(cell.criteria), then=Value(True)), default=Value(False),
                    output_field=BooleanField())
        people = people.annotate(**{
            f"fits_{i}": fits,
            f"place_{i}": Window(RowNumber(), partition_by=[fits], order_by=[F("created_at"), F("id")]),
        })
        wanted |= Q(**{f"fits_{i}": True, f"place_{i}__lte": limit})
    for person in people.filter(wanted).order_by("created_at", "id").only("id", "given_name", "family_name"):
        for i, cell in enumerate(cells):
            if getattr(person, f"fits_{i}") and getattr(person, f"place_{i}") <= limit:
                found[cell.quota_id].append(person)
    return found
