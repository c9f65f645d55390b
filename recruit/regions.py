"""Regions are data: a fixture file per country, loaded by a data migration or `load_regions`."""
import functools
import json
from pathlib import Path

NORWAY = Path(__file__).resolve().parent.parent / "fixtures" / "regions_no.json"


def load_regions(region_model, path: Path = NORWAY) -> int:
    """Create or update the regions in a fixture file; returns how many it holds.

    Takes the model class so the data migration can pass its historical model.
    """
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    for row in rows:
        fields = row["fields"]
        region_model.objects.update_or_create(
            country=fields["country"], code=fields["code"],
            defaults={"name": fields["name"], "area": fields.get("area", ""), "population": fields.get("population")},
        )
    region_choices.cache_clear()
    return len(rows)


@functools.cache
def region_choices() -> list[tuple[str, str]]:
    """(id, name) of every region, kept per process: regions change only when a fixture is loaded."""
    from recruit.models import Region

    return [(str(pk), name) for pk, name in Region.objects.order_by("country", "name").values_list("pk", "name")]
