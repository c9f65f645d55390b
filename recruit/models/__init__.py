from recruit.models.audit import AuditEvent
from recruit.models.consent import (
    ConsentDocument,
    ConsentRequest,
    ConsentStatement,
    ConsentVersion,
    SignatureRecord,
    Withdrawal,
)
from recruit.models.enrollments import Enrollment, StatusChange
from recruit.models.links import LinkFailure, PersonalLink
from recruit.models.messages import Message
from recruit.models.participants import Gender, Language, Participant, PracticeSetting, Role
from recruit.models.polls import Poll, PollAnswer, PollOption
from recruit.models.regions import Region
from recruit.models.sessions import Booking, CalendarFeed, SchedulingSettings, Session
from recruit.models.studies import Membership, Study

__all__ = [
    "AuditEvent",
    "Booking",
    "CalendarFeed",
    "ConsentDocument",
    "ConsentRequest",
    "ConsentStatement",
    "ConsentVersion",
    "Enrollment",
    "Gender",
    "Language",
    "LinkFailure",
    "Membership",
    "Message",
    "Participant",
    "PersonalLink",
    "Poll",
    "PollAnswer",
    "PollOption",
    "PracticeSetting",
    "Region",
    "Role",
    "SchedulingSettings",
    "Session",
    "SignatureRecord",
    "StatusChange",
    "Study",
    "Withdrawal",
]

from recruit.models.imports import ParticipantImport  # noqa: E402

__all__ += ["ParticipantImport"]

from recruit.models.campaigns import Campaign, CampaignRecipient, RecruitmentSettings  # noqa: E402

__all__ += ["Campaign", "CampaignRecipient", "RecruitmentSettings"]

from recruit.models.screening import EligibilityRule, ScreeningQuestion, ScreeningResponse  # noqa: E402

__all__ += ["EligibilityRule", "ScreeningQuestion", "ScreeningResponse"]

from recruit.models.sampling import SamplingQuota  # noqa: E402

__all__ += ["SamplingQuota"]

from recruit.models.pseudonyms import Pseudonym  # noqa: E402

__all__ += ["Pseudonym"]

from recruit.models.gdpr import ParticipationProof  # noqa: E402

__all__ += ["ParticipationProof"]
