"""Dates in the reader's language: bokmål writes the ordinal dot ("23. november 2026"), English does not.

The formats are named in recruit/formats/<language>/formats.py; templates and code use the names.
"""
import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import translation
from django.utils.formats import date_format

from recruit.formats.en import formats as en_formats
from recruit.formats.nb import formats as nb_formats
from recruit.models import Study
from recruit.services.bookings import booking_create
from tests.conftest import client_for
from tests.scheduling_helpers import make_bookable, make_session

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
START = datetime.datetime(2026, 12, 10, 18, 0, tzinfo=OSLO)  # a Thursday


def format_names(module):
    return {name for name in vars(module) if name.endswith("_FORMAT")}


def test_both_languages_define_the_same_format_names():
    # A name missing in one language would print as the format itself ("ABBR_DATE_FORMAT" read as letters).
    assert format_names(en_formats) == format_names(nb_formats)


@pytest.mark.parametrize(("language", "name", "expected"), [
    ("nb", "DATE_FORMAT", "23. november 2026"),
    ("en", "DATE_FORMAT", "23 November 2026"),
    ("nb", "WEEKDAY_DATETIME_FORMAT", "mandag 23. november 2026, 19:05"),
    ("en", "WEEKDAY_DATETIME_FORMAT", "Monday 23 November 2026, 19:05"),
    ("nb", "ABBR_WEEKDAY_MONTH_DAY_FORMAT", "man. 23. nov."),
    ("en", "ABBR_WEEKDAY_MONTH_DAY_FORMAT", "Mon 23 Nov"),
    ("nb", "ABBR_DATETIME_FORMAT", "23. nov. 2026 19:05"),
    ("en", "ABBR_DATETIME_FORMAT", "23 Nov 2026 19:05"),
])
def test_a_named_format_reads_as_the_language_writes_it(language, name, expected):
    with translation.override(language):
        assert date_format(datetime.datetime(2026, 11, 23, 19, 5), name) == expected


def test_may_is_not_abbreviated_in_bokmal():
    with translation.override("nb"):
        assert date_format(datetime.date(2027, 5, 4), "ABBR_DATE_FORMAT") == "4. mai 2027"


@pytest.fixture
def _before_the_session(monkeypatch):
    from django.utils import timezone

    now = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=OSLO)
    monkeypatch.setattr(timezone, "now", lambda: now)


@pytest.mark.django_db
@pytest.mark.usefixtures("_before_the_session")
@pytest.mark.parametrize(("language", "expected"), [
    ("nb", "torsdag 10. desember 2026, 18:00–20:00"),
    ("en", "Thursday 10 December 2026, 18:00–20:00"),
])
def test_the_booking_confirmation_writes_the_date_in_the_participants_language(
        language, expected, study_a, actor_a, django_capture_on_commit_callbacks):
    session = make_session(study_a, start=START, title="Fokusgruppe")
    with django_capture_on_commit_callbacks(execute=True):
        booking_create(actor=actor_a, session=session, enrollment=make_bookable(study_a, preferred_language=language))

    (email,) = mail.outbox
    assert expected in email.body


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), [("nb", "23. nov. 2026 – 4. mai 2027"),
                                                   ("en", "23 Nov 2026 – 4 May 2027")])
def test_the_study_page_writes_its_period_in_the_coordinators_language(language, expected, study_a, coordinator_a):
    Study.objects.filter(pk=study_a.pk).update(start_date=datetime.date(2026, 11, 23),
                                               end_date=datetime.date(2027, 5, 4))
    page = client_for(coordinator_a).get(f"/studies/{study_a.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in page
