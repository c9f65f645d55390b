"""Balanced groups for a study: the bridge between the product and the balancing engine.

`grouping_propose` turns a study's enrollments and sessions into a `recruit.balancing.Problem` (each session is a
group at its time, with its free seats as the maximum size), runs the engine and maps the answer back to
enrollments and sessions. `grouping_evaluate` checks an assignment edited by hand, `grouping_repair` re-balances
after dropouts keeping current bookings, and `grouping_accept` saves an assignment as bookings through the booking
services (so seats are never overbooked and enrollments become scheduled), all in one transaction.

The engine's participant ids are "Name (#enrollment id)" and its group ids the sessions' titles and times, so its
explanations ("Kari Nordmann (#12) and … must be kept apart") read well to a coordinator.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recruit import balancing
from recruit.actors import Actor
from recruit.models import Booking, Enrollment, Session, Study
from recruit.pipeline import Status
from recruit.selectors import study_role
from recruit.services import bookings
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record

# name -> (engine type, label). The values are read by `_attribute_value`.
ATTRIBUTES: dict[str, tuple[str, object]] = {
    "age": ("numeric", gettext_lazy("Age")),
    "experience": ("numeric", gettext_lazy("Years in general practice")),
    "gender": ("categorical", gettext_lazy("Gender")),
    "county": ("categorical", gettext_lazy("County")),
    "region": ("categorical", gettext_lazy("Region")),
    "practice_setting": ("categorical", gettext_lazy("Practice setting")),
    "role": ("categorical", gettext_lazy("Role")),
    "specialist": ("categorical", gettext_lazy("Specialist")),
}
DEFAULT_ATTRIBUTES = {"age": 1.0, "experience": 1.0, "gender": 1.0, "county": 1.0, "practice_setting": 1.0}
DEFAULT_STATUSES = (Status.CONSENTED, Status.SCHEDULED)
# Statuses a group can be built from: the booking services refuse the others.
GROUPABLE_STATUSES = tuple(s for s in Status.values if s in bookings.BOOKABLE_STATUSES)
MAX_TIME_LIMIT = 60.0
DEFAULT_TIME_LIMIT = 5.0


@dataclass(frozen=True)
class GroupingOptions:
    """What the coordinator chose. Every entry point (page, API, command) fills one of these.

    session_ids None means every upcoming session of the study. min_size None means "as equal as possible":
    the pool divided by the number of groups, capped by each group's seats. pinned and cannot_link use
    enrollment and session ids; colleagues (same practice name) are kept apart when separate_colleagues.
    """

    statuses: tuple[str, ...] = DEFAULT_STATUSES
    session_ids: tuple[int, ...] | None = None
    min_size: int | None = None
    attributes: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ATTRIBUTES))
    separate_colleagues: bool = True
    cannot_link: tuple[tuple[int, int], ...] = ()
    pinned: dict[int, int] = field(default_factory=dict)
    allow_unassigned: bool = True
    seed: int = 0
    time_limit: float = DEFAULT_TIME_LIMIT
    reference_date: datetime.date | None = None


@dataclass
class ProposedGroup:
    session: Session
    members: list[Enrollment]
    min_size: int
    max_size: int
    report: balancing.GroupReport


@dataclass
class Unplaced:
    enrollment: Enrollment
    reasons: list[str]


@dataclass
class Proposal:
    """A solution in the product's terms: sessions with their enrollments, and the figures to judge it by."""

    study: Study
    options: GroupingOptions
    solution: balancing.Solution
    groups: list[ProposedGroup]
    unplaced: list[Unplaced]
    moved: list[Enrollment]
    pool: list[Enrollment]
    attributes: list[tuple[str, str, str, float]]  # name, label, type, weight
    pool_summary: dict[str, dict]  # per attribute: {"levels": [(level, share)]} or {"mean", "min", "max"}
    elsewhere: list[Enrollment] = field(default_factory=list)  # booked into sessions not chosen: left out

    @property
    def assignment(self) -> dict[int, int | None]:
        """enrollment id -> session id (None: unplaced)."""
        placed = {e.pk: g.session.pk for g in self.groups for e in g.members}
        return {e.pk: placed.get(e.pk) for e in self.pool}

    @property
    def index(self) -> float | None:
        return self.solution.index

    @property
    def violations(self) -> list[str]:
        return self.solution.violations


class GroupingInfeasible(ValidationError):
    """No assignment meets the rules; `reasons` pairs each explanation with the enrollments it concerns."""

    def __init__(self, reasons: list[tuple[str, list[Enrollment]]]):
        self.reasons = reasons
        super().__init__([message for message, _people in reasons], code="infeasible")


def normalised_practice(name: str) -> str | None:
    """Practice names as typed by people: case, accents' composition, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = re.sub(r"[^\w]+", " ", text).strip()
    return text or None


# --- building the problem ---------------------------------------------------------------------

@dataclass
class _Built:
    problem: balancing.Problem
    pool: list[Enrollment]
    sessions: list[Session]
    enrollment_of: dict[str, Enrollment]  # engine id -> enrollment
    label_of: dict[int, str]  # enrollment id -> engine id
    session_of: dict[str, Session]  # engine group id -> session
    group_of: dict[int, str]  # session id -> engine group id
    previous: dict[str, str]  # engine ids: current bookings in the chosen sessions
    sizes: dict[int, tuple[int, int]]  # session id -> (min, max)
    elsewhere: list[Enrollment]  # in the chosen statuses but booked into another upcoming session


def _attribute_value(name: str, participant, on: datetime.date):
    if name == "age":
        return participant.age(on)
    if name == "experience":
        return participant.experience(on)
    if name == "gender":
        return str(participant.get_gender_display()) if participant.gender else None
    if name == "county":
        return participant.county.name if participant.county_id else None
    if name == "region":
        return (participant.county.area or participant.county.name) if participant.county_id else None
    if name == "practice_setting":
        return str(participant.get_practice_setting_display()) if participant.practice_setting else None
    if name == "role":
        return str(participant.get_role_display()) if participant.role else None
    if name == "specialist":
        return str(_("Specialist") if participant.is_specialist else _("Not specialist"))
    raise KeyError(name)


def session_label(session: Session) -> str:
    when = timezone.localtime(session.starts_at)
    return f"{date_format(when, 'ABBR_WEEKDAY_MONTH_DAY_FORMAT')} {time_format(when)}"


def _availability(study, pool, sessions) -> dict[int, set[int]] | None:
    """enrollment id -> session ids they can attend, from the scheduling feature's polls when it has them."""
    try:
        from recruit.services.availability import availability_for
    except ImportError:
        return None
    known = availability_for(study)
    if not known:
        return None
    return {int(e): {int(s) for s in ids} for e, ids in known.items()}


def _check_options(study, options: GroupingOptions) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def refuse(field_name, message, code, **params):
        errors.setdefault(field_name, []).append(ValidationError(message, code=code, params=params or None))

    for status in options.statuses:
        if status not in GROUPABLE_STATUSES:
            refuse("statuses", _("Participants who are %(status)s cannot be placed in groups."), "bad_status",
                   status=str(Status(status).label).lower() if status in Status.values else status)
    if not options.statuses:
        refuse("statuses", _("Choose at least one status."), "no_status")
    for name, weight in options.attributes.items():
        if name not in ATTRIBUTES:
            refuse("attributes", _("%(attribute)s is not an attribute groups can be balanced on."), "bad_attribute",
                   attribute=name)
        elif not isinstance(weight, (int, float)) or weight < 0 or weight > 100:
            refuse("attributes", _("The weight of %(attribute)s must be a number from 0 to 100."), "bad_weight",
                   attribute=name)
    if options.min_size is not None and options.min_size < 0:
        refuse("min_size", _("The minimum group size cannot be negative."), "bad_min_size")
    if not 0 < options.time_limit <= MAX_TIME_LIMIT:
        refuse("time_limit", _("The time limit must be between 0 and %(max)s seconds."), "bad_time_limit",
               max=int(MAX_TIME_LIMIT))
    if options.seed < 0:
        refuse("seed", _("The seed must be a whole number of 0 or more."), "bad_seed")
    if errors:
        raise ValidationError(errors)


def _build(study: Study, options: GroupingOptions) -> _Built:
    _check_options(study, options)
    on = options.reference_date or timezone.localdate()
    upcoming = Session.objects.filter(study=study, starts_at__gt=timezone.now()).order_by("starts_at", "pk")
    if options.session_ids is None:
        sessions = list(upcoming)
    else:
        sessions = list(upcoming.filter(pk__in=options.session_ids))
        missing = set(options.session_ids) - {s.pk for s in sessions}
        if missing:
            raise ValidationError({"sessions": ValidationError(
                _("Choose upcoming sessions of this study (not: %(ids)s)."), code="bad_session",
                params={"ids": ", ".join(str(i) for i in sorted(missing))})})
    if not sessions:
        raise ValidationError({"sessions": ValidationError(
            _("This study has no upcoming sessions to fill; add sessions first."), code="no_sessions")})

    pool = list(
        Enrollment.objects.filter(study=study, status__in=options.statuses)
        .select_related("participant__county")
        .order_by("participant__family_name", "participant__given_name", "pk")
    )
    pool = [e for e in pool if not getattr(e.participant, "restricted", False)]
    # People already booked into another upcoming session of the study have their group; leave them be.
    elsewhere_ids = set(
        Booking.objects.filter(
            enrollment__in=[e.pk for e in pool], status=Booking.Status.BOOKED, session__study=study,
            session__starts_at__gt=timezone.now(),
        ).exclude(session__in=sessions).values_list("enrollment_id", flat=True)
    )
    elsewhere = [e for e in pool if e.pk in elsewhere_ids]
    pool = [e for e in pool if e.pk not in elsewhere_ids]
    pool_ids = {e.pk for e in pool}
    for enrollment_id, session_id in options.pinned.items():
        if enrollment_id not in pool_ids:
            raise ValidationError({"pinned": ValidationError(
                _("Only participants in the pool can be pinned (not enrollment %(id)s)."), code="bad_pin",
                params={"id": enrollment_id})})
        if session_id not in {s.pk for s in sessions}:
            raise ValidationError({"pinned": ValidationError(
                _("A participant can only be pinned to one of the chosen sessions."), code="bad_pin")})
    for pair in options.cannot_link:
        if len(pair) != 2 or not set(pair) <= pool_ids or pair[0] == pair[1]:
            raise ValidationError({"cannot_link": ValidationError(
                _("Each pair to keep apart must name two different participants in the pool."),
                code="bad_pair")})

    label_of = {e.pk: f"{e.participant.full_name} (#{e.pk})" for e in pool}
    enrollment_of = {label_of[e.pk]: e for e in pool}
    group_of: dict[int, str] = {}
    for session in sessions:
        name = f"{session.display_title}, {session_label(session)}"
        group_of[session.pk] = name if name not in group_of.values() else f"{name} (#{session.pk})"
    session_of = {group_of[s.pk]: s for s in sessions}

    # Seats held by people outside the pool stay theirs; the pool's own bookings are what the builder rearranges.
    active = list(
        Booking.objects.filter(session__in=sessions, status=Booking.Status.BOOKED)
        .values_list("session_id", "enrollment_id")
    )
    others = Counter(session_id for session_id, enrollment_id in active if enrollment_id not in pool_ids)
    previous = {
        label_of[enrollment_id]: group_of[session_id]
        for session_id, enrollment_id in active if enrollment_id in pool_ids
    }
    free = {s.pk: max(s.capacity - others[s.pk], 0) for s in sessions}
    if options.min_size is None:
        even = len(pool) // len(sessions) if sessions else 0
        sizes = {s.pk: (min(even, free[s.pk]), free[s.pk]) for s in sessions}
    else:
        too_small = [s for s in sessions if free[s.pk] < options.min_size]
        if too_small:
            raise ValidationError({"min_size": ValidationError(
                _("%(sessions)s cannot hold %(min)s participants (seats left: %(seats)s)."), code="min_above_seats",
                params={"sessions": ", ".join(group_of[s.pk] for s in too_small), "min": options.min_size,
                        "seats": ", ".join(str(free[s.pk]) for s in too_small)})})
        sizes = {s.pk: (options.min_size, free[s.pk]) for s in sessions}

    # Sessions made from a poll's times know who said yes (or if need be); the others are open to everyone, and
    # so is everyone who has not answered. A polled session's slot is its own name, so the engine's messages
    # ("… can only attend Focus group, Tue 1 Dec 18:00") name it.
    available = _availability(study, pool, sessions) or {}
    polled = {s for ids in available.values() for s in ids} & set(group_of)
    attributes = tuple(
        balancing.Attribute(name=name, type=ATTRIBUTES[name][0], weight=float(weight))
        for name, weight in options.attributes.items()
    )
    participants = []
    for e in pool:
        slots = None
        if polled and e.pk in available:
            slots = tuple(group_of[s] for s in sorted(available[e.pk] & polled))
        pinned = options.pinned.get(e.pk)
        participants.append(balancing.Participant(
            id=label_of[e.pk],
            values={name: _attribute_value(name, e.participant, on) for name, _w in options.attributes.items()},
            slots=slots,
            pinned=group_of[pinned] if pinned is not None else None,
        ))
    cannot_link = []
    if options.separate_colleagues:
        cannot_link += balancing.colleague_pairs(
            {label_of[e.pk]: normalised_practice(e.participant.practice_name) for e in pool}
        )
    cannot_link += [(label_of[a], label_of[b]) for a, b in options.cannot_link]
    problem = balancing.Problem(
        attributes=attributes,
        participants=tuple(participants),
        groups=tuple(
            balancing.Group(id=group_of[s.pk], min_size=sizes[s.pk][0], max_size=sizes[s.pk][1],
                            slot=group_of[s.pk] if s.pk in polled else None)
            for s in sessions
        ),
        cannot_link=tuple(dict.fromkeys(tuple(p) for p in cannot_link)),
        allow_unassigned=options.allow_unassigned,
        seed=options.seed,
        time_limit=float(options.time_limit),
    )
    return _Built(problem, pool, sessions, enrollment_of, label_of, session_of, group_of, previous, sizes, elsewhere)


def _run(built: _Built, engine_call):
    try:
        return engine_call()
    except balancing.Infeasible as error:
        raise GroupingInfeasible([
            (reason.message, [built.enrollment_of[pid] for pid in reason.participant_ids if pid in built.enrollment_of])
            for reason in error.reasons
        ]) from None
    except balancing.ProblemError as error:
        # Our own checks should have caught these; say what is wrong rather than fail.
        raise ValidationError(error.messages, code="bad_problem") from None


def _unplaced_reasons(built: _Built, solution: balancing.Solution) -> dict[str, list[str]]:
    sizes = {g.id: g.size for g in solution.groups}
    maxima = {g.id: g.max_size for g in built.problem.groups}
    slots = {g.id: g.slot for g in built.problem.groups}
    seats = sum(maxima.values())
    out: dict[str, list[str]] = {}
    for participant in built.problem.participants:
        if participant.id not in solution.unassigned:
            continue
        reasons = []
        possible = [g for g in maxima if participant.slots is None or slots[g] is None or slots[g] in participant.slots]
        if not possible:
            reasons.append(_("They can attend none of the chosen sessions."))
        elif all(sizes[g] >= maxima[g] for g in possible):
            reasons.append(_("Every session they can attend is full."))
        if len(built.problem.participants) > seats:
            reasons.append(_(
                "There are %(seats)s seats for %(people)s participants; leaving these out kept the groups "
                "closest to the whole pool."
            ) % {"seats": seats, "people": len(built.problem.participants)})
        out[participant.id] = reasons or [_("Placing them would break a rule or unbalance the groups.")]
    return out


def _proposal(study, options, built: _Built, solution: balancing.Solution) -> Proposal:
    reports = {g.id: g for g in solution.groups}
    groups = [
        ProposedGroup(
            session=session,
            members=[built.enrollment_of[pid] for pid in reports[built.group_of[session.pk]].members],
            min_size=built.sizes[session.pk][0],
            max_size=built.sizes[session.pk][1],
            report=reports[built.group_of[session.pk]],
        )
        for session in built.sessions
    ]
    why = _unplaced_reasons(built, solution)
    unplaced = [Unplaced(built.enrollment_of[pid], why.get(pid, [])) for pid in solution.unassigned]
    attributes = [(a.name, str(ATTRIBUTES[a.name][1]), a.type, a.weight) for a in built.problem.attributes]
    summary: dict[str, dict] = {}
    n = len(built.problem.participants)
    for name, _label, kind, _weight in attributes:
        values = [p.values.get(name) for p in built.problem.participants]
        if kind == "numeric":
            known = [float(v) for v in values if v is not None]
            summary[name] = {
                "mean": sum(known) / len(known) if known else None,
                "min": min(known) if known else None,
                "max": max(known) if known else None,
            }
        else:
            counts = Counter(values)
            summary[name] = {"levels": [(level, counts[level] / n) for level in counts] if n else []}
    return Proposal(
        study=study, options=options, solution=solution, groups=groups, unplaced=unplaced,
        moved=[built.enrollment_of[pid] for pid in solution.moved if pid in built.enrollment_of],
        pool=built.pool, attributes=attributes, pool_summary=summary, elsewhere=built.elsewhere,
    )


def _require_member(actor: Actor, study) -> None:
    if not actor.trusted and study_role(actor.user, study) is None:
        raise PermissionDenied(_("You are not a member of study %(code)s.") % {"code": study.code})


def grouping_propose(*, actor: Actor, study: Study, options: GroupingOptions) -> Proposal:
    """Balanced groups for the chosen pool and sessions (nothing is saved). Raises GroupingInfeasible."""
    _require_member(actor, study)
    built = _build(study, options)
    solution = _run(built, lambda: balancing.solve(built.problem))
    audit_record(actor=actor, action="groups.propose", study=study,
                 detail={"pool": len(built.pool), "sessions": [s.pk for s in built.sessions]})
    return _proposal(study, options, built, solution)


def grouping_repair(*, actor: Actor, study: Study, options: GroupingOptions) -> Proposal:
    """Re-balance around the current bookings, moving as few booked participants as the rules allow."""
    _require_member(actor, study)
    built = _build(study, options)
    solution = _run(built, lambda: balancing.repair(built.problem, built.previous))
    audit_record(actor=actor, action="groups.repair", study=study,
                 detail={"pool": len(built.pool), "moved": len(solution.moved)})
    return _proposal(study, options, built, solution)


def grouping_evaluate(
    *, actor: Actor, study: Study, options: GroupingOptions, assignment: dict[int, int | None]
) -> Proposal:
    """Figures and broken rules of an assignment (enrollment id -> session id or None) made by hand."""
    _require_member(actor, study)
    built = _build(study, options)
    unknown_people = set(assignment) - set(built.label_of)
    unknown_sessions = {s for s in assignment.values() if s is not None} - set(built.group_of)
    if unknown_people or unknown_sessions:
        raise ValidationError({"assignment": ValidationError(
            _("The assignment names participants or sessions outside the chosen pool and sessions."),
            code="bad_assignment")})
    engine_assignment = {
        built.label_of[e]: (built.group_of[s] if s is not None else None) for e, s in assignment.items()
    }
    solution = _run(built, lambda: balancing.evaluate(built.problem, engine_assignment))
    moved = [pid for pid, group in built.previous.items() if engine_assignment.get(pid) != group]
    solution = _replace_moved(solution, moved)
    return _proposal(study, options, built, solution)


def _replace_moved(solution, moved):
    from dataclasses import replace
    return replace(solution, moved=moved)


@dataclass
class AcceptResult:
    booked: int = 0
    moved: int = 0
    cancelled: int = 0
    kept: int = 0


def grouping_accept(
    *, actor: Actor, study: Study, options: GroupingOptions, assignment: dict[int, int | None]
) -> AcceptResult:
    """Save an assignment as bookings, in one transaction: nothing is written unless all of it is.

    The assignment is checked first (every rule the engine knows); pool members booked into a chosen session
    are moved, newcomers are booked (their enrollment becomes scheduled), and pool members the assignment
    leaves out lose their place in the chosen sessions.
    """
    require_study_editor(actor, study)
    proposal = grouping_evaluate(actor=actor, study=study, options=options, assignment=assignment)
    if proposal.violations:
        raise ValidationError({"assignment": [ValidationError(v, code="rule_broken") for v in proposal.violations]})
    sessions = {g.session.pk: g.session for g in proposal.groups}
    enrollments = {e.pk: e for e in proposal.pool}
    result = AcceptResult()
    with transaction.atomic():
        current = {
            b.enrollment_id: b for b in Booking.objects.filter(
                session__in=list(sessions), enrollment__in=list(enrollments), status=Booking.Status.BOOKED,
            ).select_related("session__study", "enrollment__study")
        }
        # Free seats first (people leaving), then moves that have room, then new bookings; a ring of moves
        # between full sessions is broken by cancelling and booking again.
        for enrollment_id, booking in current.items():
            if assignment.get(enrollment_id) is None:
                bookings.booking_cancel(actor=actor, booking=booking, reason=_("Groups rebuilt"))
                result.cancelled += 1
        pending = {
            enrollment_id: booking for enrollment_id, booking in current.items()
            if assignment.get(enrollment_id) is not None and assignment[enrollment_id] != booking.session_id
        }
        result.kept = sum(
            1 for enrollment_id, booking in current.items() if assignment.get(enrollment_id) == booking.session_id
        )
        rebook: list[int] = []
        while pending:
            progress = False
            for enrollment_id, booking in list(pending.items()):
                target = sessions[assignment[enrollment_id]]
                target.refresh_from_db(fields=["booked"])
                if target.booked < target.capacity:
                    bookings.booking_move(actor=actor, booking=booking, session=target,
                                          source=Booking.Source.GROUP_BUILDER)
                    del pending[enrollment_id]
                    result.moved += 1
                    progress = True
            if not progress:
                # Everyone left waits for a full session: free one seat, book that person again afterwards.
                enrollment_id, booking = next(iter(pending.items()))
                bookings.booking_cancel(actor=actor, booking=booking, reason=_("Groups rebuilt"))
                del pending[enrollment_id]
                rebook.append(enrollment_id)
                result.moved += 1
        for enrollment_id in rebook:
            enrollments[enrollment_id].refresh_from_db()
            bookings.booking_create(actor=actor, session=sessions[assignment[enrollment_id]],
                                    enrollment=enrollments[enrollment_id], source=Booking.Source.GROUP_BUILDER)
        for enrollment_id, session_id in assignment.items():
            if session_id is None or enrollment_id in current:
                continue
            bookings.booking_create(actor=actor, session=sessions[session_id], enrollment=enrollments[enrollment_id],
                                    source=Booking.Source.GROUP_BUILDER)
            result.booked += 1
        audit_record(actor=actor, action="groups.accept", study=study,
                     detail={"booked": result.booked, "moved": result.moved, "cancelled": result.cancelled,
                             "index": proposal.index})
    return result


def _plain(value):
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


def proposal_to_dict(proposal: Proposal) -> dict:
    """The JSON form the API and the command print: enrollments and sessions by id, with names."""
    solution = proposal.solution

    def person(enrollment: Enrollment) -> dict:
        return {"enrollment": enrollment.pk, "participant": enrollment.participant_id,
                "name": enrollment.participant.full_name}

    return {
        "index": solution.index,
        "ssb": solution.ssb,
        "sst": solution.sst,
        "optimal": solution.optimal,
        "lower_bound": solution.lower_bound,
        "seconds": round(solution.seconds, 3),
        "attributes": [{"name": n, "label": label, "type": t, "weight": w} for n, label, t, w in proposal.attributes],
        "assignment": {str(k): v for k, v in proposal.assignment.items()},
        "groups": [
            {
                "session": g.session.pk,
                "title": g.session.display_title,
                "starts_at": g.session.starts_at.isoformat(),
                "min_size": g.min_size,
                "max_size": g.max_size,
                "size": len(g.members),
                "members": [person(e) for e in g.members],
                "composition": {
                    "categorical": {
                        name: [{"level": _plain(c.level), "count": c.count, "expected": round(c.expected, 3)}
                               for c in counts]
                        for name, counts in g.report.categorical.items()
                    },
                    "numeric": {
                        name: {"mean": s.mean, "min": s.min, "max": s.max, "pool_mean": s.pool_mean}
                        for name, s in g.report.numeric.items()
                    },
                    "largest_deviations": [d.text for d in g.report.deviations],
                },
            }
            for g in proposal.groups
        ],
        "unplaced": [{**person(u.enrollment), "reasons": list(u.reasons)} for u in proposal.unplaced],
        "moved": [person(e) for e in proposal.moved],
        "violations": list(solution.violations),
        "booked_elsewhere": [person(e) for e in proposal.elsewhere],
    }
