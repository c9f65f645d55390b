"""The participant's consent pages, reached through a personal link: read, answer, review, sign; download; withdraw.

GET only shows; every change is a POST (mail scanners open links). Nothing is stored before the
participant confirms on the review page: the answers wait in their session.
"""
import base64

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from recruit.actors import Actor
from recruit.forms_consent import ConfirmForm, SigningForm, WithdrawForm
from recruit.models import ConsentVersion, SignatureRecord, Withdrawal
from recruit.pipeline import Status
from recruit.services.consent import current_version_for
from recruit.services.links import LinkError, link_complete
from recruit.services.signing import (
    PdfNotStored,
    PdfUnavailable,
    consent_sign,
    meaning_text,
    signature_pdf_read,
    signing_validate,
)
from recruit.services.withdrawal import withdraw
from recruit.views.links import LANDINGS, link_error, private
from recruit.views.participant_csrf import participant_csrf

LANDINGS["consent"] = "consent-read"
LANDINGS["withdrawal"] = "withdrawal"

PENDING = "consent:pending"
SIGNED = "consent:signature"


def _guard(purpose, **kwargs):
    """The personal-link guard, with a CSRF check that accepts these pages' null Origin."""
    from recruit.views.links import participant_link_required

    def decorator(view):
        return participant_csrf(participant_link_required(purpose, **kwargs)(view))

    return decorator


def _version(request) -> ConsentVersion | None:
    return current_version_for(request.enrollment.study, get_language() or request.enrollment.participant.preferred_language)


def _closed(request):
    """Shown instead of the form when the participant has withdrawn or there is nothing to sign."""
    return render(request, "consent/closed.html", {"enrollment": request.enrollment}, status=410)


def _signed_through_this_link(request):
    """For a link already used up: its signature's done page. A participant whose confirmation was lost
    (the database went away just after the signature was stored) and who tries again sees that they
    have signed, not that their link "has already been used"."""
    if request.link.completed_at is None:
        return None
    signature = SignatureRecord.objects.filter(enrollment=request.enrollment, link=request.link).order_by("-pk").first()
    if signature is None:
        return link_error(request, LinkError("completed"))
    request.session.pop(PENDING, None)
    request.session[SIGNED] = signature.pk
    return redirect("consent-done")


@_guard("consent", allow_completed=True)
def consent_read(request):
    if (signed := _signed_through_this_link(request)) is not None:
        return signed
    enrollment = request.enrollment
    version = _version(request)
    if version is None or enrollment.status == Status.WITHDRAWN:
        return _closed(request)
    statements = list(version.statements.all())
    pending = request.session.get(PENDING) or {}
    status = 200
    if request.method == "POST":
        form = SigningForm(request.POST, statements=statements)
        if form.is_valid():
            try:
                cleaned = signing_validate(
                    enrollment=enrollment, version=version, answers=form.answers(),
                    typed_name=form.cleaned_data["typed_name"], drawn_signature=form.cleaned_data["drawn_signature"],
                )
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                image = cleaned["drawn_signature"]
                request.session[PENDING] = {
                    "version": version.pk, "answers": {str(k): v for k, v in form.answers().items()},
                    "typed_name": cleaned["typed_name"],
                    "drawn_signature": ("data:image/png;base64," + base64.b64encode(image).decode()) if image else "",
                }
                return redirect("consent-review")
        status = 400
    else:
        initial = {}
        if pending.get("version") == version.pk:
            initial = {f"statement_{k}": v for k, v in pending["answers"].items()}
            initial.update(typed_name=pending["typed_name"], drawn_signature=pending["drawn_signature"])
        form = SigningForm(initial=initial, statements=statements)
    context = {"enrollment": enrollment, "version": version, "statements": statements, "form": form,
               "choices": [(form[f"statement_{s.position}"], s) for s in statements]}
    return render(request, "consent/sign.html", context, status=status)


@_guard("consent", allow_completed=True)
def consent_review(request):
    if (signed := _signed_through_this_link(request)) is not None:
        return signed
    enrollment = request.enrollment
    version = _version(request)
    pending = request.session.get(PENDING)
    if version is None or enrollment.status == Status.WITHDRAWN:
        return _closed(request)
    if not pending or pending.get("version") != version.pk:
        return redirect("consent-read")
    statements = list(version.statements.all())
    answers = {int(k): v for k, v in pending["answers"].items()}
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            signature = consent_sign(
                actor=Actor.participant(request), enrollment=enrollment, version=version, answers=answers,
                typed_name=pending["typed_name"], drawn_signature=pending["drawn_signature"] or None,
                confirmed=form.cleaned_data["confirmed"], link=request.link,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except PdfNotStored:
            # Nothing was kept; the answers stay in the session, so trying again later is one click.
            response = render(request, "consent/not_stored.html", {"enrollment": enrollment}, status=503)
            response["Retry-After"] = "300"
            return response
        except ValidationError as error:
            if getattr(error, "code", None) == "version_outdated":
                return redirect("consent-read")
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            status = 400
        else:
            request.session.pop(PENDING, None)
            request.session[SIGNED] = signature.pk
            return redirect("consent-done")
    elif request.method == "POST":
        status = 400
    context = {
        "enrollment": enrollment, "version": version, "form": form, "typed_name": pending["typed_name"],
        "drawn_signature": pending["drawn_signature"], "meaning": meaning_text(),
        "answers": [(s, answers.get(s.position, False)) for s in statements],
    }
    return render(request, "consent/review.html", context, status=status)


def _signature(request) -> SignatureRecord | None:
    return (
        SignatureRecord.objects.filter(enrollment=request.enrollment, pk=request.session.get(SIGNED))
        .select_related("version__document", "enrollment__study").defer("drawn_signature").first()
    )


@_guard("consent", allow_completed=True)
def consent_done(request):
    # The consent link still leads here after a withdrawal; the receipt would then say "signed".
    if request.enrollment.status == Status.WITHDRAWN:
        return _closed(request)
    signature = _signature(request)
    if signature is None:
        return redirect("consent-read")
    return render(request, "consent/done.html", {"enrollment": request.enrollment, "signature": signature})


@_guard("consent", allow_completed=True)
def consent_pdf(request):
    from recruit.views.consent import _pdf_response, pdf_conflict

    signature = _signature(request)
    if signature is None:
        return redirect("consent-read")
    try:
        data = signature_pdf_read(actor=Actor.participant(request), signature=signature)
    except PdfUnavailable:
        return pdf_conflict(request)
    return _pdf_response(data, f"consent-{request.enrollment.study.code}.pdf")


def _withdraw_page(request, channel: str, *, complete_link: bool):
    enrollment = request.enrollment
    if enrollment.status == Status.WITHDRAWN:
        return render(request, "consent/withdrawn.html", {"enrollment": enrollment})
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            withdraw(actor=Actor.participant(request), enrollment=enrollment, reason=form.cleaned_data["reason"],
                     channel=channel)
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            if complete_link:
                link_complete(request.link)
            return private(render(request, "consent/withdrawn.html", {"enrollment": enrollment}))
    return render(request, "consent/withdraw.html", {"enrollment": enrollment, "form": form}, status=status)


@_guard("consent", allow_completed=True)
def consent_withdraw(request):
    return _withdraw_page(request, Withdrawal.Channel.LINK, complete_link=False)


@_guard("withdrawal")
def withdrawal_page(request):
    return _withdraw_page(request, Withdrawal.Channel.EMAIL_LINK, complete_link=True)
