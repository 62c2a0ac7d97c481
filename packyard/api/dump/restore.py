"""Rebuild a directory from a dump's files, into an empty catalogue, in one transaction.

The reverse of `services.dump_export`: categories, then packages with their facts, releases,
scores (with the advisories affecting the latest release), compatibility answers and status,
then the packages' dependencies in the directory (by slug, once every package exists), then
grids with their features, packages and cells.
Any bad field, or a row the database refuses, stops the import with its place and nothing is
kept. Feature ids are kept, as API v5 shows them; other rows get new ids in the same order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import groupby, pairwise
from pathlib import Path

from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from packyard.api.dump.fields import DumpImportError, Fields, read_records
from packyard.api.dump.files import CATEGORIES, FILES, GRIDS, PACKAGES
from packyard.api.v5.serializers import PYPI_FACTS, REPOSITORY_FACTS
from packyard.catalog.models import Category, Package, Release
from packyard.compatibility.models import PackageCompatibility, Product, ReleaseCycle
from packyard.compatibility.rules import Answer
from packyard.core.repositories import RepositoryHost, repository_identity
from packyard.grids.models import Element, Feature, Grid, GridPackage
from packyard.grids.services import element_html
from packyard.refresh.models import FetchState, FetchStatus, Source
from packyard.scoring.models import DIMENSIONS, Dependency, PackageScore, PackageStatus

Progress = Callable[[int], object]
TIME_FACTS = {"last_commit_at", "archived_at", "repo_missing_since", "latest_release_at"}
COUNT_FACTS = {"stars", "forks", "total_commits"}
TEXT_FACTS = {"pypi_summary", "pypi_keywords", "changelog_url", "pypi_project_status"}


def _catalogue_size() -> int:
    return Category.objects.count() + Package.objects.count() + Grid.objects.count()


def restore_folder(*, folder: Path, progress: Progress | None = None) -> dict[str, int]:
    """Import the dump in `folder` into an empty catalogue; return how many of each it wrote."""
    for name in FILES:
        if not (folder / name).is_file():
            raise DumpImportError(f"{name}: missing from {folder}")
    if _catalogue_size():
        raise DumpImportError(
            "The catalogue is not empty: a dump is imported into an empty database only."
        )
    counts = {"categories": 0, "packages": 0, "grids": 0}
    with transaction.atomic():
        categories: dict[str, Category] = {}
        for record in read_records(folder / CATEGORIES):
            with _refused_at(record):
                category = _category(record)
            categories[category.slug] = category
            counts["categories"] += 1
            _step(progress)
        replacements: list[tuple[Fields, int, str]] = []
        requirements: list[tuple[Fields, int]] = []
        for record in read_records(folder / PACKAGES):
            with _refused_at(record):
                package, replacement = _package(record, categories)
            if replacement:
                replacements.append((record, package.pk, replacement))
            # A dump made before records had dependencies and advisories has neither.
            if record.has("dependencies") and record.items("dependencies"):
                requirements.append((record, package.pk))
            counts["packages"] += 1
            _step(progress)
        for record, package_id, slug in replacements:
            with _refused_at(record):
                _replace(record, package_id, slug)
        for record, package_id in requirements:
            with _refused_at(record):
                _dependencies(record, package_id)
        _count_dependents()
        for record in read_records(folder / GRIDS):
            with _refused_at(record):
                _grid(record)
            counts["grids"] += 1
            _step(progress)
        _reset_sequences()
    return counts


def _step(progress: Progress | None) -> None:
    if progress is not None:
        progress(1)


@contextmanager
def _refused_at(record: Fields) -> Iterator[None]:
    """Turn a row the database refuses into an error at the record's place.

    No savepoint of its own: any error ends the whole import, whose transaction rolls back.
    """
    try:
        yield
    except DatabaseError as error:
        raise DumpImportError(f"{record.place}: the database refused it ({error})") from error


def _category(record: Fields) -> Category:
    return Category.objects.create(
        slug=record.text("slug"),
        title=record.text("title"),
        title_plural=record.text("title_plural"),
        description=record.text("description"),
    )


def _fact(facts: Fields, name: str) -> object:
    fact = facts.nested(name)
    if name in TIME_FACTS:
        return fact.optional_time("value")
    if name in COUNT_FACTS:
        return fact.optional_integer("value")
    if name in TEXT_FACTS:
        return fact.optional_text("value") or ""
    if name == "pypi_version":
        return fact.optional_text("value")
    return fact.raw("value")  # JSON kept as it is: contributors, weekly commits, requirements.


def _package(record: Fields, categories: dict[str, Category]) -> tuple[Package, str]:
    """Create a package with its facts, releases, score and answers; return its replacement."""
    slug = record.nested("category").text("slug")
    if slug not in categories:
        raise record.error("category.slug", f'no category "{slug}" in {CATEGORIES}')
    repo_url = record.text("repo_url")
    repo_host = record.text("repo_host")
    if repo_host not in RepositoryHost.values:
        raise record.error("repo_host", f"not a known host: {repo_host!r}")
    facts = record.nested("facts")
    values = {name: _fact(facts, name) for name in (*REPOSITORY_FACTS, *PYPI_FACTS)}
    status = record.nested("status")
    package = Package.objects.create(
        slug=record.text("slug"),
        title=record.text("title"),
        description=record.text("description"),
        category=categories[slug],
        repo_url=repo_url,
        repo_host=repo_host,
        repo_key=repository_identity(repo_url)[1] if repo_url else None,
        pypi_name=record.text("pypi_name"),
        pypi_url=record.text("pypi_url"),
        documentation_url=record.optional_text("documentation_url"),
        deprecated_at=status.optional_time("deprecated_at"),
        last_fetched_at=facts.nested("stars").optional_time("fetched_at"),
        created=record.time("created"),
        modified=record.time("modified"),
        **values,
    )
    pypi_fetched = facts.nested("pypi_version").optional_time("fetched_at")
    if pypi_fetched is not None:
        FetchState.objects.create(
            package=package,
            source=Source.PYPI,
            status=FetchStatus.OK,
            last_attempt_at=pypi_fetched,
            last_success_at=pypi_fetched,
        )
    needs_maintainer, note = status.flag("needs_maintainer"), status.text("note")
    if needs_maintainer or note:
        PackageStatus.objects.create(package=package, needs_maintainer=needs_maintainer, note=note)
    _releases(record, package)
    _score(record, package)
    _answers(record, package)
    replacement = status.optional_nested("replaced_by")
    return package, "" if replacement is None else replacement.text("slug")


def _releases(record: Fields, package: Package) -> None:
    if record.has("releases"):
        items = record.items("releases")
    else:  # A record without its releases still has the latest one.
        latest = record.optional_nested("latest_release")
        items = [] if latest is None else [latest]
    Release.objects.bulk_create(
        Release(
            package=package,
            version=item.text("version"),
            upload_time=item.optional_time("upload_time"),
            yanked=item.flag("yanked"),
            yanked_reason=item.text("yanked_reason"),
            is_prerelease=item.flag("is_prerelease"),
            license=item.text("licence"),
            requires_python=item.text("requires_python"),
            classifiers=[str(value) for value in item.raw("classifiers")],
            development_status=item.text("development_status"),
        )
        for item in items
    )


def _advisories(record: Fields) -> list[dict[str, object]]:
    """Return the advisories as the score keeps them (the shape the package page lists)."""
    if not record.has("advisories"):
        return []
    return [
        {
            "id": item.text("id"),
            "summary": item.text("summary"),
            "link": item.text("link"),
            "aliases": _texts(item, "aliases"),
            "fixed_in": _texts(item, "fixed_in"),
            "sources": _texts(item, "sources"),
        }
        for item in record.items("advisories")
    ]


def _texts(item: Fields, key: str) -> list[str]:
    values = item.raw(key)
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise item.error(key, "expected a list of strings")
    return values


def _score(record: Fields, package: Package) -> None:
    advisories = _advisories(record)
    score = record.optional_nested("score")
    if score is None:
        if advisories:  # The score row keeps them: a record without one has none.
            raise record.error("advisories", "given without a score")
        return
    dimensions = {item.text("name"): item for item in score.items("dimensions")}
    missing = [name for name in DIMENSIONS if name not in dimensions]
    if missing:
        raise score.error("dimensions", f"no {', '.join(missing)}")
    overall = score.integer("overall")
    trend = score.raw("trend")
    if trend is not None and (not isinstance(trend, int) or isinstance(trend, bool)):
        raise score.error("trend", "expected a whole number or null")
    latest = record.optional_nested("latest_release")
    PackageScore.objects.create(
        package=package,
        overall=overall,
        **{name: dimensions[name].integer("value") for name in DIMENSIONS},
        reasons={
            name: [
                {
                    "text": reason.text("text"),
                    "points": reason.raw("points"),
                    "out_of": reason.raw("out_of"),
                }
                for reason in dimensions[name].items("reasons")
            ]
            for name in DIMENSIONS
        },
        baseline_overall=None if trend is None else overall - trend,
        computed_at=score.time("computed_at"),
        advisories=advisories,
        latest_version="" if latest is None else latest.text("version"),
    )


def _cycle(item: Fields) -> ReleaseCycle:
    product, name = item.text("product"), item.text("cycle")
    if product not in Product.values:
        raise item.error("product", f"not django or python: {product!r}")
    major, _, minor = name.partition(".")
    if not (major.isdigit() and minor.isdigit()):
        raise item.error("cycle", f"expected MAJOR.MINOR, got {name!r}")
    cycle, _ = ReleaseCycle.objects.get_or_create(
        product=product, cycle=name, defaults={"major": int(major), "minor": int(minor)}
    )
    return cycle


def _answers(record: Fields, package: Package) -> None:
    answers = []
    for item in record.items("compatibility"):
        answer = item.text("answer")
        if answer not in {value.value for value in Answer}:
            raise item.error("answer", f"not yes, no or unknown: {answer!r}")
        answers.append(
            PackageCompatibility(
                package=package,
                cycle=_cycle(item),
                answer=answer,
                basis=item.text("basis"),
                evidence=item.text("evidence"),
                release_version=item.text("release_version"),
                computed_at=item.time("computed_at"),
            )
        )
    PackageCompatibility.objects.bulk_create(answers)


def _replace(record: Fields, package_id: int, slug: str) -> None:
    replacement = Package.objects.filter(slug=slug).values_list("id", flat=True).first()
    if replacement is None:
        raise record.error("status.replaced_by.slug", f'no package "{slug}" in {PACKAGES}')
    Package.objects.filter(id=package_id).update(replaced_by_id=replacement)


def _dependencies(record: Fields, package_id: int) -> None:
    """Store what the package requires of the directory; its targets named by slug."""
    items = record.items("dependencies")
    slugs = [item.text("slug") for item in items]
    targets = dict(Package.objects.filter(slug__in=slugs).values_list("slug", "id"))
    rows = []
    for item, slug in zip(items, slugs, strict=True):
        if slug not in targets:
            raise item.error("slug", f'no package "{slug}" in {PACKAGES}')
        rows.append(
            Dependency(
                package_id=package_id,
                target_id=targets[slug],
                requirement=item.text("requirement"),
                optional=item.flag("optional"),
            )
        )
    Dependency.objects.bulk_create(rows)


def _count_dependents() -> None:
    """Give each score its count of required dependents, as the nightly scoring does."""
    required = (
        Dependency.objects.filter(target=OuterRef("package"), optional=False)
        .order_by()
        .values("target")
        .annotate(count=Count("id"))
        .values("count")
    )
    PackageScore.objects.update(dependents_count=Coalesce(Subquery(required), 0))


def _column_order(columns: list[Fields], cells: list[Fields]) -> list[Fields]:
    """Order a grid's columns as they were made, which is the order of each feature's cells.

    API v5 lists cells by feature and then by column (the columns' ids); keeping every such
    sequence makes the cells come back in the same order. Ties go by the time added.
    """
    position = {column.text("slug"): number for number, column in enumerate(columns)}
    added = {column.text("slug"): column.time("added") for column in columns}
    after: dict[str, set[str]] = {slug: set() for slug in position}
    waiting = dict.fromkeys(position, 0)
    rows = [(cell.integer("feature"), cell.text("package")) for cell in cells]
    for _feature, group in groupby(rows, key=lambda row: row[0]):
        for first, second in pairwise(slug for _f, slug in group):
            if first in after and second in after and second not in after[first]:
                after[first].add(second)
                waiting[second] += 1
    ready = [(added[slug], position[slug], slug) for slug, count in waiting.items() if not count]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _time, _position, slug = heapq.heappop(ready)
        order.append(slug)
        for later in after[slug]:
            waiting[later] -= 1
            if not waiting[later]:
                heapq.heappush(ready, (added[later], position[later], later))
    order += sorted(set(position) - set(order), key=position.__getitem__)  # A cycle: bad data.
    return [columns[position[slug]] for slug in order]


def _grid(record: Fields) -> None:
    now: datetime = timezone.now()
    grid = Grid.objects.create(
        slug=record.text("slug"),
        title=record.text("title"),
        description=record.text("description"),
        is_locked=record.flag("is_locked"),
        created=record.time("created") if record.has("created") else now,
        modified=record.time("modified") if record.has("modified") else now,
    )
    features = {}
    for position, item in enumerate(record.items("features")):
        feature = Feature.objects.create(
            id=item.integer("id"),
            grid=grid,
            title=item.text("title"),
            description=item.text("description"),
            position=position,
        )
        features[feature.pk] = feature
    columns = record.items("packages")
    cells = record.items("cells")
    slugs = [column.text("slug") for column in columns]
    packages = dict(Package.objects.filter(slug__in=slugs).values_list("slug", "id"))
    memberships = {}
    for column in _column_order(columns, cells):
        slug = column.text("slug")
        if slug not in packages:
            raise column.error("slug", f'no package "{slug}" in {PACKAGES}')
        memberships[slug] = GridPackage.objects.create(
            grid=grid, package_id=packages[slug], created=column.time("added")
        )
    elements = []
    for cell in cells:
        feature_id, slug = cell.integer("feature"), cell.text("package")
        if feature_id not in features:
            raise cell.error("feature", f"no feature {feature_id} in this grid")
        if slug not in memberships:
            raise cell.error("package", f'no column "{slug}" in this grid')
        text = cell.text("text")
        # The HTML is made again from the text, never taken from the file: a dump from
        # elsewhere cannot put markup of its own on the grid's page.
        elements.append(
            Element(
                grid_package=memberships[slug],
                feature=features[feature_id],
                text=text,
                text_html=element_html(text),
            )
        )
    Element.objects.bulk_create(elements)


def _reset_sequences() -> None:
    """Move PostgreSQL's id sequence past the feature ids the import kept."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Feature])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
