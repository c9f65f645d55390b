from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from recruit.views import (
    audit,
    calendar_feed,
    dashboard,
    enrollments,
    exports,
    grouping,
    links,
    participants,
    polls,
    self_booking,
    sessions,
    studies,
)
from recruit.views import consent, consent_participant

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("studies/new/", studies.study_new, name="study-new"),
    path("studies/<int:pk>/", studies.study_detail, name="study-detail"),
    path("studies/<int:pk>/edit/", studies.study_edit, name="study-edit"),
    path("studies/<int:pk>/members/", studies.membership_new, name="membership-new"),
    path("studies/<int:pk>/members/<int:membership_pk>/delete/", studies.membership_delete, name="membership-delete"),
    path("studies/<int:pk>/groups/", grouping.grouping_page, name="study-groups"),
    path("studies/<int:pk>/groups/evaluate/", grouping.grouping_evaluate_view, name="study-groups-evaluate"),
    path("participants/", participants.participant_list, name="participant-list"),
    path("participants/new/", participants.participant_new, name="participant-new"),
    path("participants/<int:pk>/", participants.participant_detail, name="participant-detail"),
    path("participants/<int:pk>/edit/", participants.participant_edit, name="participant-edit"),
    path("participants/<int:participant_pk>/enroll/", enrollments.enrollment_new, name="enrollment-new"),
    path("enrollments/<int:pk>/status/", enrollments.enrollment_transition_view, name="enrollment-transition"),
    path("studies/<int:pk>/table1/", exports.table1_page, name="table1"),
    path("studies/<int:pk>/table1.<str:fmt>", exports.table1_download, name="table1-download"),
    path("studies/<int:pk>/pseudonymised/", exports.pseudonymised_page, name="pseudonymised"),
    path("studies/<int:pk>/pseudonymised.csv", exports.pseudonymised_download, name="pseudonymised-download"),
    path("studies/<int:pk>/pseudonym-key.csv", exports.pseudonym_key_download, name="pseudonym-key"),
    path("studies/<int:pk>/sessions/", sessions.session_list, name="session-list"),
    path("studies/<int:pk>/sessions/new/", sessions.session_new, name="session-new"),
    path("studies/<int:pk>/polls/", polls.poll_list, name="poll-list"),
    path("studies/<int:pk>/polls/<int:poll_pk>/", polls.poll_detail, name="poll-detail"),
    path("studies/<int:pk>/polls/<int:poll_pk>/send/", polls.poll_send, name="poll-send"),
    path("studies/<int:pk>/polls/<int:poll_pk>/times/<int:option_pk>/session/", polls.poll_option_session,
         name="poll-option-session"),
    path("studies/<int:pk>/sessions/settings/", sessions.scheduling_settings_edit, name="scheduling-settings"),
    path("studies/<int:pk>/sessions/invite/", sessions.booking_invitations_view, name="booking-invitations"),
    path("studies/<int:pk>/sessions/<int:session_pk>/", sessions.session_detail, name="session-detail"),
    path("studies/<int:pk>/sessions/<int:session_pk>/edit/", sessions.session_edit, name="session-edit"),
    path("studies/<int:pk>/sessions/<int:session_pk>/book/", sessions.booking_new, name="booking-new"),
    path("studies/<int:pk>/sessions/<int:session_pk>/bookings/<int:booking_pk>/cancel/",
         sessions.booking_cancel_view, name="booking-cancel"),
    path("studies/<int:pk>/sessions/<int:session_pk>/bookings/<int:booking_pk>/move/",
         sessions.booking_move_view, name="booking-move"),
    path("studies/<int:pk>/sessions/<int:session_pk>/bookings/<int:booking_pk>/attendance/",
         sessions.booking_attendance_view, name="booking-attendance"),
    path("studies/<int:pk>/sessions/<int:session_pk>/bookings/<int:booking_pk>/calendar.ics",
         sessions.booking_calendar_file, name="booking-ics"),
    path("calendar/", calendar_feed.calendar_feed_page, name="calendar-feed-page"),
    path("calendar/feed/", calendar_feed.calendar_feed_action, name="calendar-feed-action"),
    path("calendar/<str:token>.ics", calendar_feed.calendar_feed, name="calendar-feed"),
    # Participants' pages, reached through personal links.
    path("poll/", polls.participant_poll, name="participant-poll"),
    path("booking/", self_booking.self_booking, name="self-booking"),
    path("booking/book/", self_booking.self_booking_book, name="self-booking-book"),
    path("booking/cancel/", self_booking.self_booking_cancel, name="self-booking-cancel"),
    path("booking/<int:booking_pk>/calendar.ics", self_booking.self_booking_calendar, name="self-booking-calendar"),
    path("studies/<int:pk>/consent/", consent.consent_overview, name="consent-overview"),
    path("studies/<int:pk>/consent/documents/new/", consent.consent_document_new, name="consent-document-new"),
    path("studies/<int:pk>/consent/versions/<int:version_pk>/", consent.consent_version_detail, name="consent-version"),
    path("studies/<int:pk>/consent/versions/<int:version_pk>/copy/", consent.consent_version_new,
         name="consent-version-new"),
    path("studies/<int:pk>/consent/versions/<int:version_pk>/publish/", consent.consent_version_publish_view,
         name="consent-version-publish"),
    path("studies/<int:pk>/consent/requests/", consent.consent_requests_new, name="consent-requests-new"),
    path("studies/<int:pk>/consent/signatures/<int:signature_pk>/pdf/", consent.signature_pdf,
         name="consent-signature-pdf"),
    path("studies/<int:pk>/consent/signatures.zip", consent.signatures_zip, name="consent-zip"),
    path("studies/<int:pk>/consent/enrollments/<int:enrollment_pk>/withdraw/", consent.withdrawal_record,
         name="consent-withdrawal-record"),
    # Participants' pages, reached through personal links.
    path("consent/", consent_participant.consent_read, name="consent-read"),
    path("consent/review/", consent_participant.consent_review, name="consent-review"),
    path("consent/done/", consent_participant.consent_done, name="consent-done"),
    path("consent/pdf/", consent_participant.consent_pdf, name="consent-pdf"),
    path("consent/withdraw/", consent_participant.consent_withdraw, name="consent-withdraw"),
    path("withdraw/", consent_participant.withdrawal_page, name="withdrawal"),
    path("l/<str:token>/", links.link_entry, name="link-entry"),
    path("l/", links.link_landing, name="link-landing"),
    path("studies/<int:pk>/audit/", audit.audit_log, name="audit-log"),
    path("studies/<int:pk>/audit/export.csv", audit.audit_export, name="audit-export"),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

# Survey recruitment: imports, campaigns, screening, sampling frame.
from recruit.views import imports  # noqa: E402

urlpatterns += [
    path("studies/<int:pk>/imports/", imports.import_new, name="import-new"),
    path("studies/<int:pk>/imports/<int:import_pk>/", imports.import_detail, name="import-detail"),
    path("studies/<int:pk>/imports/<int:import_pk>/commit/", imports.import_commit_view, name="import-commit"),
]

from recruit.views import unsubscribe  # noqa: E402

urlpatterns += [
    path("p/unsubscribe/", unsubscribe.unsubscribe, name="unsubscribe"),
]

from recruit.views import campaigns  # noqa: E402

urlpatterns += [
    path("studies/<int:pk>/campaigns/", campaigns.campaign_list, name="campaign-list"),
    path("studies/<int:pk>/campaigns/new/", campaigns.campaign_edit, name="campaign-new"),
    path("studies/<int:pk>/campaigns/<int:campaign_pk>/", campaigns.campaign_detail, name="campaign-detail"),
    path("studies/<int:pk>/campaigns/<int:campaign_pk>/edit/", campaigns.campaign_edit, name="campaign-edit"),
    path("studies/<int:pk>/campaigns/<int:campaign_pk>/<str:action>/", campaigns.campaign_action,
         name="campaign-action"),
]

from recruit.views import screening  # noqa: E402

urlpatterns += [
    path("p/screening/", screening.screening, name="screening"),
    path("p/screening/decline/", screening.screening_decline, name="screening-decline"),
    path("p/screening/thanks/", screening.screening_done, name="screening-done"),
    path("studies/<int:pk>/screening/", screening.screening_editor, name="screening-editor"),
    path("studies/<int:pk>/screening/<str:kind>/<int:item_pk>/delete/", screening.screening_item_delete,
         name="screening-item-delete"),
    path("studies/<int:pk>/screening/question/<int:item_pk>/reportable/", screening.screening_question_reportable,
         name="screening-question-reportable"),
]

from recruit.views import sampling  # noqa: E402

urlpatterns += [
    path("studies/<int:pk>/sampling/", sampling.sampling_frame, name="sampling-frame"),
    path("studies/<int:pk>/sampling/<int:quota_pk>/delete/", sampling.quota_delete, name="quota-delete"),
]

# Anonymised export: the participant's rights (data, restriction, erasure).
from recruit.views import gdpr  # noqa: E402

urlpatterns += [
    path("participants/<int:pk>/data.<str:fmt>", gdpr.participant_data_download, name="participant-data"),
    path("participants/<int:pk>/restrict/", gdpr.participant_restrict_view, name="participant-restrict"),
    path("participants/<int:pk>/erase/", gdpr.participant_erase_view, name="participant-erase"),
    path("p/my-data/", gdpr.own_data, name="own-data"),
    path("p/my-data/data.<str:fmt>", gdpr.own_data_download, name="own-data-download"),
]

# A database that is briefly unreachable answers 503 with Retry-After (recruit/views/errors.py).
handler500 = "recruit.views.errors.server_error_page"
handler400 = "recruit.views.errors.bad_request_page"
