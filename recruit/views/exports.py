"""Table 1 page and downloads. Thin: the services build, render and audit."""
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from recruit.actors import Actor
from recruit.anonymise.table1_files import FORMATS
from recruit.export_forms import Table1Form
from recruit.selectors import EDIT_ROLES, studies_visible_to, study_role
from recruit.models import Membership
from recruit.services.table1 import table1_export, table1_options, table1_title, table1_view
from recruit.views.helpers import add_service_errors

FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "md": "Markdown", "tex": "LaTeX", "pdf": "PDF"}


def _options(form):
    data = form.cleaned_data
    return table1_options(
        k=data["k"], group_by=data["group_by"], age_width=data["age_width"],
        experience_edges=data["experience_edges"], statuses=data["statuses"],
    )


@login_required
def table1_page(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    form = Table1Form(request.GET)
    table = options = None
    if form.is_valid():
        try:
            options = _options(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            table = table1_view(actor=Actor.from_request(request), study=study, options=options)
    query = urlencode(
        {**options.as_detail(), "experience_edges": ",".join(map(str, options.experience_edges))}, doseq=True
    ) if options else ""
    role = study_role(request.user, study)
    context = {
        "study": study, "form": form, "table": table, "title": table1_title(study),
        "downloads": [(fmt, FORMAT_LABELS[fmt]) for fmt in FORMATS], "query": query,
        "can_edit": role in EDIT_ROLES, "is_owner": role == Membership.Role.OWNER,
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
