"""The admin, scoped like every other door: staff see only their studies' rows."""
from django.contrib import admin
from django.core.exceptions import ValidationError

from recruit.actors import Actor
from recruit.models import AuditEvent, Enrollment, Membership, Participant, Region, StatusChange, Study
from recruit.selectors import (
    audit_events_visible_to,
    enrollments_visible_to,
    memberships_visible_to,
    participants_editable_by,
    participants_visible_to,
    studies_editable_by,
    studies_visible_to,
)
from recruit.regions import region_choices
from recruit.services.audit import audit_record
from recruit.services.participants import EDITABLE_FIELDS as PARTICIPANT_FIELDS
from recruit.services.participants import participant_create, participant_update
from recruit.services.studies import EDITABLE_FIELDS as STUDY_FIELDS
from recruit.services.studies import study_create, study_update


class ScopedAdmin(admin.ModelAdmin):
    """Rows come from a selector; foreign keys offer only studies the user may edit."""

    def visible(self, request):
        raise NotImplementedError

    def editable(self, request):
        return self.visible(request)

    def get_queryset(self, request):
        return self.visible(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self.editable(request).filter(pk=obj.pk).exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Study:
            kwargs["queryset"] = studies_editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def service_check(self, instance) -> None:
        """The service's own rules for the unsaved instance; raise ValidationError to refuse.

        Run while the form validates, so a refusal is a form error in the page: save_model runs
        only after the form was accepted, and an error there would be a server error.
        """

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        check = self.service_check

        class CheckedForm(form):
            def _post_clean(self):
                super()._post_clean()
                if not self.errors:
                    try:
                        check(self.instance)
                    except ValidationError as error:
                        # Errors on fields the form shows go beside them, the rest above the form.
                        self._update_errors(error)

        CheckedForm.__name__ = form.__name__
        return CheckedForm

    @staticmethod
    def skip_inlines(formsets) -> None:
        """For read-only inlines that save_related does not save: the change message still reads
        what each formset saved (nothing), which formset.save() would otherwise have set."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown for reading only: their own pages and services add, change and delete them."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "country", "population"]
    list_filter = ["country", "area"]
    search_fields = ["name", "code"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        region_choices.cache_clear()


class EnrollmentInline(ReadOnlyInline):
    model = Enrollment
    fields = ["study", "status", "status_changed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(study__in=studies_visible_to(request.user).values("pk"))


@admin.register(Participant)
class ParticipantAdmin(ScopedAdmin):
    list_display = ["family_name", "given_name", "email", "gender", "birth_year", "county", "practice_setting", "role"]
    list_filter = ["gender", "role", "practice_setting", "is_specialist", "do_not_contact", "county"]
    search_fields = ["family_name", "given_name", "email", "practice_name", "hpr_number"]
    list_select_related = ["county"]
    fields = ["source_study", *PARTICIPANT_FIELDS]
    inlines = [EnrollmentInline]

    def visible(self, request):
        return participants_visible_to(request.user)

    def editable(self, request):
        return participants_editable_by(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["source_study"] if obj is not None else []

    def view_on_site(self, obj):
        return f"/participants/{obj.pk}/"

    def save_model(self, request, obj, form, change):
        # The same services as the pages and the API; the admin form has already validated.
        fields = {name: form.cleaned_data[name] for name in PARTICIPANT_FIELDS if name in form.cleaned_data}
        actor = Actor.from_request(request)
        if change:
            # A fresh copy: the form has already set the new values on obj, so the service would see no change.
            participant_update(actor=actor, participant=Participant.objects.get(pk=obj.pk), **fields)
        else:
            created = participant_create(actor=actor, study=form.cleaned_data["source_study"], **fields)
            obj.pk, obj._state.adding = created.pk, False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.base_fields["source_study"].required = True
        return form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            audit_record(actor=Actor.from_request(request), action="participant.view",
                         detail={"admin": True, "id": object_id})
        return response


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["user", "role"]


@admin.register(Study)
class StudyAdmin(ScopedAdmin):
    list_display = ["code", "title", "status", "principal_investigator", "start_date", "end_date"]
    list_filter = ["status"]
    search_fields = ["code", "title", "principal_investigator", "ethics_reference"]
    fields = STUDY_FIELDS
    inlines = [MembershipInline]

    def visible(self, request):
        return studies_visible_to(request.user)

    def editable(self, request):
        return studies_editable_by(request.user)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in STUDY_FIELDS}
        actor = Actor.from_request(request)
        if change:
            study_update(actor=actor, study=Study.objects.get(pk=obj.pk), **fields)  # fresh, as for participants
        else:
            obj.pk, obj._state.adding = study_create(actor=actor, **fields).pk, False

    def save_related(self, request, form, formsets, change):
        self.skip_inlines(formsets)  # inlines are read-only here; members are managed on the study page and the API


class ReadOnlyScopedAdmin(ScopedAdmin):
    """Rows whose changes go through services with rules (the pipeline, the owners)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyScopedAdmin):
    list_display = ["study", "user", "role", "created_at"]
    list_filter = ["role", "study"]
    search_fields = ["user__username", "user__email", "study__code"]
    list_select_related = ["study", "user"]

    def visible(self, request):
        return memberships_visible_to(request.user)


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyScopedAdmin):
    list_display = ["participant", "study", "status", "status_changed_at"]
    list_filter = ["status", "study"]
    search_fields = ["participant__family_name", "participant__email", "study__code"]
    list_select_related = ["participant", "study"]

    def visible(self, request):
        return enrollments_visible_to(request.user)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyScopedAdmin):
    list_display = ["enrollment", "from_status", "to_status", "at", "actor"]
    list_filter = ["to_status"]
    list_select_related = ["enrollment__participant", "enrollment__study", "actor"]

    def visible(self, request):
        return StatusChange.objects.filter(enrollment__in=enrollments_visible_to(request.user).values("pk"))


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyScopedAdmin):
    list_display = ["at", "actor", "actor_label", "action", "object_type", "object_id", "study", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_id", "actor__username"]
    list_select_related = ["actor", "study"]

    def visible(self, request):
        return audit_events_visible_to(request.user)



# --- scheduling -------------------------------------------------------------------------------
from django.db import models  # noqa: E402

from recruit.models import Booking, Session  # noqa: E402
from recruit.services.sessions import EDITABLE_FIELDS as SESSION_FIELDS  # noqa: E402
from recruit.services.sessions import session_check_conflicts, session_create, session_update  # noqa: E402


class BookingInline(ReadOnlyInline):
    model = Booking
    fields = ["enrollment", "status", "attendance", "source", "created_at", "cancelled_at"]


@admin.register(Session)
class SessionAdmin(ScopedAdmin):
    """Sessions through the same services as the pages (conflict rules); bookings are read-only here."""

    list_display = ["starts_at", "ends_at", "study", "kind", "title", "booked", "capacity", "moderator"]
    list_filter = ["kind", "study"]
    search_fields = ["title", "place", "study__code"]
    list_select_related = ["study", "moderator"]
    fields = ["study", *SESSION_FIELDS, "booked"]
    readonly_fields = ["booked"]
    inlines = [BookingInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def visible(self, request):
        return Session.objects.filter(study__in=studies_visible_to(request.user).values("pk"))

    def editable(self, request):
        return Session.objects.filter(study__in=studies_editable_by(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        return ["study", "booked"] if obj is not None else ["booked"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in SESSION_FIELDS if name in form.cleaned_data}
        actor = Actor.from_request(request)
        if change:
            session_update(actor=actor, session=Session.objects.get(pk=obj.pk), **fields)
        else:
            created = session_create(actor=actor, study=form.cleaned_data["study"], **fields)
            obj.pk, obj._state.adding = created.pk, False

    def save_related(self, request, form, formsets, change):
        self.skip_inlines(formsets)  # bookings change only through the booking services

    def service_check(self, instance):
        session_check_conflicts(instance)


@admin.register(Booking)
class BookingAdmin(ReadOnlyScopedAdmin):
    list_display = ["session", "enrollment", "status", "attendance", "source", "created_at"]
    list_filter = ["status", "attendance", "source"]
    list_select_related = ["session__study", "enrollment__participant", "enrollment__study"]

    def visible(self, request):
        return Booking.objects.filter(session__study__in=studies_visible_to(request.user).values("pk"))


# --- Consent (texts are written on the study's Consent page; published versions are read-only everywhere) ---

from recruit.models import ConsentStatement, ConsentVersion, SignatureRecord, Withdrawal  # noqa: E402
from recruit.services.consent import EDITABLE_FIELDS as CONSENT_VERSION_FIELDS  # noqa: E402
from recruit.services.consent import consent_version_update  # noqa: E402


class ConsentStatementInline(ReadOnlyInline):
    model = ConsentStatement
    fields = ["position", "text", "required"]


@admin.register(ConsentVersion)
class ConsentVersionAdmin(ScopedAdmin):
    list_display = ["document", "number", "status", "published_at", "text_hash"]
    list_filter = ["status"]
    list_select_related = ["document__study"]
    fields = ["document", "number", "status", "text_hash", "published_at", *CONSENT_VERSION_FIELDS]
    readonly_fields = ["document", "number", "status", "text_hash", "published_at"]
    inlines = [ConsentStatementInline]

    def visible(self, request):
        return ConsentVersion.objects.filter(document__study__in=studies_visible_to(request.user).values("pk"))

    def editable(self, request):
        # Only drafts: the admin refuses to change a published version, as the model does.
        return ConsentVersion.objects.filter(
            document__study__in=studies_editable_by(request.user).values("pk"), status=ConsentVersion.Status.DRAFT
        )

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in CONSENT_VERSION_FIELDS if name in form.changed_data}
        consent_version_update(actor=Actor.from_request(request), version=obj, **fields)

    def save_related(self, request, form, formsets, change):
        self.skip_inlines(formsets)


@admin.register(SignatureRecord)
class SignatureRecordAdmin(ReadOnlyScopedAdmin):
    list_display = ["id", "enrollment", "version", "signed_at", "withdrawn_at", "reconsent_required_at"]
    list_select_related = ["enrollment__participant", "enrollment__study", "version__document"]
    exclude = ["drawn_signature"]

    def visible(self, request):
        return SignatureRecord.objects.filter(enrollment__in=enrollments_visible_to(request.user).values("pk"))


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyScopedAdmin):
    list_display = ["id", "enrollment", "at", "channel", "cancelled_bookings"]
    list_select_related = ["enrollment__participant", "enrollment__study"]

    def visible(self, request):
        return Withdrawal.objects.filter(enrollment__in=enrollments_visible_to(request.user).values("pk"))


# --- Screening questions (the same service as the editor page and the API) ---

from recruit.models import ScreeningQuestion  # noqa: E402
from recruit.services.screening import QUESTION_FIELDS, question_check, question_save  # noqa: E402


@admin.register(ScreeningQuestion)
class ScreeningQuestionAdmin(ScopedAdmin):
    list_display = ["key", "study", "kind", "is_required", "is_reportable", "position"]
    list_filter = ["kind", "is_reportable", "study"]
    search_fields = ["key", "text_nb", "text_en", "study__code"]
    list_select_related = ["study"]
    fields = ["study", *QUESTION_FIELDS]

    def visible(self, request):
        return ScreeningQuestion.objects.filter(study__in=studies_visible_to(request.user).values("pk"))

    def editable(self, request):
        return ScreeningQuestion.objects.filter(study__in=studies_editable_by(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        return ["study"] if obj is not None else []

    def service_check(self, instance):
        question_check(instance)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in QUESTION_FIELDS if name in form.cleaned_data}
        actor = Actor.from_request(request)
        if change:
            question_save(actor=actor, study=obj.study, question=ScreeningQuestion.objects.get(pk=obj.pk), **fields)
        else:
            created = question_save(actor=actor, study=form.cleaned_data["study"], **fields)
            obj.pk, obj._state.adding = created.pk, False


# --- Survey recruitment (issue 6): read here, changed through the pages and the API, whose services
# hold the rules (a campaign's sending, an import's validation). Only the settings are edited here.

from recruit.models import (  # noqa: E402
    Campaign,
    CampaignRecipient,
    EligibilityRule,
    Message,
    ParticipantImport,
    RecruitmentSettings,
    SamplingQuota,
    ScreeningResponse,
)
from recruit.services.campaigns import SETTINGS_FIELDS as RECRUITMENT_SETTINGS_FIELDS  # noqa: E402
from recruit.services.campaigns import recruitment_settings_update  # noqa: E402


class StudyRowsAdmin(ReadOnlyScopedAdmin):
    """Rows that belong to a study through `study_path`; only the user's studies' rows are listed."""

    study_path = "study"

    def visible(self, request):
        studies = studies_visible_to(request.user).values("pk")
        return self.model.objects.filter(**{f"{self.study_path}__in": studies})


class PersonalDataViewAudited:
    """Opening one row shows a person's data: record it, as the participant's own page does."""

    audit_action = ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            audit_record(actor=Actor.from_request(request), action=self.audit_action,
                         detail={"admin": True, "id": object_id})
        return response


@admin.register(RecruitmentSettings)
class RecruitmentSettingsAdmin(StudyRowsAdmin):
    list_display = ["study", *RECRUITMENT_SETTINGS_FIELDS]
    search_fields = ["study__code", "study__title"]
    list_select_related = ["study"]
    fields = ["study", *RECRUITMENT_SETTINGS_FIELDS]
    readonly_fields = ["study"]

    def editable(self, request):
        return RecruitmentSettings.objects.filter(study__in=studies_editable_by(request.user).values("pk"))

    def has_change_permission(self, request, obj=None):
        # ScopedAdmin's check: only the studies this user edits, and the model permission.
        return ScopedAdmin.has_change_permission(self, request, obj)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in RECRUITMENT_SETTINGS_FIELDS if name in form.cleaned_data}
        recruitment_settings_update(actor=Actor.from_request(request), study=obj.study, **fields)


@admin.register(Campaign)
class CampaignAdmin(StudyRowsAdmin):
    list_display = ["name", "study", "status", "created_at", "started_at"]
    list_filter = ["status", "study"]
    search_fields = ["name", "subject_nb", "subject_en", "study__code"]
    list_select_related = ["study"]


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(PersonalDataViewAudited, StudyRowsAdmin):
    study_path = "campaign__study"
    audit_action = "campaign_recipient.view"
    list_display = ["participant", "campaign", "reminders_sent", "last_contacted_at"]
    list_filter = ["campaign__study", "reminders_sent", "message__status"]
    search_fields = ["participant__family_name", "participant__email", "campaign__name"]
    list_select_related = ["participant", "campaign"]


@admin.register(Message)
class MessageAdmin(StudyRowsAdmin):
    list_display = ["kind", "participant", "study", "status", "not_before", "sent_at", "attempts"]
    list_filter = ["status", "kind", "study"]
    search_fields = ["participant__family_name", "participant__email", "subject", "key"]
    list_select_related = ["participant", "study"]


@admin.register(ScreeningResponse)
class ScreeningResponseAdmin(PersonalDataViewAudited, StudyRowsAdmin):
    study_path = "enrollment__study"
    audit_action = "screening_response.view"
    list_display = ["enrollment", "is_eligible", "declined", "may_contact", "submitted_at"]
    list_filter = ["is_eligible", "declined", "may_contact", "enrollment__study"]
    search_fields = ["enrollment__participant__family_name", "enrollment__participant__email"]
    list_select_related = ["enrollment__participant", "enrollment__study"]


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(StudyRowsAdmin):
    list_display = ["study", "attribute", "operator", "value"]
    list_filter = ["operator", "study"]
    search_fields = ["attribute", "value", "study__code"]
    list_select_related = ["study"]


@admin.register(SamplingQuota)
class SamplingQuotaAdmin(StudyRowsAdmin):
    list_display = ["label", "study", "target", "target_is_percent"]
    list_filter = ["target_is_percent", "study"]
    search_fields = ["label", "study__code"]
    list_select_related = ["study"]


@admin.register(ParticipantImport)
class ParticipantImportAdmin(StudyRowsAdmin):
    list_display = ["filename", "study", "status", "row_count", "created_by", "created_at", "imported_at"]
    list_filter = ["status", "study"]
    search_fields = ["filename", "study__code", "created_by__username"]
    list_select_related = ["study", "created_by"]
    # The uploaded file itself (names and addresses) is never shown here.
    exclude = ["data"]
