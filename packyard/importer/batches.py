"""Import package records in batches: a few queries and one transaction for many records.

Record by record, each package costs about ten queries and a transaction of its own, and on
PostgreSQL the search index's statement-level triggers run for every row written. Here the
records a batch creates (a fresh directory) and the ones it leaves unchanged (a second run) are
looked up with one query per table and written with bulk inserts, so an import keeps its rate
as the tables grow. Any other record (an update, a clash with a row, a record that fails) goes
through `record_import` alone, at its place in the batch, after the records before it are
written, and what follows it is looked up again: the results are those of importing the records
one by one. The new packages written together are stored whole or not at all; when the
database refuses them, they are imported again one by one, which names the record at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from packyard.catalog.models import Category, Package
from packyard.grids.models import Grid, GridPackage
from packyard.importer.models import RecordKind, UpstreamRecord
from packyard.importer.records import PackageRecord, RecordError, parse_package
from packyard.importer.services import (
    PYPI_NAME_MAX_LENGTH,
    ImportSummary,
    _resolve_many,
    package_values,
    record_digest,
    record_import,
)

# Records a batch holds: each batch is one transaction of bulk inserts.
BATCH_SIZE = 100

Item = tuple[str, Any]  # Where a record came from, and the record (or why it is not one).


@dataclass(frozen=True)
class _Existing:
    """What the database holds that the records of a stretch of a batch refer to."""

    upstream: dict[int, UpstreamRecord]
    package_ids: set[int]
    slugs: set[str]
    repo_keys: set[str]
    categories: dict[int, int]
    grids: dict[int, int]
    grids_of: dict[int, set[int]]

    def wanted_grids(self, record: PackageRecord) -> list[int]:
        """Return the local grids of a record's grids, in the record's order."""
        return list(
            dict.fromkeys(
                self.grids[upstream_id]
                for upstream_id in record.grid_ids
                if upstream_id in self.grids
            )
        )


@dataclass
class _Pending:
    """New packages waiting to be written together, with the records around them."""

    entries: list[tuple[Item, bool]] = field(default_factory=list)  # Whether a new package.
    packages: list[Package] = field(default_factory=list)
    memberships: list[GridPackage] = field(default_factory=list)
    remembered: list[UpstreamRecord] = field(default_factory=list)
    ids: set[int] = field(default_factory=set)
    slugs: set[str] = field(default_factory=set)
    repo_keys: set[str] = field(default_factory=set)

    def clashes(self, record: PackageRecord, repo_key: str | None) -> bool:
        return (
            record.id in self.ids
            or record.slug in self.slugs
            or (repo_key is not None and repo_key in self.repo_keys)
        )


def packages_import(*, source: str, items: Sequence[Item], summary: ImportSummary) -> None:
    """Import package records in their order, the new and the unchanged ones in bulk."""
    records = [_parsed(data) for _place, data in items]
    # The category is resolved later; the rest (the repository's key, say) is worked out once.
    values = [
        package_values(record, category_id=0) if record is not None else {} for record in records
    ]
    start = 0
    while start < len(items):
        start = _import_stretch(
            source=source,
            items=items,
            records=records,
            values=values,
            start=start,
            summary=summary,
        )


def _parsed(data: Any) -> PackageRecord | None:
    """Return the record read, or None for one that `record_import` reports as a failure."""
    if not isinstance(data, dict):
        return None
    try:
        return parse_package(data)
    except RecordError:
        return None


def _import_stretch(
    *,
    source: str,
    items: Sequence[Item],
    records: Sequence[PackageRecord | None],
    values: Sequence[dict[str, Any]],
    start: int,
    summary: ImportSummary,
) -> int:
    """Import records from `start` on while the rows looked up stay true; return where to go on."""
    existing = _look_up(
        source=source,
        records=[record for record in records[start:] if record is not None],
        repo_keys={each["repo_key"] for each in values[start:] if each.get("repo_key")},
    )
    pending = _Pending()
    for index in range(start, len(items)):
        item, record = items[index], records[index]
        if record is None:
            pending.entries.append(
                (item, False)
            )  # Reported in its place when the pending are written.
            continue
        data = item[1]
        digest = record_digest(data)
        upstream = existing.upstream.get(record.id)
        if (
            upstream is not None
            and upstream.digest == digest
            and upstream.object_id in existing.package_ids
            and set(existing.wanted_grids(record))
            == existing.grids_of.get(upstream.object_id, set())
        ):
            summary.add("unchanged")
            continue
        category_id = existing.categories.get(record.category_id)
        repo_key = values[index]["repo_key"]
        if pending.clashes(record, repo_key):
            # Written first, the pending rows answer the look-up this record needs.
            _write(source=source, pending=pending, summary=summary)
            return index
        if (
            upstream is None
            and category_id is not None
            and record.id not in existing.package_ids
            and record.slug not in existing.slugs
            and not (repo_key and repo_key in existing.repo_keys)
            and len(values[index]["pypi_name"]) <= PYPI_NAME_MAX_LENGTH
        ):
            _add(
                pending,
                item=item,
                record=record,
                values={**values[index], "category_id": category_id},
                digest=digest,
                source=source,
                grids=existing.wanted_grids(record),
            )
            continue
        _write(source=source, pending=pending, summary=summary)
        record_import(
            source=source, kind=RecordKind.PACKAGE, place=item[0], data=data, summary=summary
        )
        return index + 1
    _write(source=source, pending=pending, summary=summary)
    return len(items)


def _look_up(*, source: str, records: Sequence[PackageRecord], repo_keys: set[str]) -> _Existing:
    """Read, in one query per table, the rows the records may match or refer to."""
    ids = {record.id for record in records}
    upstream = {
        row.upstream_id: row
        for row in UpstreamRecord.objects.filter(
            source=source, kind=RecordKind.PACKAGE, upstream_id__in=ids
        )
    }
    mapped = {row.object_id for row in upstream.values()}
    package_ids = set(Package.objects.filter(pk__in=ids | mapped).values_list("pk", flat=True))
    slugs = set(
        Package.objects.filter(slug__in={record.slug for record in records}).values_list(
            "slug", flat=True
        )
    )
    held = Package.objects.filter(repo_key__in=repo_keys).values_list("repo_key", flat=True)
    grids_of: dict[int, set[int]] = {}
    for package_id, grid_id in GridPackage.objects.filter(
        package_id__in=mapped & package_ids
    ).values_list("package_id", "grid_id"):
        grids_of.setdefault(package_id, set()).add(grid_id)
    return _Existing(
        upstream=upstream,
        package_ids=package_ids,
        slugs=slugs,
        repo_keys={key for key in held if key is not None},
        categories=_resolve_many(
            source=source,
            kind=RecordKind.CATEGORY,
            upstream_ids=tuple({record.category_id for record in records}),
            model=Category,
        ),
        grids=_resolve_many(
            source=source,
            kind=RecordKind.GRID,
            upstream_ids=tuple({grid for record in records for grid in record.grid_ids}),
            model=Grid,
        ),
        grids_of=grids_of,
    )


def _add(
    pending: _Pending,
    *,
    item: Item,
    record: PackageRecord,
    values: dict[str, Any],
    digest: str,
    source: str,
    grids: list[int],
) -> None:
    """Queue a new package, its grid memberships and what is remembered of its record."""
    # The upstream id is free: the row keeps it, as `package_import` does.
    package = Package(pk=record.id, **values)
    pending.entries.append((item, True))
    pending.packages.append(package)
    pending.memberships += [GridPackage(grid_id=grid_id, package=package) for grid_id in grids]
    pending.remembered.append(
        UpstreamRecord(
            source=source,
            kind=RecordKind.PACKAGE,
            upstream_id=record.id,
            object_id=record.id,
            digest=digest,
            imported_at=timezone.now(),
        )
    )
    pending.ids.add(record.id)
    pending.slugs.add(record.slug)
    if values["repo_key"] is not None:
        pending.repo_keys.add(values["repo_key"])


def _write(*, source: str, pending: _Pending, summary: ImportSummary) -> None:
    """Write the pending packages in one transaction, and report the pending records in order.

    When the database refuses the rows, the transaction is rolled back and every pending
    record is imported again alone, so the failure names its record as it would have.
    """
    written = True
    if pending.packages:
        try:
            with transaction.atomic():
                Package.objects.bulk_create(pending.packages)
                GridPackage.objects.bulk_create(pending.memberships)
                UpstreamRecord.objects.bulk_create(pending.remembered)
        except DatabaseError:
            written = False
    for (place, data), new in pending.entries:
        if new and written:
            summary.add("created")
        else:
            record_import(
                source=source, kind=RecordKind.PACKAGE, place=place, data=data, summary=summary
            )
