"""Rows of the compatibility and scoring tables, for tests that need one of each."""

from __future__ import annotations

from django.utils import timezone

from packyard.compatibility.cycles import PRODUCTS, shipped_cycles
from packyard.compatibility.services import release_cycles_import
from packyard.scoring.advisories import parse_osv
from packyard.scoring.services import (
    advisories_import,
    package_status_set,
    scores_recompute,
    scores_snapshot,
)


def scoring_rows(*, package, other) -> None:
    """Create one row of every compatibility and scoring model: `package` requires `other`."""
    for product in PRODUCTS:
        release_cycles_import(product=product, cycles=shipped_cycles(product))
    package.requires_dist = [f"{other.pypi_name or other.slug}>=0"]
    package.save(update_fields=["requires_dist"])
    advisories_import(
        records=[
            parse_osv(
                {
                    "id": "GHSA-xxxx-yyyy-zzzz",
                    "summary": "An example advisory",
                    "affected": [
                        {
                            "package": {"ecosystem": "PyPI", "name": package.pypi_name or "x"},
                            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                        }
                    ],
                }
            )
        ]
    )
    package_status_set(
        package=package,
        deprecated=package.deprecated_at is not None,
        replaced_by=package.replaced_by,
        needs_maintainer=True,
        note="Looking for help.",
    )
    scores_recompute(package_ids=[package.pk, other.pk])
    scores_snapshot(today=timezone.localdate())
