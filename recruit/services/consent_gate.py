"""Whether an enrollment holds a valid consent: the one question scheduling asks of consent.

Until the consent capability lands every enrollment passes; the consent feature replaces
this body with a check of a valid signature of the study's current consent version.
"""


def has_valid_consent(enrollment) -> bool:
    return True
