"""Store OSV advisories and the projects they affect, then rescore the packages they name.

Reading OSV records is `packyard.scoring.advisories`; this module writes what it reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from packyard.scoring.advisories import OsvRecord
from packyard.scoring.models import Advisory, AffectedPackage
from packyard.scoring.selectors import packages_by_pypi_name
from packyard.scoring.services.scores import BATCH_SIZE, scores_recompute


@dataclass
class AdvisoriesImported:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rescored: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} advisories added, {self.updated} updated, {self.unchanged} "
            f"unchanged; {self.rescored} packages of the directory rescored"
        )


def _advisory_values(record: OsvRecord) -> dict[str, Any]:
    return {
        "aliases": list(record.aliases),
        "summary": record.summary,
        "link": record.link,
        "published": record.published,
        "modified": record.modified,
        "withdrawn": record.withdrawn,
    }


@transaction.atomic
def _advisories_store(
    records: Sequence[OsvRecord], now: datetime, result: AdvisoriesImported
) -> set[str]:
    """Store a chunk of advisories and their affected projects; return the projects named."""
    existing = {
        row.advisory_id: row
        for row in Advisory.objects.filter(advisory_id__in=[r.advisory_id for r in records])
    }
    affected_before: dict[int, set[str]] = defaultdict(set)
    for advisory_id, name in AffectedPackage.objects.filter(
        advisory__in=[row.pk for row in existing.values()]
    ).values_list("advisory_id", "name"):
        affected_before[advisory_id].add(name)
    names: set[str] = set()
    changed: list[Advisory] = []
    for record in records:
        values = _advisory_values(record)
        row = existing.get(record.advisory_id)
        record_names = {affected.name for affected in record.affected}
        if row is None:
            row = Advisory.objects.create(advisory_id=record.advisory_id, imported_at=now, **values)
            existing[record.advisory_id] = row
            result.created += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.imported_at = now
            row.save()
            result.updated += 1
        else:
            result.unchanged += 1
        names |= record_names | affected_before.get(row.pk, set())
        changed.append(row)
    AffectedPackage.objects.filter(advisory__in=[row.pk for row in changed]).delete()
    AffectedPackage.objects.bulk_create(
        [
            AffectedPackage(
                advisory=existing[record.advisory_id],
                name=affected.name,
                ranges=list(affected.ranges),
                versions=list(affected.versions),
            )
            for record in records
            for affected in record.affected
        ]
    )
    return names


def advisories_import(
    *,
    records: Iterable[OsvRecord],
    now: datetime | None = None,
    chunk_size: int = 500,
    on_record: Callable[[], object] | None = None,
) -> AdvisoriesImported:
    """Add or update OSV advisories, then rescore the directory's packages they name.

    Each chunk is stored atomically; a record appearing twice keeps its last version.
    """
    now = now or timezone.now()
    result = AdvisoriesImported()
    names: set[str] = set()
    chunk: dict[str, OsvRecord] = {}
    for record in records:
        chunk[record.advisory_id] = record
        if on_record:
            on_record()
        if len(chunk) >= chunk_size:
            names |= _advisories_store(list(chunk.values()), now, result)
            chunk = {}
    if chunk:
        names |= _advisories_store(list(chunk.values()), now, result)
    package_ids = sorted(package.pk for package in packages_by_pypi_name(names=names).values())
    for start in range(0, len(package_ids), BATCH_SIZE):
        result.rescored += scores_recompute(
            package_ids=package_ids[start : start + BATCH_SIZE], now=now
        )
    return result
