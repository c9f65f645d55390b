import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recruit.models import Region

pytestmark = pytest.mark.django_db


def test_norways_fifteen_counties_are_loaded_by_migration_with_their_numbers():
    counties = dict(Region.objects.filter(country="NO").values_list("code", "name"))
    assert len(counties) == 15
    assert (counties["03"], counties["46"], counties["56"]) == ("Oslo", "Vestland", "Finnmark")


def test_another_country_is_another_fixture(tmp_path):
    path = tmp_path / "regions_se.json"
    path.write_text(json.dumps([
        {"model": "recruit.region", "fields": {"country": "SE", "code": "01", "name": "Stockholms län"}},
        {"model": "recruit.region", "fields": {"country": "SE", "code": "12", "name": "Skåne län"}},
    ]), encoding="utf-8")
    call_command("load_regions", str(path))
    call_command("load_regions", str(path))  # loading again updates, never duplicates
    assert list(Region.objects.filter(country="SE").values_list("name", flat=True)) == ["Stockholms län", "Skåne län"]


def test_a_broken_fixture_is_refused_and_loads_nothing(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps([
        {"model": "recruit.region", "fields": {"country": "DK", "code": "84", "name": "Hovedstaden"}},
        {"model": "recruit.region", "fields": {"country": "DK"}},
    ]), encoding="utf-8")
    with pytest.raises(CommandError, match="not a region fixture"):
        call_command("load_regions", str(path))
    assert not Region.objects.filter(country="DK").exists()
