"""Whether an enrollment holds a valid consent: the one question scheduling asks of consent.

Valid means a signature, not withdrawn, of the study's current consent version (the highest
version number published, in any language), by an enrollment that has not withdrawn.
"""
from recruit.pipeline import Status


def has_valid_consent(enrollment) -> bool:
    from recruit.models import SignatureRecord
    from recruit.services.consent import current_number

    if enrollment.status == Status.WITHDRAWN:
        return False
    number = current_number(enrollment.study)
    if number is None:
        return False
    return SignatureRecord.objects.filter(
        enrollment=enrollment, withdrawn_at__isnull=True, version__number=number,
        version__document__study_id=enrollment.study_id,
    ).exists()
