"""Load the Django and Python release cycles shipped in packyard/compatibility/data/."""

from django.db import migrations
from django.utils import timezone

from packyard.compatibility.cycles import PRODUCTS, shipped_cycles

FIELDS = ("major", "minor", "release_date", "support", "eol", "eol_reached", "lts", "latest")


def load(apps, schema_editor):
    ReleaseCycle = apps.get_model("compatibility", "ReleaseCycle")
    now = timezone.now()
    for product in PRODUCTS:
        for facts in shipped_cycles(product):
            ReleaseCycle.objects.update_or_create(
                product=product,
                cycle=facts.cycle,
                defaults={**{name: getattr(facts, name) for name in FIELDS}, "modified": now},
            )


class Migration(migrations.Migration):
    dependencies = [("compatibility", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
