"""The screening questionnaire: the coordinator's questions and eligibility rules, and a
participant's answers, which correct the registry and move the enrollment
(invited -> responded -> eligible or ineligible) through enrollment_transition."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from recruit import eligibility
from recruit.actors import Actor
from recruit.models import EligibilityRule, Enrollment, ScreeningQuestion, ScreeningResponse
from recruit.pipeline import Status
from recruit.services.access import require_study_editor
from recruit.services.audit import audit_record
from recruit.services.enrollments import enrollment_transition
from recruit.services.links import link_complete
from recruit.services.participants import participant_update

# What the questionnaire asks everyone to confirm or correct (prefilled from the registry).
DEMOGRAPHICS = ("birth_year", "gender", "gp_start_year", "is_specialist", "role", "county", "practice_setting")
# Registry attributes a rule may test, besides the questions ("q.<key>").
RULE_ATTRIBUTES = ("age", "experience", "gender", "role", "practice_setting", "county", "is_specialist",
                   "birth_year", "gp_start_year")
QUESTION_FIELDS = ("key", "position", "text_nb", "text_en", "kind", "options", "is_required", "is_reportable")


# Definitions -------------------------------------------------------------------------------------

def options_from_lines(text: str) -> list[dict]:
    """'Bokmål label | English label' per line -> options with a stable value from the English label."""
    options, seen = [], set()
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        nb, _sep, en = line.partition("|")
        nb, en = nb.strip(), (en.strip() or nb.strip())
        value = slugify(en).replace("-", "_")[:40] or f"option_{len(options) + 1}"
        while value in seen:
            value += "_"
        seen.add(value)
        options.append({"value": value, "nb": nb, "en": en})
    return options


def question_save(*, actor: Actor, study, question: ScreeningQuestion | None = None, **fields) -> ScreeningQuestion:
    require_study_editor(actor, study)
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"not writable: {', '.join(sorted(unknown))}")
    question = question or ScreeningQuestion(study=study)
    for name, value in fields.items():
        setattr(question, name, value)
    question.full_clean()
    question_check(question)
    created = question.pk is None
    with transaction.atomic():
        question.save()
        audit_record(actor=actor, action="screening_question.create" if created else "screening_question.update",
                     obj=question, study=study)
    return question


def question_check(question: ScreeningQuestion) -> None:
    """The rules beyond the model's own (shared by the service and the admin's form); clears a
    non-choice question's options."""
    choice = question.kind in (ScreeningQuestion.Kind.SINGLE, ScreeningQuestion.Kind.MULTIPLE)
    if choice and len(question.options) < 2:
        raise ValidationError({"options": ValidationError(_("A choice question needs at least two options."),
                                                          code="too_few_options")})
    if not choice:
        question.options = []
    if question.is_reportable and question.kind == ScreeningQuestion.Kind.TEXT:
        # Table 1 never summarises free text: someone's own words can name them.
        raise ValidationError({"is_reportable": ValidationError(
            _("Free-text answers are never reported in Table 1; choose another kind or leave this unticked."),
            code="text_not_reportable")})


def question_delete(*, actor: Actor, question: ScreeningQuestion) -> None:
    require_study_editor(actor, question.study)
    with transaction.atomic():
        audit_record(actor=actor, action="screening_question.delete", obj=question, study=question.study,
                     detail={"key": question.key})
        question.delete()


def rule_attributes(study) -> list[str]:
    return [*RULE_ATTRIBUTES, *(f"q.{key}" for key in study.screening_questions.values_list("key", flat=True))]


def rule_create(*, actor: Actor, study, attribute: str, operator: str, value: str) -> EligibilityRule:
    require_study_editor(actor, study)
    if attribute not in rule_attributes(study):
        raise ValidationError({"attribute": ValidationError(_("Choose a registry attribute or a question."),
                                                            code="unknown_attribute")})
    try:
        eligibility.Rule(attribute, operator, value).check()
    except eligibility.RuleError:
        raise ValidationError({"value": ValidationError(_("This comparison needs a number."), code="not_a_number")}
                              ) from None
    rule = EligibilityRule(study=study, attribute=attribute, operator=operator, value=value.strip())
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        audit_record(actor=actor, action="eligibility_rule.create", obj=rule, study=study,
                     detail={"rule": str(rule)})
    return rule


def rule_delete(*, actor: Actor, rule: EligibilityRule) -> None:
    require_study_editor(actor, rule.study)
    with transaction.atomic():
        audit_record(actor=actor, action="eligibility_rule.delete", obj=rule, study=rule.study,
                     detail={"rule": str(rule)})
        rule.delete()


# Answering ---------------------------------------------------------------------------------------

def facts_for(participant, answers: dict) -> dict:
    """The flat facts eligibility rules test: registry attributes after correction, and answers."""
    facts = {
        "age": participant.age() if participant.birth_year else None,
        "experience": participant.experience(),
        "gender": participant.gender, "role": participant.role, "practice_setting": participant.practice_setting,
        "county": participant.county.code if participant.county_id else None,
        "is_specialist": participant.is_specialist, "birth_year": participant.birth_year,
        "gp_start_year": participant.gp_start_year,
    }
    facts.update({f"q.{key}": value for key, value in answers.items()})
    return facts


def _start(actor: Actor, enrollment: Enrollment, link) -> None:
    if not link_complete(link):
        raise ValidationError(_("These answers were already sent."), code="already_answered")
    if enrollment.status == Status.INVITED:
        enrollment_transition(actor=actor, enrollment=enrollment, to_status=Status.RESPONDED,
                              note=_("Answered the screening questionnaire"))


def screening_submit(*, actor: Actor, enrollment: Enrollment, link, demographics: dict, answers: dict,
                     may_contact: bool, availability: dict[int, str] | None = None) -> ScreeningResponse:
    """Record the answers, correct the registry, decide eligibility and move the enrollment.

    availability ({poll option id: yes | if_need_be | no}) is stored as the participant's answers to the
    study's open polls, so the poll's matrix and the group builder see them as if given on the poll page.
    """
    participant = enrollment.participant
    with transaction.atomic():
        _start(actor, enrollment, link)
        _record_availability(actor, enrollment, availability or {})
        participant_update(actor=actor, participant=participant,
                           **{name: value for name, value in demographics.items() if name in DEMOGRAPHICS})
        rules = [eligibility.Rule(r.attribute, r.operator, r.value) for r in enrollment.study.eligibility_rules.all()]
        eligible, failed = eligibility.evaluate(rules, facts_for(participant, answers))
        try:
            response = ScreeningResponse.objects.create(enrollment=enrollment, answers=answers,
                                                        may_contact=may_contact, is_eligible=eligible)
        except IntegrityError:
            raise ValidationError(_("These answers were already sent."), code="already_answered") from None
        if not may_contact:
            to_status, note = Status.WITHDRAWN, _("Did not permit further contact")
        elif eligible:
            to_status, note = Status.ELIGIBLE, _("Eligible by the screening rules")
        else:
            to_status, note = Status.INELIGIBLE, _("Not eligible: %(rules)s") % {
                "rules": "; ".join(f"{r.attribute} {eligibility.OPERATORS[r.operator]} {r.value}" for r in failed)}
        if enrollment.status != to_status:
            enrollment_transition(actor=actor, enrollment=enrollment, to_status=to_status, note=note)
        audit_record(actor=actor, action="screening.submit", obj=response, study=enrollment.study,
                     detail={"eligible": eligible, "may_contact": may_contact})
    return response


def _record_availability(actor: Actor, enrollment: Enrollment, availability: dict[int, str]) -> None:
    from recruit.models import PollOption
    from recruit.services.availability import poll_answer

    options = PollOption.objects.filter(pk__in=availability, poll__study=enrollment.study).select_related("poll")
    by_poll: dict = {}
    for option in options:
        by_poll.setdefault(option.poll, {})[option.pk] = availability[option.pk]
    if sum(len(answers) for answers in by_poll.values()) != len(availability):
        raise ValidationError(_("One of the proposed times is not in this study's poll."), code="unknown_time")
    for poll, answers in by_poll.items():
        poll_answer(actor=actor, poll=poll, enrollment=enrollment, answers=answers)  # refuses a closed poll


def screening_decline(*, actor: Actor, enrollment: Enrollment, link) -> ScreeningResponse:
    """The one-click 'no, thank you': the enrollment is withdrawn and nothing else is asked."""
    with transaction.atomic():
        _start(actor, enrollment, link)
        response, _created = ScreeningResponse.objects.update_or_create(
            enrollment=enrollment, defaults={"declined": True, "may_contact": False, "is_eligible": None},
        )
        enrollment_transition(actor=actor, enrollment=enrollment, to_status=Status.WITHDRAWN,
                              note=_("Declined the invitation"))
        audit_record(actor=actor, action="screening.decline", obj=response, study=enrollment.study)
    return response
