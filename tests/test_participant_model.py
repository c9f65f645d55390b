import datetime

import pytest
from django.core.exceptions import ValidationError

from recruit.models import Participant

from .conftest import make_participant

pytestmark = pytest.mark.django_db


def build(**overrides):
    fields = {
        "given_name": "Kari", "family_name": "Nordmann", "email": "kari@example.org", "birth_year": 1980,
        "gender": "female", "gp_start_year": 2010, "role": "gp",
    }
    return Participant(**{**fields, **overrides})


def test_age_and_experience_are_derived_for_a_reference_date():
    participant = build(birth_year=1970, gp_start_year=2000)
    assert participant.age(datetime.date(2026, 11, 23)) == 56
    assert participant.experience(datetime.date(2026, 11, 23)) == 26
    # The same person, ten years later: nothing stored needs changing.
    assert participant.age(datetime.date(2036, 1, 1)) == 66
    assert participant.experience(datetime.date(2036, 1, 1)) == 36


def test_experience_is_unknown_without_a_start_year():
    assert build(gp_start_year=None).experience(datetime.date(2026, 1, 1)) is None


def test_it_refuses_a_birth_year_in_the_future():
    with pytest.raises(ValidationError) as error:
        build(birth_year=datetime.date.today().year + 1, gp_start_year=None).full_clean()
    assert error.value.error_dict["birth_year"][0].code == "birth_year_future"
    assert "in the future" in error.value.message_dict["birth_year"][0]


def test_it_refuses_experience_longer_than_adult_life():
    with pytest.raises(ValidationError) as error:
        build(birth_year=1980, gp_start_year=1990).full_clean()
    assert error.value.error_dict["gp_start_year"][0].code == "experience_exceeds_adult_life"
    assert "longer than this participant's adult life" in error.value.message_dict["gp_start_year"][0]


def test_it_refuses_a_start_year_in_the_future():
    with pytest.raises(ValidationError) as error:
        build(gp_start_year=datetime.date.today().year + 2).full_clean()
    assert error.value.error_dict["gp_start_year"][0].code == "gp_start_future"


def test_the_database_refuses_experience_longer_than_adult_life_too():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        build(birth_year=1980, gp_start_year=1985).save()


def test_email_is_unique_regardless_of_case():
    make_participant(email="Kari.Nordmann@Example.org")
    with pytest.raises(ValidationError) as error:
        build(email="kari.nordmann@example.org").full_clean()
    assert error.value.error_dict["email"][0].code == "email_taken"


def test_hpr_number_is_digits_only():
    with pytest.raises(ValidationError) as error:
        build(hpr_number="12a456").full_clean()
    assert error.value.error_dict["hpr_number"][0].code == "hpr_digits"


@pytest.mark.parametrize("phone", ["+47 900 00 001", "22 85 05 00", "(+47) 22-85-05-00", "91417776"])
def test_phone_numbers_as_people_write_them_are_accepted(phone):
    build(phone=phone).full_clean()


@pytest.mark.parametrize("phone", ["xx", "12", "+", "900 00 00x", "ring meg"])
def test_a_phone_number_needs_digits(phone):
    with pytest.raises(ValidationError) as error:
        build(phone=phone).full_clean()
    assert error.value.error_dict["phone"][0].code == "phone_digits"


def test_hpr_number_is_unique_when_given_and_may_be_blank_for_many():
    make_participant(hpr_number="1234567")
    make_participant(hpr_number="")
    build(email="other@example.org", hpr_number="").full_clean()
    with pytest.raises(ValidationError) as error:
        build(email="third@example.org", hpr_number="1234567").full_clean()
    assert error.value.error_dict["hpr_number"][0].code == "hpr_taken"
