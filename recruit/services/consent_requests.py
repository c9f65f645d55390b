"""Consent requests: a personal link by e-mail to read and sign, and the confirmation after signing.

Both e-mails go through the outbox and are rendered when sent, in the participant's language. The
personal link is issued by the renderer, so its token exists only in the e-mail (the outbox row holds
ids, never a token).
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recruit.actors import Actor
from recruit.models import ConsentRequest, Enrollment, Message, SignatureRecord
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record
from recruit.services.consent import current_version_for
from recruit.services.links import link_issue, link_url, links_revoke
from recruit.services.messages import RENDERERS, email_to, message_queue
from recruit.services.signing import SIGNABLE, PdfUnavailable, utc_text, signature_pdf_read

RENDERERS["consent.request"] = "recruit.services.consent_requests.render_request"
RENDERERS["consent.confirmation"] = "recruit.services.consent_requests.render_confirmation"


def consent_requests_send(*, actor: Actor, study, enrollments) -> list[ConsentRequest]:
    """Send the current consent version to each enrollment; refuses all if any cannot receive it."""
    require_study_editor(actor, study)
    enrollments = list(enrollments)
    if not enrollments:
        raise ValidationError({"enrollments": ValidationError(_("Choose at least one participant."),
                                                              code="none_chosen")})
    problems = []
    for enrollment in enrollments:
        if enrollment.study_id != study.pk:
            problems.append(_("%(name)s is not in this study.") % {"name": enrollment.participant.full_name})
        elif enrollment.status not in SIGNABLE:
            problems.append(_("%(name)s is %(status)s; consent can be requested from eligible participants on.")
                            % {"name": enrollment.participant.full_name, "status": str(enrollment.get_status_display()).lower()})
        elif enrollment.participant.do_not_contact or getattr(enrollment.participant, "restricted", False):
            problems.append(_("%(name)s must not be contacted.") % {"name": enrollment.participant.full_name})
    if problems:
        raise ValidationError({"enrollments": [ValidationError(p, code="cannot_request") for p in problems]})
    requests = []
    with transaction.atomic():
        for enrollment in enrollments:
            version = current_version_for(study, enrollment.participant.preferred_language)
            if version is None:
                raise ValidationError(_("Publish a consent version before sending requests."), code="no_version")
            # An earlier request's link stops working: one open consent link per person.
            links_revoke(enrollment=enrollment, purpose="consent")
            request = ConsentRequest.objects.create(enrollment=enrollment, version=version, created_by=actor.user)
            message_queue(kind="consent.request", key=f"consent.request:{request.pk}",
                          participant=enrollment.participant, study=study, payload={"request": request.pk})
            requests.append(request)
        audit_record(actor=actor, action="consent.request.send", study=study,
                     detail={"enrollments": [e.pk for e in enrollments], "count": len(enrollments)})
    return requests


def render_request(message: Message):
    request = ConsentRequest.objects.select_related(
        "enrollment__participant", "enrollment__study", "version__document"
    ).get(pk=message.payload["request"])
    enrollment = request.enrollment
    link, token = link_issue(enrollment=enrollment, purpose="consent")
    ConsentRequest.objects.filter(pk=request.pk).update(link=link)
    context = {"participant": enrollment.participant, "study": enrollment.study, "url": link_url(token),
               "expires": link.expires_at, "version": request.version}
    subject = _("Consent to take part in %(title)s") % {"title": enrollment.study.title}
    return email_to(message, subject=subject, body=render_to_string("consent/email/request.txt", context))


def confirmation_queue(signature: SignatureRecord) -> Message:
    enrollment = signature.enrollment
    return message_queue(kind="consent.confirmation", key=f"consent.confirmation:{signature.pk}",
                         participant=enrollment.participant, study=enrollment.study,
                         payload={"signature": signature.pk})


def render_confirmation(message: Message):
    signature = SignatureRecord.objects.select_related(
        "enrollment__participant", "enrollment__study", "version__document__study"
    ).get(pk=message.payload["signature"])
    enrollment = signature.enrollment
    link, token = link_issue(enrollment=enrollment, purpose="withdrawal")
    attachments = []
    try:
        pdf = signature_pdf_read(actor=Actor.system("outbox"), signature=signature, audit=False)
        attachments.append((_("consent-%(code)s.pdf") % {"code": enrollment.study.code}, pdf, "application/pdf"))
    except PdfUnavailable:
        pdf = None  # never send a file that no longer matches its hash; the e-mail says so
    context = {"participant": enrollment.participant, "study": enrollment.study, "signature": signature,
               "withdraw_url": link_url(token), "attached": pdf is not None, "signed": utc_text(signature.signed_at),
               "optional_no": [a["text"] for a in signature.answers if not a["answer"]]}
    subject = _("Your consent to %(title)s") % {"title": enrollment.study.title}
    return email_to(message, subject=subject, body=render_to_string("consent/email/confirmation.txt", context),
                    attachments=attachments)


def requests_summary(count: int) -> str:
    return ngettext("Consent request sent to %(n)s participant.", "Consent requests sent to %(n)s participants.",
                    count) % {"n": count}


def enrollments_for_request(study, ids) -> list[Enrollment]:
    return list(Enrollment.objects.filter(study=study, pk__in=ids).select_related("participant", "study"))
