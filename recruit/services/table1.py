"""Table 1 for a study: reads the cohort, runs the anonymise engine, audits every export.

Withdrawn and restricted participants are never counted.
"""
import json
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recruit.actors import Actor
from recruit.anonymise.charts import Chart, box_plots, stacked_bars, to_drawing, to_svg
from recruit.anonymise.bands import bands_from_edges, bands_of_width, parse_edges
from recruit.anonymise.table1 import DEFAULT_K, MIN_K, Table1, Texts, Variable, build_table1
from recruit.anonymise.table1_files import CONTENT_TYPES, RENDERERS
from recruit.models import Booking, Enrollment, Gender, PracticeSetting, Role, ScreeningQuestion, Session, Study
from recruit.pipeline import Status
from recruit.selectors import study_role
from recruit.services.audit import audit_record

GROUPINGS = ("session", "kind", "status", "role", "none")
DEFAULT_EXPERIENCE_EDGES = (0, 5, 10, 20)
DEFAULT_AGE_WIDTH = 10
# Who is described by default: everyone enrolled who has not withdrawn or been screened out.
DEFAULT_STATUSES = tuple(s for s in Status.values if s not in (Status.WITHDRAWN, Status.INELIGIBLE))
REPORTABLE_STATUSES = tuple(s for s in Status.values if s != Status.WITHDRAWN)
UNLISTED = "__unlisted__"


@dataclass(frozen=True)
class Table1Options:
    k: int = DEFAULT_K
    group_by: str = "status"
    age_width: int = DEFAULT_AGE_WIDTH
    experience_edges: tuple[int, ...] = DEFAULT_EXPERIENCE_EDGES
    statuses: tuple[str, ...] = field(default=DEFAULT_STATUSES)
    # Where the protocol says so, how many withdrew is stated (a number only; they are never described).
    count_withdrawn: bool = False

    def as_detail(self) -> dict:
        return {
            "k": self.k, "group_by": self.group_by, "age_width": self.age_width,
            "experience_edges": list(self.experience_edges), "statuses": list(self.statuses),
            "count_withdrawn": self.count_withdrawn,
        }


def checked_k(k, errors: dict):
    """k as an int, or the field error in errors: every export shares the one threshold rule."""
    try:
        k = int(k)
        if k < MIN_K:
            raise ValueError
    except (TypeError, ValueError):
        errors["k"] = ValidationError(
            _("The threshold k must be a whole number of at least %(min)s.") % {"min": MIN_K}, code="k_too_small"
        )
    return k


def table1_options(
    *, k=DEFAULT_K, group_by="status", age_width=DEFAULT_AGE_WIDTH, experience_edges=DEFAULT_EXPERIENCE_EDGES,
    statuses=DEFAULT_STATUSES, count_withdrawn=False,
) -> Table1Options:
    """Checked options; raises ValidationError with field errors a coordinator understands."""
    errors = {}
    k = checked_k(k, errors)
    if group_by not in groupings():
        errors["group_by"] = ValidationError(_("Unknown grouping %(value)s.") % {"value": group_by}, code="grouping")
    try:
        age_width = int(age_width)
        if not 1 <= age_width <= 40:
            raise ValueError
    except (TypeError, ValueError):
        errors["age_width"] = ValidationError(_("The age band width must be 1–40 years."), code="age_width")
    try:
        if isinstance(experience_edges, str):
            experience_edges = parse_edges(experience_edges)
        experience_edges = tuple(int(edge) for edge in experience_edges)
        if list(experience_edges) != sorted(set(experience_edges)) or not experience_edges or experience_edges[0] < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["experience_edges"] = ValidationError(
            _("Give the experience bands' lower ends as increasing whole numbers, e.g. 0, 5, 10, 20."),
            code="experience_edges",
        )
    statuses = tuple(statuses)
    unknown = [s for s in statuses if s not in REPORTABLE_STATUSES]
    if unknown or not statuses:
        errors["statuses"] = ValidationError(
            _("Choose one or more statuses; withdrawn participants are never included."), code="statuses"
        )
    if errors:
        raise ValidationError(errors)
    return Table1Options(k=k, group_by=group_by, age_width=age_width, experience_edges=experience_edges,
                         statuses=statuses, count_withdrawn=bool(count_withdrawn))


def groupings() -> dict[str, str]:
    return {
        "session": _("Session (focus group, interview)"),
        "kind": _("Kind of session (focus groups, telephone interviews, …)"),
        "status": _("Recruitment status"), "role": _("Role"),
        "none": _("No groups (whole cohort)"),
    }


def default_grouping(study: Study) -> str:
    """By session once the study has sessions, by recruitment status before."""
    return "session" if Session.objects.filter(study=study).exists() else "status"


def require_study_member(actor: Actor, study: Study) -> None:
    if actor.trusted:
        return
    if study_role(actor.user, study) is None:
        raise PermissionDenied(_("You are not a member of study %(code)s.") % {"code": study.code})


def cohort(study: Study, statuses) -> "QuerySet":
    """The enrollments a Table 1 or an export describes: never withdrawn, never restricted."""
    return (
        Enrollment.objects.filter(study=study, status__in=statuses)
        .exclude(status=Status.WITHDRAWN)
        .exclude(participant__restricted=True)
    )


def withdrawn_count(study: Study) -> int:
    """How many withdrew, for reports whose protocol counts them (they are described nowhere)."""
    return Enrollment.objects.filter(study=study, status=Status.WITHDRAWN).count()


def withdrawn_note(study: Study) -> str:
    n = withdrawn_count(study)
    return ngettext(
        "Not described: %(n)s participant who withdrew (counted only).",
        "Not described: %(n)s participants who withdrew (counted only).", n,
    ) % {"n": n}


def reference_year(study: Study) -> int:
    """Ages and experience are given as of the study's start (or today, before a start is set)."""
    return (study.start_date or timezone.localdate()).year


def texts() -> Texts:
    return Texts(
        all_label=_("All"),
        n_label=_("n"),
        median_label=_("Median (IQR)"),
        missing_label=_("Not recorded"),
        other_label=_("Other"),
        legend=_(
            "{small} means fewer than {k} participants; {mark} means hidden so that such a count cannot be "
            "recomputed from the totals (where a characteristic shows no {small}, it may be under {k} itself). "
            "Percentages are of the column's n. Ranges (min–max) are not shown."
        ),
        merged=_("{variable}: {bands} merged into {band} (fewer than {k} in a band)."),
        pooled=_("{variable}: {categories} pooled into “{label}” (fewer than {k} each)."),
        suppressed=_("{variable}: {count} cells hidden ({primary} with fewer than {k}, {complementary} to protect them)."),
        summary_hidden=_("{variable}: median (IQR) not shown for {groups} (fewer than {k} values)."),
        small_groups=_("{groups}: fewer than {k} participants, so only the group's size is shown."),
        several=_("{variable}: participants could choose several options, so the percentages do not add up to 100."),
    )


def _plain(choices) -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in choices]


def variables(options: Table1Options) -> list[Variable]:
    return [
        Variable("gender", _("Gender"), "nominal", categories=_plain(Gender.choices)),
        Variable("age", _("Age"), "numeric", bands=bands_of_width(options.age_width), unit=_("years")),
        Variable(
            "experience", _("Years in general practice"), "numeric",
            bands=bands_from_edges(options.experience_edges),
        ),
        Variable(
            "specialist", _("Specialist in general practice"), "nominal",
            categories=[("yes", _("Yes")), ("no", _("No"))], keep_empty=True,
        ),
        Variable("setting", _("Practice setting"), "ordered", categories=_plain(PracticeSetting.choices)),
        Variable("region", _("Region"), "nominal", categories=[]),
        Variable("role", _("Role"), "nominal", categories=_plain(Role.choices)),
    ]


# Question kinds Table 1 can summarise; free text never (it may name anyone).
REPORTABLE_KINDS = {
    ScreeningQuestion.Kind.YES_NO: "nominal",
    ScreeningQuestion.Kind.SINGLE: "nominal",
    ScreeningQuestion.Kind.MULTIPLE: "several",
    ScreeningQuestion.Kind.NUMBER: "number",
}


def reportable_questions(study: Study) -> list[ScreeningQuestion]:
    """The study's screening questions marked reportable, in questionnaire order (never free text)."""
    return list(study.screening_questions.filter(is_reportable=True, kind__in=list(REPORTABLE_KINDS)))


def question_variable(question: ScreeningQuestion) -> Variable:
    """A reportable question as a Table 1 characteristic, labelled in the reader's language."""
    language = get_language() or "nb"
    label = question.text_en if language.startswith("en") else question.text_nb
    kind = REPORTABLE_KINDS[question.kind]
    if question.kind == ScreeningQuestion.Kind.YES_NO:
        return Variable(f"q.{question.key}", label, kind, categories=[("yes", _("Yes")), ("no", _("No"))],
                        keep_empty=True)
    categories = [(o["value"], question.option_label(o["value"], language)) for o in question.options]
    # Several answers: every option keeps its row, so "nobody chose it" reads as 0 rather than missing.
    return Variable(f"q.{question.key}", label, kind, categories=categories,
                    keep_empty=question.kind == ScreeningQuestion.Kind.MULTIPLE)


def answer_value(question: ScreeningQuestion, answers: dict | None):
    """The stored answer as the engine takes it (None: not recorded), whatever the channel stored."""
    value = (answers or {}).get(question.key)
    kind = question.kind
    if value is None or value == "" or kind == ScreeningQuestion.Kind.TEXT:
        return None
    if kind == ScreeningQuestion.Kind.YES_NO:
        if value in (True, "yes", "true"):
            return "yes"
        return "no" if value in (False, "no", "false") else None
    if kind == ScreeningQuestion.Kind.SINGLE:
        return value if isinstance(value, str) else None
    if kind == ScreeningQuestion.Kind.MULTIPLE:
        if isinstance(value, str):
            value = [value]
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _columns(study: Study, options: Table1Options, questions=()):
    """Plain columnar data for the engine, in one query over the cohort.

    The query's rows are read with a plain cursor and turned into columns whole: the ORM's per-row
    conversions cost more than the rest of Table 1 for a cohort of 100,000.
    """
    year = reference_year(study)
    fields = [
        "pk", "status", "participant__gender", "participant__birth_year", "participant__gp_start_year",
        "participant__is_specialist", "participant__practice_setting", "participant__county__area",
        "participant__role",
    ]
    if questions:
        fields.append("screening_response__answers")
    query = cohort(study, options.statuses).values_list(*fields).order_by()
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    columns = list(zip(*rows)) if rows else [()] * len(fields)
    enrollment_ids, statuses, gender, birth_year, start, specialist, setting, area, role = columns[:9]
    data = {
        "gender": list(gender),
        "age": [year - born for born in birth_year],
        "experience": [None if began is None else max(0, year - began) for began in start],
        "specialist": ["yes" if value else "no" for value in specialist],
        "setting": list(setting),
        "region": list(area),
        "role": list(role),
    }
    if questions:
        # A JSON column arrives as text from either database's plain cursor.
        answers = [json.loads(value) if isinstance(value, str) else value for value in columns[9]]
        for question in questions:
            data[f"q.{question.key}"] = [answer_value(question, given) for given in answers]
    return data, list(statuses), list(enrollment_ids)


def _sessions(study: Study, enrollment_ids: list[int]):
    """(groups, group_of, partition) by booked session; people in no session form their own group."""
    sessions = list(Session.objects.filter(study=study).order_by("starts_at", "pk"))
    places = (
        Booking.objects.filter(session__study=study, status=Booking.Status.BOOKED)
        .values_list("enrollment_id", "session_id").order_by("session__starts_at", "session_id")
    )
    groups = [
        (str(s.pk), f"{s.display_title} {timezone.localtime(s.starts_at):%d.%m.%Y}") for s in sessions
    ] + [("none", _("Not in a session"))]
    return (groups, *_booked_groups(((e, str(s)) for e, s in places), enrollment_ids))


def _session_kinds(study: Study, enrollment_ids: list[int]):
    """(groups, group_of, partition) by the kind of session booked: all focus groups together, all telephone
    interviews together; someone booked into two kinds is in both columns."""
    order = {kind: index for index, kind in enumerate(Session.Kind.values)}
    places = sorted(
        Booking.objects.filter(session__study=study, status=Booking.Status.BOOKED)
        .values_list("enrollment_id", "session__kind").order_by(),
        key=lambda place: (place[0], order.get(place[1], len(order))),
    )
    groups = [(kind.value, kind.label) for kind in Session.Kind] + [("none", _("Not in a session"))]
    return (groups, *_booked_groups(places, enrollment_ids))


def _booked_groups(places, enrollment_ids: list[int]):
    """(group_of, partition) from (enrollment, group key) pairs of booked places, in the columns' order;
    several keys make a tuple (the groups then overlap), none the "none" group."""
    booked: dict[int, list[str]] = {}
    for enrollment_id, key in places:
        keys = booked.setdefault(enrollment_id, [])
        if key not in keys:
            keys.append(key)
    group_of = []
    partition = True
    for enrollment_id in enrollment_ids:
        keys = booked.get(enrollment_id)
        if not keys:
            group_of.append("none")
        elif len(keys) == 1:
            group_of.append(keys[0])
        else:
            group_of.append(tuple(keys))
            partition = False
    return group_of, partition


def table1_build(*, actor: Actor, study: Study, options: Table1Options) -> Table1:
    """Table 1 of a study (no audit: callers that show or send it record the event)."""
    require_study_member(actor, study)
    questions = reportable_questions(study)
    data, statuses, enrollment_ids = _columns(study, options, questions)
    specs = variables(options)
    regions = sorted({area for area in data["region"] if area})
    for spec in specs:
        if spec.key == "region":
            spec.categories = [(area, area) for area in regions]
    for question in questions:
        spec = question_variable(question)
        if spec.kind == "nominal":
            # An answer to an option since removed (or given before the question changed kind) still
            # counts, but never under what was stored: that could be someone's own words.
            known = {key for key, _label in spec.categories}
            column = data[spec.key]
            if any(v is not None and v not in known for v in column):
                data[spec.key] = [v if v is None or v in known else UNLISTED for v in column]
                spec.categories = [*spec.categories, (UNLISTED, _("No longer an option"))]
        specs.append(spec)
    partition = True
    if options.group_by == "session":
        groups, group_of, partition = _sessions(study, enrollment_ids)
    elif options.group_by == "kind":
        groups, group_of, partition = _session_kinds(study, enrollment_ids)
    elif options.group_by == "status":
        groups = [(s.value, s.label) for s in Status if s.value in options.statuses]
        group_of = statuses
    elif options.group_by == "role":
        groups = list(Role.choices)
        group_of = data["role"]
    else:
        groups, group_of = [], [None] * len(statuses)
    used = {key for entry in set(group_of) for key in (entry if isinstance(entry, tuple) else (entry,))}
    groups = [(key, str(label)) for key, label in groups if key in used]
    table = build_table1(
        data=data, group_of=group_of, groups=groups, variables=specs, k=options.k, partition=partition,
        texts=texts(),
    )
    if options.count_withdrawn:
        table.notes.append(withdrawn_note(study))
    return table


def table1_title(study: Study) -> str:
    return _("Table 1. Characteristics of participants, %(code)s") % {"code": study.code}


def table1_view(*, actor: Actor, study: Study, options: Table1Options) -> Table1:
    """Table 1 shown on the study's page; the viewing is audited like any export."""
    table = table1_build(actor=actor, study=study, options=options)
    audit_record(actor=actor, action="table1.view", study=study, detail={**options.as_detail(), "n": table.columns[0].n})
    return table


def table1_export(*, actor: Actor, study: Study, options: Table1Options, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of Table 1 in one of FORMATS; audited."""
    if fmt not in RENDERERS:
        raise ValidationError({"format": ValidationError(_("Unknown format %(fmt)s.") % {"fmt": fmt}, code="format")})
    table = table1_build(actor=actor, study=study, options=options)
    extra = {}
    if fmt == "pdf":
        extra["subtitle"] = study.title
        extra["drawings"] = [to_drawing(chart) for chart in table1_charts(table)]
    content = RENDERERS[fmt](table, title=table1_title(study), characteristic=_("Characteristic"), **extra)
    audit_record(
        actor=actor, action="table1.export", study=study,
        detail={**options.as_detail(), "format": fmt, "n": table.columns[0].n},
    )
    return content, CONTENT_TYPES[fmt], f"{study.code}-table1.{fmt}"


def table1_charts(table: Table1) -> list[Chart]:
    """Each column's composition against the whole cohort, from the protected table only."""
    hidden = _("hidden")
    charts = [
        stacked_bars(table, "gender", _("Gender"), hidden),
        box_plots(table, "age", _("Age, years: median and interquartile range"), (25, 75), hidden),
        box_plots(table, "experience", _("Years in general practice: median and interquartile range"), (0, 40), hidden),
        stacked_bars(table, "setting", _("Practice setting"), hidden),
        stacked_bars(table, "region", _("Region"), hidden),
        stacked_bars(table, "specialist", _("Specialist in general practice"), hidden),
        stacked_bars(table, "role", _("Role"), hidden),
    ]
    return [chart for chart in charts if chart is not None]


def composition_svgs(*, actor: Actor, study: Study) -> list[str]:
    """The study page's composition charts (default options), as SVG markup.

    Built from the protected Table 1 like the downloads; shown to members only, so not audited
    as an export.
    """
    options = Table1Options(group_by=default_grouping(study))
    table = table1_build(actor=actor, study=study, options=options)
    if table.columns[0].n == 0:
        return []
    return [to_svg(chart) for chart in table1_charts(table)]
