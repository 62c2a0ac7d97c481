"""Each score keeps the facts its reasons could not read, so badges need not read the reasons."""

from typing import Any

from django.db import migrations, models

from packyard.scoring.gaps import missing_facts

BATCH = 2000


def missing_fill(apps: Any, schema_editor: Any) -> None:
    PackageScore = apps.get_model("scoring", "PackageScore")  # noqa: N806 - a model class.
    rows = PackageScore.objects.only("package_id", "reasons").order_by("package_id")
    changed = []
    for score in rows.iterator(chunk_size=BATCH):
        missing = missing_facts(score.reasons)
        if missing:
            score.missing = missing
            changed.append(score)
        if len(changed) >= BATCH:
            PackageScore.objects.bulk_update(changed, ["missing"])
            changed = []
    PackageScore.objects.bulk_update(changed, ["missing"])


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="packagescore",
            name="missing",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The facts its reasons could not read, in order (kept from the reasons, "
                "so a badge need not read them).",
            ),
        ),
        migrations.RunPython(missing_fill, migrations.RunPython.noop, elidable=True),
    ]
