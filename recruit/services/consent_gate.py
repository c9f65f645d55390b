"""Whether an enrollment holds a valid consent: the one question scheduling asks of consent.

Valid means a signature, not withdrawn, of the study's current consent version (the highest
version number published, in any language), by an enrollment that has not withdrawn.
"""
from recruit.pipeline import Status


def has_valid_consent(enrollment) -> bool:
    from recruit.models import SignatureRecord
    from recruit.services.consent import current_number_subquery

    if enrollment.status == Status.WITHDRAWN:
        return False
    # One query: with nothing published the subquery is NULL, which no version number equals.
    return SignatureRecord.objects.filter(
        enrollment=enrollment, withdrawn_at__isnull=True, version__number=current_number_subquery(enrollment.study_id),
        version__document__study_id=enrollment.study_id,
    ).exists()
