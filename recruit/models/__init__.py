from recruit.models.audit import AuditEvent
from recruit.models.enrollments import Enrollment, StatusChange
from recruit.models.participants import Gender, Language, Participant, PracticeSetting, Role
from recruit.models.regions import Region
from recruit.models.studies import Membership, Study

__all__ = [
    "AuditEvent",
    "Enrollment",
    "Gender",
    "Language",
    "Membership",
    "Participant",
    "PracticeSetting",
    "Region",
    "Role",
    "StatusChange",
    "Study",
]
