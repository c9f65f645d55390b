"""Reads for the recruitment funnel: furthest stage per enrollment, per campaign and per week, in
two aggregate queries."""
import datetime

from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.db.models.functions import TruncWeek
from django.utils import timezone

from recruit import funnel
from recruit.models import Enrollment, StatusChange
from recruit.pipeline import FUNNEL

WEEKS = 12


def _rank(field: str) -> Case:
    return Case(*[When(**{field: stage}, then=Value(i)) for i, stage in enumerate(FUNNEL)], default=Value(-1),
                output_field=IntegerField())


def study_funnel(study) -> dict:
    """{"overall": rows, "campaigns": {campaign id: rows}, "weeks": chart} for a study."""
    # Furthest stage = the furthest of the status history and the current status (rows made
    # without history still count); ineligible, no-show and withdrawn keep what they reached.
    rows = (Enrollment.objects.filter(study=study)
            .annotate(history=Max(_rank("status_changes__to_status")), current=_rank("status"),
                      campaign=Max("campaign_invitations__campaign_id"))
            .values_list("history", "current", "campaign"))
    overall, by_campaign = [], {}
    for history, current, campaign in rows:
        reached = max(history if history is not None else -1, current)
        overall.append(reached)
        if campaign is not None:
            by_campaign.setdefault(campaign, []).append(reached)
    stages = [(stage.value, str(stage.label)) for stage in FUNNEL]
    result = {
        "overall": funnel.funnel_rows(stages, funnel.reached_counts(overall, len(FUNNEL))),
        "campaigns": {pk: funnel.funnel_rows(stages, funnel.reached_counts(values, len(FUNNEL)))
                      for pk, values in by_campaign.items()},
    }
    result["chart"] = funnel.bar_chart(result["overall"])
    result["weeks"] = weekly(study, stages)
    return result


def weekly(study, stages) -> dict:
    """Enrollments reaching each stage per week over the last weeks (one query)."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=today.weekday(), weeks=WEEKS - 1)
    counts = (StatusChange.objects.filter(enrollment__study=study, to_status__in=[s for s, _l in stages],
                                          at__date__gte=start)
              .annotate(week=TruncWeek("at")).values("week", "to_status")
              .annotate(n=Count("enrollment", distinct=True)).order_by())
    weeks = [start + datetime.timedelta(weeks=i) for i in range(WEEKS)]
    series = {stage: [0] * WEEKS for stage, _label in stages}
    for row in counts:
        week = row["week"].date() if hasattr(row["week"], "date") else row["week"]
        index = (week - start).days // 7
        if 0 <= index < WEEKS:
            series[row["to_status"]][index] += row["n"]
    chart = funnel.line_chart([week.strftime("%d.%m") for week in weeks], series)
    chart["legend"] = stages
    chart["table"] = [(week, [series[stage][i] for stage, _l in stages]) for i, week in enumerate(weeks)]
    return chart
