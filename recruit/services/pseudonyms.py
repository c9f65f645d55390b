"""Pseudonymised demographics: study codes, k-anonymous quasi-identifiers, the key.

The export never holds names, e-mail, phone, HPR number, practice, municipality, exact birth
year or free text: it is built only from the code and the generalised columns chosen here.
"""
import csv
import io
import random
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.anonymise.bands import Band, bands_from_edges
from recruit.anonymise.kanon import STAR, CannotAnonymise, Hierarchy, Solution, anonymise
from recruit.anonymise.table1 import DEFAULT_K, MIN_K
from recruit.models import Enrollment, Gender, Participant, PracticeSetting, Pseudonym, Role, Study
from recruit.services.access import require_study_editor, require_study_owner
from recruit.services.audit import audit_record
from recruit.services.table1 import DEFAULT_STATUSES, checked_k, cohort, reference_year, withdrawn_count

PREFIXES = {Role.GP: "GP", Role.CHIEF_MEDICAL_OFFICER: "CMO", Role.OTHER: "P"}
CHUNK = 2000
# At most this share of participants may have their quasi-identifiers suppressed.
MAX_SUPPRESSION = 0.05


def quasi_identifiers() -> dict[str, str]:
    """The columns an export may hold, in their order."""
    return {
        "gender": _("Gender"),
        "age": _("Age"),
        "experience": _("Years in general practice"),
        "county": _("County"),
        "setting": _("Practice setting"),
        "specialist": _("Specialist in general practice"),
        "role": _("Role"),
    }


DEFAULT_QUASI_IDENTIFIERS = ("gender", "age", "experience", "county", "setting")


def _bands_label(edges):
    bands = bands_from_edges(edges)

    def label(value):
        if value is None:
            return _("Not recorded")
        for band in bands:
            if band.contains(value):
                return band.label
        return bands[-1].label

    return label


def _width(width: int, start: int, stop: int):
    return _bands_label(range(start, stop + 1, width))


def hierarchies(names) -> list[Hierarchy]:
    genders = dict(Gender.choices)
    settings = dict(PracticeSetting.choices)
    roles = dict(Role.choices)
    other_gender = _("Other or not stated")
    rural = _("Semi-urban or rural")
    not_recorded = _("Not recorded")
    every = {
        "gender": Hierarchy("gender", [
            lambda g: str(genders.get(g, g)),
            lambda g: str(genders[g]) if g in (Gender.FEMALE, Gender.MALE) else other_gender,
        ], [_("gender"), _("female, male, other")]),
        "age": Hierarchy("age", [_width(5, 30, 70), _width(10, 30, 70), _width(20, 40, 60)],
                         [_("5-year bands"), _("10-year bands"), _("20-year bands")]),
        "experience": Hierarchy("experience", [
            _width(5, 0, 30), _bands_label((0, 5, 10, 20)), _bands_label((0, 10)),
        ], [_("5-year bands"), _("0–4, 5–9, 10–19, 20+"), _("0–9, 10+")]),
        "county": Hierarchy("county", [
            lambda c: c[0] or not_recorded, lambda c: c[1] or not_recorded,
        ], [_("county"), _("region")]),
        "setting": Hierarchy("setting", [
            lambda s: str(settings.get(s, not_recorded)) if s else not_recorded,
            lambda s: (str(settings[s]) if s == PracticeSetting.URBAN else rural) if s else not_recorded,
        ], [_("setting"), _("urban or not")]),
        "specialist": Hierarchy("specialist", [lambda s: _("Yes") if s else _("No")], [_("yes or no")]),
        "role": Hierarchy("role", [lambda r: str(roles.get(r, r))], [_("role")]),
    }
    return [every[name] for name in names]


@dataclass
class Plan:
    study: Study
    names: list[str]
    hierarchies: list[Hierarchy]
    solution: Solution
    statuses: tuple
    # Set where the protocol counts withdrawals: how many withdrew (left out of the rows all the same).
    withdrawn: int | None = None

    def report(self) -> dict:
        levels = []
        labels = quasi_identifiers()
        for h in self.hierarchies:
            level = self.solution.levels[h.name]
            levels.append({
                "column": h.name,
                "label": labels[h.name],
                "level": level,
                "shown_as": str(h.level_names[level]) if level < h.height else _("hidden (*)"),
            })
        return {
            "k": self.solution.k,
            "achieved_k": self.solution.achieved_k,
            "participants": self.solution.population,
            "suppressed_rows": self.solution.suppressed,
            "suppressed_cells": self.solution.suppressed * len(self.hierarchies),
            "classes": self.solution.classes,
            "generalisations": levels,
            "withdrawn_left_out": self.withdrawn,
        }


def _raw(names, year, gender, birth_year, start, county, area, setting, specialist, role):
    values = {
        "gender": gender,
        "age": year - birth_year,
        "experience": None if start is None else max(0, year - start),
        "county": (county or "", area or ""),
        "setting": setting,
        "specialist": specialist,
        "role": role,
    }
    return tuple(values[name] for name in names)


FIELDS = (
    "participant__gender", "participant__birth_year", "participant__gp_start_year", "participant__county__name",
    "participant__county__area", "participant__practice_setting", "participant__is_specialist", "participant__role",
)


def check_choice(*, names, k) -> tuple[list[str], int]:
    errors = {}
    allowed = quasi_identifiers()
    unknown = set(names) - set(allowed)
    names = [name for name in allowed if name in set(names)]
    if unknown:
        errors["columns"] = ValidationError(_("Unknown column."), code="column")
    k = checked_k(k, errors)
    if errors:
        raise ValidationError(errors)
    return names, k


def pseudonymised_plan(*, actor: Actor, study: Study, names=DEFAULT_QUASI_IDENTIFIERS, k=DEFAULT_K,
                       statuses=DEFAULT_STATUSES, count_withdrawn=False) -> Plan:
    """The generalisation that makes the chosen columns k-anonymous; ValidationError if none can."""
    require_study_editor(actor, study)
    names, k = check_choice(names=names, k=k)
    year = reference_year(study)
    rows = cohort(study, statuses).values_list(*FIELDS).order_by()
    raw = [_raw(names, year, *row) for row in rows.iterator(chunk_size=CHUNK)]
    chosen = hierarchies(names)
    try:
        solution = anonymise(raw, chosen, k, max_suppression=MAX_SUPPRESSION)
    except CannotAnonymise as error:
        raise ValidationError(
            _(
                "These %(n)s participants cannot be made %(k)s-anonymous: a group of at least %(k)s is needed "
                "even with every column hidden. Lower k (not below %(min)s) or wait for more participants."
            ) % {"n": error.population, "k": k, "min": MIN_K},
            code="k_unreachable",
        ) from None
    return Plan(study=study, names=names, hierarchies=chosen, solution=solution, statuses=tuple(statuses),
                withdrawn=withdrawn_count(study) if count_withdrawn else None)


@transaction.atomic
def pseudonyms_assign(*, study: Study, participant_ids) -> int:
    """Give every listed participant without a code in this study a new one; returns how many.

    New numbers are dealt in random order after the highest used, per prefix.
    """
    Study.objects.select_for_update().filter(pk=study.pk).first()  # one assigner per study at a time
    have = set(Pseudonym.objects.filter(study=study, participant_id__isnull=False).values_list("participant_id", flat=True))
    missing = [pid for pid in participant_ids if pid not in have]
    if not missing:
        return 0
    roles = dict(Participant.objects.filter(enrollments__study=study).values_list("pk", "role"))
    by_prefix: dict[str, list[int]] = {}
    for pid in missing:
        by_prefix.setdefault(PREFIXES.get(roles.get(pid), "P"), []).append(pid)
    shuffle = random.SystemRandom().shuffle
    created = []
    for prefix, ids in by_prefix.items():
        start = Pseudonym.objects.filter(study=study, prefix=prefix).aggregate(m=Max("number"))["m"] or 0
        shuffle(ids)
        width = max(2, len(str(start + len(ids))))
        for offset, pid in enumerate(ids, start=1):
            number = start + offset
            created.append(Pseudonym(study=study, participant_id=pid, prefix=prefix, number=number,
                                     code=f"{prefix}{number:0{width}d}"))
    Pseudonym.objects.bulk_create(created, batch_size=CHUNK)
    return len(created)


def _csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def pseudonymised_csv(*, actor: Actor, plan: Plan):
    """Lines of the pseudonymised CSV, generated row by row; the export is audited up front."""
    study = plan.study
    ids = list(cohort(study, plan.statuses).values_list("participant_id", flat=True))
    pseudonyms_assign(study=study, participant_ids=ids)
    audit_record(
        actor=actor, action="pseudonymised.export", study=study,
        detail={"columns": plan.names, "statuses": list(plan.statuses), **_audit_report(plan)},
    )
    return _lines(plan)


def _audit_report(plan: Plan) -> dict:
    report = plan.report()
    return {
        "k": report["k"], "achieved_k": report["achieved_k"], "n": report["participants"],
        "suppressed_rows": report["suppressed_rows"],
        "levels": {g["column"]: g["level"] for g in report["generalisations"]},
    }


def _lines(plan: Plan):
    study = plan.study
    year = reference_year(study)
    labels = quasi_identifiers()
    yield "\ufeff" + _csv_line([_("code")] + [labels[name] for name in plan.names])
    # Rows in code order: the order of enrollment or of the registry would be a clue.
    rows = (
        Pseudonym.objects.filter(study=study, participant__in=cohort(study, plan.statuses).values("participant_id"))
        .order_by("prefix", "number")
        .values_list("code", *FIELDS)
    )
    # A few hundred rows per piece: small enough to stream, large enough not to pay per row.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, (code, *values) in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
        writer.writerow([code, *plan.solution.generalise(plan.hierarchies, _raw(plan.names, year, *values))])
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def pseudonym_key_csv(*, actor: Actor, study: Study) -> bytes:
    """The key from codes to participants: study owners only, audited. Personal data."""
    require_study_owner(actor, study)
    rows = (
        Pseudonym.objects.filter(study=study, participant__isnull=False)
        .order_by("prefix", "number")
        .values_list("code", "participant_id", "participant__given_name", "participant__family_name",
                     "participant__email", "participant__hpr_number")
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("code"), _("participant id"), _("given name"), _("family name"), _("e-mail"), _("HPR number")])
    count = 0
    for row in rows.iterator(chunk_size=CHUNK):
        writer.writerow(row)
        count += 1
    audit_record(actor=actor, action="pseudonym_key.export", study=study, detail={"codes": count})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
