"""Load Norway's 15 counties (2024 division) from fixtures/regions_no.json.

Regions are data: another country is another fixture, loaded with `manage.py load_regions FILE`.
"""
import json

from django.db import migrations

from recruit.regions import NORWAY, load_regions


def load(apps, schema_editor):
    load_regions(apps.get_model("recruit", "Region"), NORWAY)


def unload(apps, schema_editor):
    Region = apps.get_model("recruit", "Region")
    codes = [row["fields"]["code"] for row in json.loads(NORWAY.read_text(encoding="utf-8"))]
    Region.objects.filter(country="NO", code__in=codes, participant__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("recruit", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
