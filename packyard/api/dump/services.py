"""The bulk dump: write categories, packages and grids as API v5 records; rebuild from them.

Each line is the record API v5 answers for it (`/api/v5/categories/`'s rows,
`/api/v5/packages/<slug>/`, `/api/v5/grids/<slug>/`), made by the same selectors and
serializers, plus what a restore needs that those answers leave out: a package's every release
(`releases`, as `/api/v5/packages/<slug>/releases/` lists them) and a grid's `created` and
`modified`. Rows are read in chunks, so memory stays flat however big the directory is.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db.models import Prefetch
from django.http import QueryDict
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request

from packyard.api.dump.download import dump_download
from packyard.api.dump.files import (
    CATEGORIES,
    GRIDS,
    PACKAGES,
    Manifest,
    Staged,
    discard,
    discard_leftovers,
    publish,
    stage_records,
)
from packyard.api.dump.restore import restore_folder
from packyard.api.v5.selectors import (
    categories_for_v5,
    grid_table_for_v5,
    package_records_for_v5,
)
from packyard.api.v5.serializers import (
    CategorySerializer,
    GridDetailSerializer,
    PackageDetailSerializer,
    ReleaseSerializer,
)
from packyard.catalog.models import Category, Package, Release
from packyard.grids.models import Grid

CHUNK = 500
# A `.part` file this old is left from an export that was killed, not one still writing.
LEFTOVER_AGE = timedelta(days=1)
Progress = Callable[[int], object]


class _SiteAddress:
    """Stands in for a request in DRF's `reverse`: links are absolute, from SITE_URL."""

    GET = QueryDict()  # DRF looks here for a `?format=` to keep in links; there is none.

    def build_absolute_uri(self, location: str) -> str:
        return f"{settings.SITE_URL}{location}"


def _context() -> dict[str, Any]:
    return {"request": cast("Request", _SiteAddress())}


def _time(value: Any) -> Any:
    return serializers.DateTimeField().to_representation(value)


def _category_records() -> Iterator[dict[str, Any]]:
    for category in categories_for_v5().order_by("slug").iterator(chunk_size=CHUNK):
        yield dict(CategorySerializer(category).data)


def _id_chunks(model: type[Package] | type[Grid]) -> Iterator[list[int]]:
    """Yield the model's ids in ascending chunks (keyset paging: no offset, no list of all)."""
    last = 0
    while True:
        ids = list(
            model.objects.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:CHUNK]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def _package_records() -> Iterator[dict[str, Any]]:
    context = _context()
    releases = Prefetch("releases", queryset=Release.objects.order_by("id"), to_attr="all_releases")
    for ids in _id_chunks(Package):
        chunk = package_records_for_v5().filter(id__in=ids).prefetch_related(releases)
        for package in chunk.order_by("id"):
            record = dict(PackageDetailSerializer(package, context=context).data)
            every = package.all_releases
            record["releases"] = ReleaseSerializer(every, many=True).data
            yield record


def _grid_records() -> Iterator[dict[str, Any]]:
    for ids in _id_chunks(Grid):
        for grid in Grid.objects.filter(id__in=ids).order_by("id").only("slug"):
            table = grid_table_for_v5(slug=grid.slug)
            record = dict(GridDetailSerializer(table).data)
            record["created"] = _time(table.grid.created)
            record["modified"] = _time(table.grid.modified)
            yield record


def _counted(records: Iterator[dict[str, Any]], progress: Progress | None) -> Iterator[Any]:
    for record in records:
        yield record
        if progress is not None:
            progress(1)


def dump_record_count() -> int:
    """Return how many records a dump made now would hold (for a progress bar)."""
    return Category.objects.count() + Package.objects.count() + Grid.objects.count()


def dump_export(*, folder: Path | None = None, progress: Progress | None = None) -> Manifest:
    """Write the dump's three files and then its manifest to `folder` (DUMP_ROOT by default).

    Nothing is replaced until all three are written: a failed export leaves the last dump.
    """
    folder = Path(folder or settings.DUMP_ROOT)
    discard_leftovers(folder, older_than=LEFTOVER_AGE)
    staged: list[Staged] = []
    try:
        for name, records in (
            (CATEGORIES, _category_records()),
            (PACKAGES, _package_records()),
            (GRIDS, _grid_records()),
        ):
            staged.append(stage_records(folder, name, _counted(records, progress)))
        manifest = Manifest(made_at=timezone.now(), files=tuple(file.entry for file in staged))
        publish(folder, staged, manifest)
    except BaseException:
        discard(staged)
        raise
    return manifest


def dump_import(*, source: str, progress: Progress | None = None) -> dict[str, int]:
    """Rebuild the catalogue from a dump: a folder, or the address of a published one.

    Raises DumpImportError (saying the file, line and field) and then writes nothing.
    """
    if source.startswith(("http://", "https://")):
        with tempfile.TemporaryDirectory(prefix="packyard-dump-") as folder:
            dump_download(url=source, folder=Path(folder))
            return restore_folder(folder=Path(folder), progress=progress)
    return restore_folder(folder=Path(source), progress=progress)
