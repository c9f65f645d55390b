from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from recruit.actors import Actor
from recruit.models import Study
from recruit.services.grouping import (
    ATTRIBUTES, DEFAULT_STATUSES, DEFAULT_TIME_LIMIT, GroupingInfeasible, GroupingOptions, grouping_accept,
    grouping_propose, grouping_repair,
)


def _attributes(text: str) -> dict[str, float]:
    """"age,gender:2" -> {"age": 1.0, "gender": 2.0}."""
    chosen = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _sep, weight = item.partition(":")
        if name not in ATTRIBUTES:
            raise CommandError(f"Unknown attribute {name!r}; choose from {', '.join(ATTRIBUTES)}.")
        try:
            chosen[name] = float(weight) if weight else 1.0
        except ValueError:
            raise CommandError(f"The weight of {name!r} must be a number, not {weight!r}.") from None
    return chosen


class Command(BaseCommand):
    help = "Propose balanced groups for a study's sessions (and save them as bookings with --save)."

    def add_arguments(self, parser):
        parser.add_argument("study_code")
        parser.add_argument("--status", action="append", dest="statuses",
                            help=f"enrollment status to include (repeatable; default {', '.join(DEFAULT_STATUSES)})")
        parser.add_argument("--sessions", help="comma-separated session ids (default: every upcoming session)")
        parser.add_argument("--attributes", help="comma-separated name[:weight] "
                            f"(from {', '.join(ATTRIBUTES)}; default age, experience, gender, county, practice_setting)")
        parser.add_argument("--min-size", type=int, help="smallest group (default: as equal as possible)")
        parser.add_argument("--no-waitlist", action="store_true", help="fail rather than leave anyone out")
        parser.add_argument("--keep-colleagues", action="store_true",
                            help="allow colleagues from one practice in the same group")
        parser.add_argument("--repair", action="store_true", help="keep current bookings, moving as few as possible")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
        parser.add_argument("--save", action="store_true", help="book the proposal (enrollments become scheduled)")

    def handle(self, *args, study_code, statuses, sessions, attributes, min_size, no_waitlist, keep_colleagues,
               repair, seed, time_limit, save, **options):
        study = Study.objects.filter(code=study_code.strip().upper()).first()
        if study is None:
            raise CommandError(f"No study with the code {study_code!r}.")
        try:
            session_ids = tuple(int(s) for s in sessions.split(",") if s.strip()) if sessions else None
        except ValueError:
            raise CommandError("--sessions takes session ids separated by commas, e.g. 3,4,7.") from None
        kwargs = {}
        if attributes:
            kwargs["attributes"] = _attributes(attributes)
        grouping = GroupingOptions(
            statuses=tuple(statuses or DEFAULT_STATUSES), session_ids=session_ids, min_size=min_size,
            separate_colleagues=not keep_colleagues, allow_unassigned=not no_waitlist, seed=seed,
            time_limit=time_limit, **kwargs,
        )
        actor = Actor.system("build_groups")
        try:
            run = grouping_repair if repair else grouping_propose
            proposal = run(actor=actor, study=study, options=grouping)
            self._print(proposal)
            if save:
                result = grouping_accept(actor=actor, study=study, options=grouping, assignment=proposal.assignment)
                self.stdout.write(self.style.SUCCESS(
                    f"Saved: {result.booked} booked, {result.moved} moved, {result.cancelled} cancelled, "
                    f"{result.kept} kept."
                ))
        except GroupingInfeasible as error:
            raise CommandError("No groups meet the rules:\n" + "\n".join(f"- {m}" for m, _p in error.reasons))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))

    def _print(self, proposal):
        index = proposal.index
        self.stdout.write(
            f"Balance index {index:.3f} (0 = identical groups, 1 = a random split)" if index is not None
            else "Balance index: undefined (fewer than two groups with members)"
        )
        self.stdout.write(f"{'Proven optimal' if proposal.solution.optimal else 'Best found'} "
                          f"in {proposal.solution.seconds:.1f} s.")
        for group in proposal.groups:
            session = group.session
            self.stdout.write("")
            self.stdout.write(f"{session} (#{session.pk}): {len(group.members)} of {group.min_size}–{group.max_size}")
            for enrollment in group.members:
                self.stdout.write(f"  {enrollment.participant.full_name} (#{enrollment.pk})")
            for deviation in group.report.deviations:
                self.stdout.write(f"  ~ {deviation.text}")
        if proposal.unplaced:
            self.stdout.write("")
            self.stdout.write("Not placed:")
            for item in proposal.unplaced:
                self.stdout.write(f"  {item.enrollment.participant.full_name} (#{item.enrollment.pk}): "
                                  + " ".join(item.reasons))
        if proposal.moved:
            self.stdout.write("")
            self.stdout.write("Moved from their current session: "
                              + ", ".join(e.participant.full_name for e in proposal.moved))
