"""Table 1 page and downloads. Thin: the services build, render and audit."""
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from recruit.actors import Actor
from recruit.anonymise.charts import to_svg
from recruit.anonymise.table1_files import FORMATS
from recruit.export_forms import PseudonymisedForm, Table1Form
from recruit.selectors import EDIT_ROLES, studies_visible_to, study_role
from recruit.models import Membership
from recruit.services.pseudonyms import pseudonym_key_csv, pseudonymised_csv, pseudonymised_plan, quasi_identifiers
from recruit.services.table1 import (
    default_grouping,
    table1_charts,
    table1_export,
    table1_options,
    table1_title,
    table1_view,
    texts,
)
from recruit.views.helpers import add_service_errors

FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "md": "Markdown", "tex": "LaTeX", "pdf": "PDF"}


def _options(form):
    data = form.cleaned_data
    return table1_options(
        k=data["k"], group_by=data["group_by"], age_width=data["age_width"],
        experience_edges=data["experience_edges"], statuses=data["statuses"], count_withdrawn=data["count_withdrawn"],
    )


@login_required
def table1_page(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    form = Table1Form(request.GET, group_by=default_grouping(study))
    table = options = None
    charts = []
    if form.is_valid():
        try:
            options = _options(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            table = table1_view(actor=Actor.from_request(request), study=study, options=options)
            charts = [mark_safe(to_svg(chart)) for chart in table1_charts(table)]  # noqa: S308 - to_svg escapes every text
    query = urlencode(
        {**options.as_detail(), "experience_edges": ",".join(map(str, options.experience_edges))}, doseq=True
    ) if options else ""
    role = study_role(request.user, study)
    context = {
        "study": study, "form": form, "table": table, "title": table1_title(study), "charts": charts,
        "downloads": [(fmt, FORMAT_LABELS[fmt]) for fmt in FORMATS], "query": query,
        "can_edit": role in EDIT_ROLES, "is_owner": role == Membership.Role.OWNER,
        # A hidden cell reads as a mark on screen; screen readers and a pointer get the words.
        "hidden_mark": texts().hidden_mark,
        "hidden_title": _("hidden: fewer than %(k)s, or hidden so that such a count cannot be recomputed")
        % {"k": table.k if table else ""},
        "small_mark": texts().small_mark.format(k=table.k) if table else None,
        "small_title": _("fewer than %(k)s participants") % {"k": table.k} if table else "",
    }
    return render(request, "export/table1.html", context)


@login_required
def table1_download(request, pk, fmt):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    if fmt not in FORMATS:
        raise Http404
    form = Table1Form(request.GET)
    if not form.is_valid():
        return HttpResponse(" ".join(m for errors in form.errors.values() for m in errors), status=400,
                            content_type="text/plain; charset=utf-8")
    try:
        options = _options(form)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
    content, content_type, filename = table1_export(
        actor=Actor.from_request(request), study=study, options=options, fmt=fmt
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


def _plan(request, study, form):
    data = form.cleaned_data
    return pseudonymised_plan(
        actor=Actor.from_request(request), study=study, names=data["columns"], k=data["k"],
        count_withdrawn=data["count_withdrawn"],
    )


@login_required
def pseudonymised_page(request, pk):
    """What the pseudonymised export would hold: achieved k, generalisations, suppression."""
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    role = study_role(request.user, study)
    if role not in EDIT_ROLES:
        raise PermissionDenied
    form = PseudonymisedForm(request.GET)
    plan = error = None
    if form.is_valid():
        try:
            plan = _plan(request, study, form)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    query = urlencode({"k": form.data.get("k"), "columns": form.data.getlist("columns"),
                       "count_withdrawn": form.data.get("count_withdrawn", "")}, doseq=True)
    labels = quasi_identifiers()
    context = {
        "study": study, "form": form, "plan": plan, "report": plan.report() if plan else None, "error": error,
        "query": query, "is_owner": role == Membership.Role.OWNER, "can_edit": True,
        "column_labels": labels,
    }
    return render(request, "export/pseudonymised.html", context)


@login_required
def pseudonymised_download(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    if study_role(request.user, study) not in EDIT_ROLES:
        raise PermissionDenied
    form = PseudonymisedForm(request.GET)
    if not form.is_valid():
        return _plain_400(" ".join(m for errors in form.errors.values() for m in errors))
    try:
        plan = _plan(request, study, form)
    except ValidationError as refusal:
        return _plain_400(" ".join(refusal.messages))
    lines = pseudonymised_csv(actor=Actor.from_request(request), plan=plan)
    response = StreamingHttpResponse((line.encode("utf-8") for line in lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{study.code}-pseudonymised.csv"'
    response["Cache-Control"] = "no-store, private"
    response["X-Achieved-K"] = str(plan.solution.achieved_k)
    return response


@login_required
def pseudonym_key_download(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    content = pseudonym_key_csv(actor=Actor.from_request(request), study=study)  # owners only
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{study.code}-pseudonym-key.csv"'
    response["Cache-Control"] = "no-store, private"
    return response


def _plain_400(message):
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
