"""The demo directory that `make run` loads: real djangopackages.org records, and a few features."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from packyard.grids.models import Grid, GridPackage
from packyard.grids.services import element_set, feature_create
from packyard.importer.dumps import KIND_ORDER, read_dump
from packyard.importer.services import ImportSummary, record_import, sequences_reset

DEMO_DIR = Path(__file__).resolve().parent / "demo"
DEMO_FEATURES = Path(__file__).resolve().parent / "demo_features.json"
DEMO_SOURCE = "demo"


def demo_load(*, on_record: Callable[[], None] | None = None) -> ImportSummary:
    """Import the demo categories, grids and packages, then the demo features and cells."""
    records = read_dump(DEMO_DIR)
    summary = ImportSummary()
    for kind in KIND_ORDER:
        for place, data in records[kind]:
            record_import(source=DEMO_SOURCE, kind=kind, place=place, data=data, summary=summary)
            if on_record:
                on_record()
    sequences_reset()
    demo_features_load()
    return summary


def demo_record_count() -> int:
    """Return how many records the demo holds (for progress bars)."""
    return sum(len(items) for items in read_dump(DEMO_DIR).values())


@transaction.atomic
def demo_features_load() -> None:
    """Give a few demo grids their features and cells (skipping grids that have features)."""
    content = json.loads(DEMO_FEATURES.read_text(encoding="utf-8"))
    for slug, features in content.items():
        if slug.startswith("_"):
            continue
        grid = Grid.objects.filter(slug=slug).first()
        if grid is None or grid.features.exists():
            continue
        memberships = {
            membership.package.slug: membership
            for membership in GridPackage.objects.filter(grid=grid).select_related("package")
        }
        for spec in features:
            feature = feature_create(
                grid=grid, title=spec["title"], description=spec["description"]
            )
            for package_slug, text in spec["cells"].items():
                if package_slug in memberships:
                    element_set(grid_package=memberships[package_slug], feature=feature, text=text)
