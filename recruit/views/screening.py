"""The screening questionnaire: the participant's pages (through a personal link) and the
coordinator's editor for questions and eligibility rules."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruit.actors import Actor
from recruit.models import PersonalLink, PollAnswer, PollOption, ScreeningResponse
from recruit.screening_forms import QuestionForm, RuleForm, ScreeningForm
from recruit.selectors import EDIT_ROLES, studies_visible_to, study_role
from recruit.services import screening as service
from recruit.views.helpers import add_service_errors
from recruit.views.links import LANDINGS, participant_link_required

LANDINGS[PersonalLink.Purpose.SCREENING] = "screening"
SCREENING = PersonalLink.Purpose.SCREENING


@participant_link_required(SCREENING)
def screening(request):
    enrollment = request.enrollment
    participant = enrollment.participant
    questions = enrollment.study.screening_questions.all()
    times = list(PollOption.objects.filter(poll__study=enrollment.study, poll__is_open=True).order_by("starts_at", "id"))
    previous = dict(PollAnswer.objects.filter(enrollment=enrollment, option__in=times)
                    .values_list("option_id", "answer"))
    form = ScreeningForm(request.POST or None, instance=participant, questions=questions, poll_options=times,
                         previous_answers=previous)
    if request.method == "POST" and form.is_valid():
        try:
            service.screening_submit(
                actor=Actor.participant(request), enrollment=enrollment, link=request.link,
                demographics=form.demographics(), answers=form.answers(),
                may_contact=form.cleaned_data["may_contact"], availability=form.availability(),
            )
        except ValidationError as error:
            participant.refresh_from_db()
            add_service_errors(form, error)
        else:
            return redirect("screening-done")
    return render(request, "participant/screening.html", {"enrollment": enrollment, "form": form})


@participant_link_required(SCREENING)
@require_POST
def screening_decline(request):
    try:
        service.screening_decline(actor=Actor.participant(request), enrollment=request.enrollment, link=request.link)
    except ValidationError:
        pass  # already answered: the thank-you page says what was recorded
    return redirect("screening-done")


@participant_link_required(SCREENING, allow_completed=True)
def screening_done(request):
    response = ScreeningResponse.objects.filter(enrollment=request.enrollment).first()
    return render(request, "participant/screening_done.html",
                  {"enrollment": request.enrollment, "response": response})


# The coordinator's editor --------------------------------------------------------------------------

def _study(request, pk):
    study = get_object_or_404(studies_visible_to(request.user), pk=pk)
    return study, study_role(request.user, study) in EDIT_ROLES


@login_required
def screening_editor(request, pk):
    study, can_edit = _study(request, pk)
    question_form = QuestionForm(prefix="question")
    rule_form = RuleForm(prefix="rule", attributes=service.rule_attributes(study))
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        actor = Actor.from_request(request)
        if "question-key" in request.POST:
            question_form = QuestionForm(request.POST, prefix="question")
            if question_form.is_valid():
                fields = {name: question_form.cleaned_data[name] for name in QuestionForm.Meta.fields}
                fields["options"] = service.options_from_lines(question_form.cleaned_data["options_text"])
                try:
                    service.question_save(actor=actor, study=study, **fields)
                except ValidationError as error:
                    add_service_errors(question_form, error)
                else:
                    messages.success(request, _("Question added."))
                    return redirect("screening-editor", pk=study.pk)
        else:
            rule_form = RuleForm(request.POST, prefix="rule", attributes=service.rule_attributes(study))
            if rule_form.is_valid():
                try:
                    service.rule_create(actor=actor, study=study, **rule_form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(rule_form, error)
                else:
                    messages.success(request, _("Rule added."))
                    return redirect("screening-editor", pk=study.pk)
    return render(request, "recruitment/screening_editor.html", {
        "study": study, "can_edit": can_edit, "section": "screening",
        "questions": study.screening_questions.all(), "rules": study.eligibility_rules.all(),
        "question_form": question_form, "rule_form": rule_form,
    })


@login_required
@require_POST
def screening_item_delete(request, pk, kind, item_pk):
    study, can_edit = _study(request, pk)
    if not can_edit:
        raise PermissionDenied
    actor = Actor.from_request(request)
    if kind == "question":
        service.question_delete(actor=actor, question=get_object_or_404(study.screening_questions, pk=item_pk))
    else:
        service.rule_delete(actor=actor, rule=get_object_or_404(study.eligibility_rules, pk=item_pk))
    return redirect("screening-editor", pk=study.pk)


@login_required
@require_POST
def screening_question_reportable(request, pk, item_pk):
    """Report a question's answers in Table 1, or stop reporting them (POST is_reportable=1 or 0)."""
    study, can_edit = _study(request, pk)
    if not can_edit:
        raise PermissionDenied
    question = get_object_or_404(study.screening_questions, pk=item_pk)
    try:
        service.question_save(actor=Actor.from_request(request), study=study, question=question,
                              is_reportable=request.POST.get("is_reportable") == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Table 1 reports this question.") if question.is_reportable
                         else _("Table 1 no longer reports this question."))
    return redirect("screening-editor", pk=study.pk)
