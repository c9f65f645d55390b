"""Importing a participant list: upload, map the columns, preview with errors, import."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.import_forms import ImportCommitForm, ImportMappingForm, ImportUploadForm
from recruit.models import ParticipantImport
from recruit.selectors import EDIT_ROLES, studies_visible_to, study_role
from recruit.services.imports import (
    ImportRejected,
    field_labels,
    import_commit,
    import_table,
    import_upload,
    import_validate,
)
from recruit import spreadsheets
from recruit.views.helpers import add_service_errors

PREVIEW_ROWS = 5
SHOWN_ERRORS = 200


def _editable_study(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    if study_role(request.user, study) not in EDIT_ROLES:
        raise PermissionDenied
    return study


@login_required
def import_new(request, pk):
    study = _editable_study(request, pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            participant_import = import_upload(
                actor=Actor.from_request(request), study=study, data=upload.read(), filename=upload.name
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("import-detail", pk=study.pk, import_pk=participant_import.pk)
    recent = study.participant_imports.defer("data").select_related("created_by")[:10]
    return render(request, "recruitment/import_new.html",
                  {"study": study, "form": form, "recent": recent, "section": "imports"})


@login_required
def import_detail(request, pk, import_pk):
    """Map columns (GET shows the remembered or guessed mapping; POST validates and previews)."""
    study = _editable_study(request, pk)
    participant_import = get_object_or_404(study.participant_imports, pk=import_pk)
    context = {"study": study, "participant_import": participant_import, "section": "imports"}
    if participant_import.status == ParticipantImport.Status.IMPORTED:
        return render(request, "recruitment/import_result.html",
                      {**context, "result": participant_import.result})
    form = ImportMappingForm(
        request.POST or None, headers=participant_import.headers, mapping=participant_import.mapping,
        update_fields=participant_import.update_fields,
    )
    plan = None
    if request.method == "POST" and form.is_valid():
        try:
            plan = import_validate(
                actor=Actor.from_request(request), participant_import=participant_import,
                mapping=form.mapping(), update_fields=form.cleaned_data["update_fields"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if plan is not None:
        context.update(_preview(participant_import, plan, ImportCommitForm()))
    context["form"] = form
    return render(request, "recruitment/import_detail.html", context)


def _preview(participant_import, plan, commit_form) -> dict:
    """Step 3 of the page: the first rows as read, the errors by row, and the import button."""
    labels = field_labels()
    table = import_table(participant_import)
    sample = [
        [(labels[name], values.get(name, "")) for name in participant_import.mapping.values()]
        for _row, values in list(spreadsheets.mapped_rows(table, participant_import.mapping))[:PREVIEW_ROWS]
    ]
    return {"plan": plan, "errors": plan.errors[:SHOWN_ERRORS], "sample": sample, "commit_form": commit_form,
            "field_labels": labels}


@login_required
@require_POST
def import_commit_view(request, pk, import_pk):
    study = _editable_study(request, pk)
    participant_import = get_object_or_404(study.participant_imports, pk=import_pk)
    form = ImportCommitForm(request.POST)
    form.is_valid()
    try:
        result = import_commit(actor=Actor.from_request(request), participant_import=participant_import,
                               skip_bad_rows=form.cleaned_data.get("skip_bad_rows", False))
    except ImportRejected as rejected:
        # Show the preview again, with its errors by row and the choice to skip them that the message names.
        messages.error(request, rejected.messages[0])
        plan = import_validate(actor=Actor.from_request(request), participant_import=participant_import)
        mapping_form = ImportMappingForm(headers=participant_import.headers, mapping=participant_import.mapping,
                                         update_fields=participant_import.update_fields)
        context = {"study": study, "participant_import": participant_import, "section": "imports",
                   "form": mapping_form, **_preview(participant_import, plan, form)}
        return render(request, "recruitment/import_detail.html", context, status=400)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import-detail", pk=study.pk, import_pk=participant_import.pk)
    messages.success(request, _("%(created)s created, %(updated)s updated, %(skipped)s skipped.") % {
        "created": result.created, "updated": result.updated, "skipped": result.skipped,
    })
    return redirect("import-detail", pk=study.pk, import_pk=participant_import.pk)
