"""A study's audit log: a page to browse it and a CSV export, for the study's owners only.

Reading the log is itself audited (it holds old and new values of personal data).
"""
import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from recruit.actors import Actor
from recruit.audit_filters import AuditEventFilter
from recruit.selectors import audit_events_for_study, studies_visible_to
from recruit.services.access import require_study_owner
from recruit.services.audit import audit_record

PAGE_SIZE = 100
CSV_COLUMNS = ["at", "actor", "action", "object_type", "object_id", "ip_address", "detail"]


def _owned_study(request, pk):
    """The study if the user sees it (else 404) and owns it (else 403)."""
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    require_study_owner(Actor.from_request(request), study)
    return study


def _filters(request) -> dict:
    return {k: v for k, v in request.GET.lists() if k != "page"}


@login_required
def audit_log(request, pk):
    study = _owned_study(request, pk)
    event_filter = AuditEventFilter(request.GET or None, queryset=audit_events_for_study(study))
    page = Paginator(event_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page.object_list)  # read before this view's own event is written
    for event in events:
        event.detail_json = json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
    audit_record(
        actor=Actor.from_request(request), action="audit.view", study=study,
        detail={"filters": _filters(request), "page": page.number},
    )
    context = {"study": study, "filter": event_filter, "page": page, "events": events}
    return render(request, "audit/log.html", context)


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def audit_export(request, pk):
    study = _owned_study(request, pk)
    event_filter = AuditEventFilter(request.GET or None, queryset=audit_events_for_study(study))
    events = event_filter.qs if event_filter.is_valid() else audit_events_for_study(study).none()
    audit_record(
        actor=Actor.from_request(request), action="audit.export", study=study,
        detail={"filters": _filters(request), "rows": events.count()},
    )
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow([_cell(v) for v in (
                timezone.localtime(event.at).isoformat(), event.actor_label, event.action, event.object_type,
                event.object_id, event.ip_address, json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
            )])

    filename = f"audit-{study.code}-{timezone.localdate():%Y%m%d}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response
