"""Store records of djangopackages.org's API v4 in Packyard's catalogue.

Each record is written in its own transaction: it is stored whole or not at all. Ids are kept
when they are free, so a directory imported into an empty Packyard answers `/api/v4/` with the
same ids; `UpstreamRecord` maps upstream ids to local rows and remembers each record's digest,
so importing the same record again writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from packyard.catalog.models import Category, Package
from packyard.core.repositories import RepositoryHost, repository_identity
from packyard.grids.models import Grid, GridPackage
from packyard.importer.models import ImportRun, RecordKind, UpstreamRecord
from packyard.importer.records import (
    PackageRecord,
    RecordError,
    parse_category,
    parse_grid,
    parse_package,
)

Outcome = Literal["created", "updated", "unchanged"]

PYPI_NAME_MAX_LENGTH = Package._meta.get_field("pypi_name").max_length or 200

_PYPI_NAME = re.compile(
    r"^https?://(?:www\.)?pypi\.(?:python\.)?org/(?:pypi|project)/([^/?#]+)", re.I
)


def record_digest(data: Mapping[str, Any]) -> str:
    """Return a stable digest of a record, ignoring key order."""
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def pypi_name_from_url(url: str) -> str:
    """Return the project name in a PyPI URL ("" when the URL is not PyPI's)."""
    match = _PYPI_NAME.match(url.strip())
    return match.group(1) if match else ""


def _upstream(*, source: str, kind: RecordKind, upstream_id: int) -> UpstreamRecord | None:
    """Return what an earlier import of this record remembered (None if it never was)."""
    return UpstreamRecord.objects.filter(source=source, kind=kind, upstream_id=upstream_id).first()


def _remember(
    upstream: UpstreamRecord | None,
    *,
    source: str,
    kind: RecordKind,
    upstream_id: int,
    object_id: int,
    digest: str,
) -> None:
    """Remember the record's local row and digest (`upstream` is what was remembered before)."""
    if upstream is None:
        UpstreamRecord.objects.create(
            source=source,
            kind=kind,
            upstream_id=upstream_id,
            object_id=object_id,
            digest=digest,
            imported_at=timezone.now(),
        )
        return
    upstream.object_id = object_id
    upstream.digest = digest
    upstream.imported_at = timezone.now()
    upstream.save(update_fields=["object_id", "digest", "imported_at"])


def _unchanged(upstream: UpstreamRecord | None, *, digest: str, model: type[Model]) -> Any:
    """Return the local row when this exact record was imported before and the row exists."""
    if upstream is None or upstream.digest != digest:
        return None
    return model._default_manager.filter(pk=upstream.object_id).first()


def _local(
    model: type[Model], upstream: UpstreamRecord | None, *, upstream_id: int, slug: str
) -> tuple[Any, bool]:
    """Find the local row a record updates, or make a new one (keeping the id when free)."""
    manager = model._default_manager
    row = manager.filter(pk=upstream.object_id).first() if upstream else None
    if row is None:
        row = manager.filter(slug=slug).first()
    if row is not None:
        return row, False
    new = model()
    if manager.filter(pk=upstream_id).exists():
        # The row gets an id from the sequence, which must first move past imported ids.
        _sequences_reset([model])
    else:
        new.pk = upstream_id
    return new, True


def _resolve(*, source: str, kind: RecordKind, upstream_id: int, model: type[Model]) -> int | None:
    return _resolve_many(source=source, kind=kind, upstream_ids=(upstream_id,), model=model).get(
        upstream_id
    )


def _resolve_many(
    *, source: str, kind: RecordKind, upstream_ids: tuple[int, ...], model: type[Model]
) -> dict[int, int]:
    """Map upstream ids to local ids: as imported, or the same id when that row exists."""
    if not upstream_ids:
        return {}
    local = dict(
        UpstreamRecord.objects.filter(
            source=source, kind=kind, upstream_id__in=upstream_ids
        ).values_list("upstream_id", "object_id")
    )
    unmapped = [upstream_id for upstream_id in upstream_ids if upstream_id not in local]
    if unmapped:
        present = model._default_manager.filter(pk__in=unmapped).values_list("pk", flat=True)
        local.update({upstream_id: upstream_id for upstream_id in present})
    return local


def _assign(row: Model, values: Mapping[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


@transaction.atomic
def category_import(*, source: str, data: Mapping[str, Any]) -> Outcome:
    """Create or update the category a v4 record describes."""
    record = parse_category(data)
    digest = record_digest(data)
    kind = RecordKind.CATEGORY
    upstream = _upstream(source=source, kind=kind, upstream_id=record.id)
    if _unchanged(upstream, digest=digest, model=Category) is not None:
        return "unchanged"
    category, created = _local(Category, upstream, upstream_id=record.id, slug=record.slug)
    changed = _assign(
        category,
        {
            "title": record.title,
            "slug": record.slug,
            "description": record.description,
            "title_plural": record.title_plural,
            "show_pypi": record.show_pypi,
            "created": record.created,
            "modified": record.modified,
        },
    )
    if created or changed:
        # A new row is inserted at once (Django would first try an UPDATE of its chosen id).
        category.save(force_insert=created)
    _remember(
        upstream,
        source=source,
        kind=kind,
        upstream_id=record.id,
        object_id=category.pk,
        digest=digest,
    )
    return "created" if created else ("updated" if changed else "unchanged")


@transaction.atomic
def grid_import(*, source: str, data: Mapping[str, Any]) -> Outcome:
    """Create or update the grid a v4 record describes (its packages come with the packages)."""
    record = parse_grid(data)
    digest = record_digest(data)
    kind = RecordKind.GRID
    upstream = _upstream(source=source, kind=kind, upstream_id=record.id)
    if _unchanged(upstream, digest=digest, model=Grid) is not None:
        return "unchanged"
    grid, created = _local(Grid, upstream, upstream_id=record.id, slug=record.slug)
    changed = _assign(
        grid,
        {
            "title": record.title,
            "slug": record.slug,
            "description": record.description,
            "is_locked": record.is_locked,
            "header": record.header,
            "created": record.created,
            "modified": record.modified,
        },
    )
    if created or changed:
        grid.save(force_insert=created)
    _remember(
        upstream, source=source, kind=kind, upstream_id=record.id, object_id=grid.pk, digest=digest
    )
    return "created" if created else ("updated" if changed else "unchanged")


def package_values(record: PackageRecord, *, category_id: int) -> dict[str, Any]:
    """Return the fields of a package row as a v4 record gives them (its PyPI name unchecked).

    Facts a host never gave (an address that is not a supported code host, or an empty
    52-week list) are "not fetched" (None) rather than zeros.
    """
    host, key = (
        repository_identity(record.repo_url) if record.repo_url else (RepositoryHost.OTHER, None)
    )
    fetched = host != RepositoryHost.OTHER and bool(record.commits_over_52)
    return {
        "title": record.title,
        "slug": record.slug,
        "category_id": category_id,
        "repo_url": record.repo_url,
        "repo_host": host,
        "repo_key": key,
        "pypi_url": record.pypi_url,
        "pypi_name": pypi_name_from_url(record.pypi_url),
        "pypi_version": record.pypi_version,
        "documentation_url": record.documentation_url,
        "description": record.repo_description,
        "stars": record.repo_watchers if fetched or record.repo_watchers else None,
        "forks": record.repo_forks if fetched or record.repo_forks else None,
        "contributors": list(record.participants) if fetched or record.participants else None,
        "commits_over_52": list(record.commits_over_52) if record.commits_over_52 else None,
        "last_commit_at": record.last_updated,
        "last_fetched_at": record.last_fetched,
        "created": record.created,
        "modified": record.modified,
    }


@transaction.atomic
def package_import(*, source: str, data: Mapping[str, Any]) -> Outcome:
    """Create or update the package a v4 record describes, with its grid memberships."""
    record = parse_package(data)
    digest = record_digest(data)
    kind = RecordKind.PACKAGE
    upstream = _upstream(source=source, kind=kind, upstream_id=record.id)
    unchanged = _unchanged(upstream, digest=digest, model=Package)
    if unchanged is not None:
        # Grids may have been imported since this record was: its memberships still follow.
        package = unchanged
        joined = _sync_grids(package=package, source=source, grid_ids=record.grid_ids)
        return "updated" if joined else "unchanged"
    category_id = _resolve(
        source=source, kind=RecordKind.CATEGORY, upstream_id=record.category_id, model=Category
    )
    if category_id is None:
        raise RecordError("category", f"category {record.category_id} has not been imported")
    package, created = _local(Package, upstream, upstream_id=record.id, slug=record.slug)
    values = package_values(record, category_id=category_id)
    if values["repo_key"]:
        holder = Package.objects.filter(repo_key=values["repo_key"]).exclude(pk=package.pk).first()
        if holder is not None:
            raise RecordError(
                "repo_url", f"{record.repo_url} is already the repository of {holder.slug!r}"
            )
    if len(values["pypi_name"]) > PYPI_NAME_MAX_LENGTH:
        raise RecordError(
            "pypi_url", f"the PyPI name is longer than {PYPI_NAME_MAX_LENGTH} characters"
        )
    if not created:
        values = _keep_local(package, values, record=record, upstream=upstream)
    changed = _assign(package, values)
    if created or changed:
        package.save(force_insert=created)
    memberships_changed = _sync_grids(
        package=package, source=source, grid_ids=record.grid_ids, created=created
    )
    _remember(
        upstream,
        source=source,
        kind=kind,
        upstream_id=record.id,
        object_id=package.pk,
        digest=digest,
    )
    if created:
        return "created"
    return "updated" if changed or memberships_changed else "unchanged"


# Fields people edit in Packyard; an import does not overwrite a person's edit of them.
EDITABLE = (
    "title",
    "slug",
    "category_id",
    "repo_url",
    "repo_host",
    "repo_key",
    "pypi_url",
    "pypi_name",
    "documentation_url",
    "description",
)
# Facts fetched from the code host; an import does not replace fresher ones with older ones.
HOST_FACTS = (
    "stars",
    "forks",
    "contributors",
    "commits_over_52",
    "last_commit_at",
    "last_fetched_at",
)


def _keep_local(
    package: Package, values: dict[str, Any], *, record: Any, upstream: UpstreamRecord | None
) -> dict[str, Any]:
    """Leave out of an update what Packyard knows better than the record.

    A package matched by slug alone must have the record's repository; people's edits are
    kept; facts fetched more recently than the record's `last_fetched` are kept; a version
    worked out from fetched releases is kept.
    """
    mapped = upstream.object_id if upstream else None
    if mapped != package.pk and package.repo_key and values["repo_key"] != package.repo_key:
        raise RecordError(
            "slug", f"{record.slug!r} is already the slug of a package with another repository"
        )
    kept = dict(values)
    if package.last_modified_by_id is not None:
        for name in EDITABLE:
            kept.pop(name, None)
    if package.last_fetched_at and (
        record.last_fetched is None or package.last_fetched_at > record.last_fetched
    ):
        for name in HOST_FACTS:
            kept.pop(name, None)
    if package.releases.exists():
        kept.pop("pypi_version", None)
    kept["modified"] = max(package.modified, record.modified)
    return kept


def _sync_grids(
    *, package: Package, source: str, grid_ids: tuple[int, ...], created: bool = False
) -> bool:
    """Make the package's grids those of the record; new memberships keep the record's order.

    A package created just now has no grids yet, so they are not looked up.
    """
    local = _resolve_many(source=source, kind=RecordKind.GRID, upstream_ids=grid_ids, model=Grid)
    wanted = list(
        dict.fromkeys(local[upstream_id] for upstream_id in grid_ids if upstream_id in local)
    )
    current = (
        set()
        if created
        else set(GridPackage.objects.filter(package=package).values_list("grid_id", flat=True))
    )
    if set(wanted) == current:
        return False
    GridPackage.objects.filter(package=package, grid_id__in=current - set(wanted)).delete()
    GridPackage.objects.bulk_create(
        [
            GridPackage(grid_id=grid_id, package=package)
            for grid_id in wanted
            if grid_id not in current
        ]
    )
    return True


@transaction.atomic
def import_runs_start(
    *, source: str, first_urls: Mapping[RecordKind, str]
) -> dict[RecordKind, str]:
    """Return the page each kind's walk over `source` starts at; skipped kinds are left out.

    When the last run over `source` stopped before its end, the kinds it finished are
    skipped and the others go on from the page it saved. Otherwise every kind starts again
    at its first page (a run over unchanged records then changes nothing).
    """
    runs = {run.kind: run for run in ImportRun.objects.filter(source=source, kind__in=first_urls)}
    if any(run.finished_at is None for run in runs.values()):
        starts = {}
        for kind, first_url in first_urls.items():
            run = runs.get(kind)
            if run is None or run.finished_at is None:
                starts[kind] = run.next_url if run is not None and run.next_url else first_url
        return starts
    now = timezone.now()
    for kind, first_url in first_urls.items():
        ImportRun.objects.update_or_create(
            source=source,
            kind=kind,
            defaults={"next_url": first_url, "started_at": now, "finished_at": None},
        )
    return dict(first_urls)


def import_run_advance(*, source: str, kind: RecordKind, next_url: str | None) -> None:
    """Save the next page of a kind's walk, or mark the walk finished when there is none."""
    now = timezone.now()
    ImportRun.objects.update_or_create(
        source=source,
        kind=kind,
        defaults={"next_url": next_url or "", "finished_at": None if next_url else now},
        create_defaults={
            "next_url": next_url or "",
            "started_at": now,
            "finished_at": None if next_url else now,
        },
    )


def sequences_reset() -> None:
    """Move the id sequences past imported ids (PostgreSQL), so new rows get fresh ids."""
    _sequences_reset([Category, Grid, Package])


def _sequences_reset(models: list[type[Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


IMPORTERS = {
    RecordKind.CATEGORY: category_import,
    RecordKind.GRID: grid_import,
    RecordKind.PACKAGE: package_import,
}


@dataclass
class ImportSummary:
    """What an import did, record by record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.failures)} failed"
        )


def record_import(
    *, source: str, kind: RecordKind, place: str, data: Any, summary: ImportSummary
) -> None:
    """Import one record into the summary; a bad record is reported there, not raised."""
    if isinstance(data, json.JSONDecodeError):
        summary.failures.append(f"{kind} at {place}: not valid JSON ({data.msg})")
        return
    if not isinstance(data, dict):
        summary.failures.append(f"{kind} at {place}: expected a JSON object")
        return
    label = data.get("slug") or data.get("id") or "?"
    try:
        summary.add(IMPORTERS[kind](source=source, data=data))
    except RecordError as error:
        summary.failures.append(f"{kind} {label!s} at {place}: {error.field}: {error.reason}")
    except DatabaseError as error:
        # The record's transaction was rolled back whole; the database says which rule it broke.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        summary.failures.append(f"{kind} {label!s} at {place}: refused by the database: {reason}")
