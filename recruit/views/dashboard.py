from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from recruit.pipeline import Status
from recruit.selectors import status_counts, studies_visible_to


@login_required
def dashboard(request):
    studies = list(studies_visible_to(request.user).order_by("status", "code"))
    counts = status_counts(studies_visible_to(request.user))
    rows = [
        {
            "study": study,
            "counts": [(status, counts.get(study.pk, {}).get(status.value, 0)) for status in Status],
            "total": sum(counts.get(study.pk, {}).values()),
        }
        for study in studies
    ]
    return render(request, "dashboard.html", {"rows": rows, "statuses": list(Status)})
