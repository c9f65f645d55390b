"""The study's Consent pages for coordinators: texts and versions, requests, signatures, withdrawals."""
import io
import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.forms_consent import ConsentDocumentForm, ConsentVersionForm, RecordWithdrawalForm, StatementFormSet
from recruit.models import ConsentVersion, Enrollment, SignatureRecord, Study
from recruit.selectors import EDIT_ROLES, studies_visible_to, study_role
from recruit.selectors_consent import STATES, consent_rows, erased_signature
from recruit.services.audit import audit_record
from recruit.services.consent import (
    EDITABLE_FIELDS,
    consent_document_create,
    consent_version_create,
    consent_version_publish,
    consent_version_update,
    current_number,
)
from recruit.services.consent_requests import consent_requests_send, enrollments_for_request, requests_summary
from recruit.services.signing import PdfUnavailable, signature_pdf_read
from recruit.services.withdrawal import withdraw
from recruit.views.helpers import add_service_errors


def _study(request, pk, *, edit=False):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    role = study_role(request.user, study)
    if edit and role not in EDIT_ROLES:
        raise PermissionDenied
    return study, role in EDIT_ROLES


def _errors(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
def consent_overview(request, pk):
    study, can_edit = _study(request, pk)
    rows, counts = consent_rows(study)
    documents = study.consent_documents.prefetch_related("versions").order_by("language")
    audit_record(actor=Actor.from_request(request), action="consent.overview.view", study=study,
                 detail={"rows": len(rows)})
    context = {
        "study": study, "can_edit": can_edit, "rows": rows, "documents": documents,
        "counts": [(STATES[state], counts[state]) for state in STATES], "current_number": current_number(study),
        "document_form": ConsentDocumentForm(), "withdrawal_form": RecordWithdrawalForm(),
        "signed_count": sum(1 for row in rows if row.signature),
        "proofs": study.participation_proofs.order_by("code"),
    }
    return render(request, "consent/overview.html", context)


@login_required
@require_POST
def consent_document_new(request, pk):
    study, _can_edit = _study(request, pk, edit=True)
    form = ConsentDocumentForm(request.POST)
    if form.is_valid():
        try:
            document = consent_document_create(actor=Actor.from_request(request), study=study,
                                               language=form.cleaned_data["language"])
        except ValidationError as error:
            _errors(request, error)
        else:
            return redirect("consent-version", pk=study.pk, version_pk=document.versions.get().pk)
    return redirect("consent-overview", pk=study.pk)


@login_required
@require_POST
def consent_version_new(request, pk, version_pk):
    study, _can_edit = _study(request, pk, edit=True)
    source = get_object_or_404(ConsentVersion.objects.select_related("document"), pk=version_pk,
                               document__study=study)
    try:
        version = consent_version_create(actor=Actor.from_request(request), document=source.document)
    except ValidationError as error:
        _errors(request, error)
        return redirect("consent-overview", pk=study.pk)
    messages.success(request, _("Version %(n)s created as a copy. Edit it and publish it.") % {"n": version.number})
    return redirect("consent-version", pk=study.pk, version_pk=version.pk)


def _statement_initial(version):
    return [{"text": s.text, "required": s.required} for s in version.statements.all()]


@login_required
def consent_version_detail(request, pk, version_pk):
    study, can_edit = _study(request, pk)
    version = get_object_or_404(ConsentVersion.objects.select_related("document"), pk=version_pk,
                                document__study=study)
    editable = can_edit and not version.is_published
    form = formset = None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = ConsentVersionForm(request.POST, instance=version)
        formset = StatementFormSet(request.POST, prefix="statements")
        if form.is_valid() and formset.is_valid():
            statements = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("text")]
            fields = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
            try:
                consent_version_update(actor=Actor.from_request(request), version=version, statements=statements,
                                       **fields)
            except ValidationError as error:
                add_service_errors(form, error)
                status = 400
            else:
                messages.success(request, _("Draft saved."))
                return redirect("consent-version", pk=study.pk, version_pk=version.pk)
        else:
            status = 400
    elif editable:
        form = ConsentVersionForm(instance=version)
        formset = StatementFormSet(initial=_statement_initial(version), prefix="statements")
    context = {"study": study, "version": version, "form": form, "formset": formset, "can_edit": can_edit,
               "editable": editable, "statements": version.statements.all()}
    return render(request, "consent/version.html", context, status=status)


@login_required
@require_POST
def consent_version_publish_view(request, pk, version_pk):
    study, _can_edit = _study(request, pk, edit=True)
    version = get_object_or_404(ConsentVersion.objects.select_related("document"), pk=version_pk,
                                document__study=study)
    try:
        consent_version_publish(actor=Actor.from_request(request), version=version)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Version %(n)s is published. It can no longer be changed.") % {"n": version.number})
    return redirect("consent-version", pk=study.pk, version_pk=version.pk)


@login_required
@require_POST
def consent_requests_new(request, pk):
    study, _can_edit = _study(request, pk, edit=True)
    ids = [int(v) for v in request.POST.getlist("enrollments") if v.isdigit()]
    try:
        sent = consent_requests_send(actor=Actor.from_request(request), study=study,
                                     enrollments=enrollments_for_request(study, ids))
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, requests_summary(len(sent)))
    return redirect("consent-overview", pk=study.pk)


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


def pdf_conflict(request) -> HttpResponse:
    return render(request, "consent/pdf_conflict.html", status=409)


@login_required
def signature_pdf(request, pk, signature_pk):
    study, _can_edit = _study(request, pk)
    signature = SignatureRecord.objects.select_related("enrollment__study", "enrollment__participant").filter(
        pk=signature_pk, enrollment__study=study).first()
    if signature is None:
        erased = erased_signature(Study.objects.filter(pk=study.pk), signature_pk)
        if erased is None:
            raise Http404
        # Not a tampered file (409): the PDF was deleted on purpose, with the participant's data.
        return render(request, "consent/pdf_erased.html", {"study": study, "erased": erased}, status=410)
    try:
        data = signature_pdf_read(actor=Actor.from_request(request), signature=signature)
    except PdfUnavailable:
        return pdf_conflict(request)
    return _pdf_response(data, f"consent-{study.code}-{signature.pk}.pdf")


@login_required
def signatures_zip(request, pk):
    """Every signed PDF of the study in one zip; a file that fails its hash check stops the export (409)."""
    study, _can_edit = _study(request, pk)
    actor = Actor.from_request(request)
    signatures = SignatureRecord.objects.filter(enrollment__study=study).select_related("enrollment__study") \
        .defer("drawn_signature").order_by("pk")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for signature in signatures:
            try:
                data = signature_pdf_read(actor=actor, signature=signature, audit=False)
            except PdfUnavailable:
                return pdf_conflict(request)
            info = zipfile.ZipInfo(f"consent-{study.code}-{signature.pk}.pdf", date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, data)
    audit_record(actor=actor, action="consent.pdf.export", study=study, detail={"count": signatures.count()})
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="consent-{study.code}.zip"'
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_POST
def withdrawal_record(request, pk, enrollment_pk):
    study, _can_edit = _study(request, pk, edit=True)
    enrollment = get_object_or_404(Enrollment.objects.select_related("study", "participant"), pk=enrollment_pk,
                                   study=study)
    form = RecordWithdrawalForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    else:
        try:
            withdraw(actor=Actor.from_request(request), enrollment=enrollment, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Withdrawal of %(name)s recorded.") % {"name": enrollment.participant.full_name})
    return redirect("consent-overview", pk=study.pk)
