from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api.views.imports import ParticipantImportViewSet
from api.views.grouping import BalanceView, EvaluateView
from api.views.participants import ParticipantViewSet, RegionViewSet
from api.views.polls import PollViewSet
from api.views.sessions import BookingViewSet, SessionViewSet
from api.views.recruitment import (
    CampaignViewSet,
    EligibilityRuleViewSet,
    MessageViewSet,
    SamplingQuotaViewSet,
    ScreeningQuestionViewSet,
    ScreeningResponseViewSet,
)
from api.views.studies import EnrollmentViewSet, MembershipViewSet, StudyViewSet
from api.views.tokens import TokenView

from api.views.consent import (  # noqa: E402
    ConsentDocumentViewSet,
    ConsentRequestViewSet,
    ConsentVersionViewSet,
    SignatureViewSet,
    WithdrawalViewSet,
)

router = DefaultRouter()
router.register("participants", ParticipantViewSet, basename="participant")
router.register("studies", StudyViewSet, basename="study")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")
router.register("regions", RegionViewSet, basename="region")
router.register("sessions", SessionViewSet, basename="session")
router.register("bookings", BookingViewSet, basename="booking")
router.register("polls", PollViewSet, basename="poll")
router.register("imports", ParticipantImportViewSet, basename="import")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("messages", MessageViewSet, basename="message")
router.register("screening-questions", ScreeningQuestionViewSet, basename="screening-question")
router.register("eligibility-rules", EligibilityRuleViewSet, basename="eligibility-rule")
router.register("screening-responses", ScreeningResponseViewSet, basename="screening-response")
router.register("sampling-quotas", SamplingQuotaViewSet, basename="sampling-quota")
router.register("consent-documents", ConsentDocumentViewSet, basename="consent-document")
router.register("consent-versions", ConsentVersionViewSet, basename="consent-version")
router.register("consent-requests", ConsentRequestViewSet, basename="consent-request")
router.register("consent-signatures", SignatureViewSet, basename="consent-signature")
router.register("withdrawals", WithdrawalViewSet, basename="withdrawal")

app_name = "api"

urlpatterns = [
    path("v1/studies/<int:pk>/balance/", BalanceView.as_view(), name="study-balance"),
    path("v1/studies/<int:pk>/balance/evaluate/", EvaluateView.as_view(), name="study-balance-evaluate"),
    path("v1/", include(router.urls)),
    path("v1/auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI sets inline styles from its own script; only this page allows them.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
]

# Anonymised export and the participant's rights.
from api.views import exports  # noqa: E402

urlpatterns += [
    path("v1/studies/<int:pk>/table1/", exports.Table1View.as_view(), name="study-table1"),
    path("v1/studies/<int:pk>/pseudonymised/", exports.PseudonymisedView.as_view(), name="study-pseudonymised"),
    path("v1/studies/<int:pk>/pseudonymised/export/", exports.PseudonymisedExportView.as_view(),
         name="study-pseudonymised-export"),
    path("v1/studies/<int:pk>/pseudonym-key/", exports.PseudonymKeyView.as_view(), name="study-pseudonym-key"),
    path("v1/participants/<int:pk>/data/", exports.ParticipantDataView.as_view(), name="participant-data"),
    path("v1/participants/<int:pk>/restrict/", exports.ParticipantRestrictView.as_view(), name="participant-restrict"),
    path("v1/participants/<int:pk>/erase/", exports.ParticipantEraseView.as_view(), name="participant-erase"),
]
