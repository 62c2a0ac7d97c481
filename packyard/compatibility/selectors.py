"""Reads of release cycles and compatibility answers, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from packyard.catalog.models import Package, Release
from packyard.catalog.services import latest_release
from packyard.compatibility.models import PackageCompatibility, Product, ReleaseCycle
from packyard.compatibility.rules import Answer, ReleaseEvidence
from packyard.core.prepared import Prepared
from packyard.core.reads import instance_of
from packyard.refresh.models import FetchState, FetchStatus, Source

ANSWER_ORDER = {Answer.YES: 0, Answer.UNKNOWN: 1, Answer.NO: 2}


@dataclass
class PackageReleases:
    """A package's releases, its latest release and what that release says about itself."""

    releases: list[Release]
    latest: Release | None
    evidence: ReleaseEvidence


def _missing(package: Package, releases: list[Release], not_on_pypi: bool) -> str:
    if not package.pypi_name:
        return "Not on PyPI: the package has no PyPI name, so there is no release to read."
    if not_on_pypi:
        return f'Not on PyPI: PyPI has no project named "{package.pypi_name}".'
    if releases:
        return "Every release on PyPI is yanked, so there is no release to read."
    if package.pypi_version:
        return f"The details of the latest release ({package.pypi_version}) are not fetched yet."
    return "No release on PyPI yet."


def evidence_of(
    package: Package, releases: list[Release], *, not_on_pypi: bool = False
) -> tuple[Release | None, ReleaseEvidence]:
    """Return a package's latest release and its evidence (with why, when there is none)."""
    latest = latest_release(releases) if package.pypi_name and not not_on_pypi else None
    if latest is None:
        return None, ReleaseEvidence(version=None, missing=_missing(package, releases, not_on_pypi))
    return latest, ReleaseEvidence(
        version=latest.version,
        is_prerelease=latest.is_prerelease,
        classifiers=tuple(latest.classifiers or ()),
        requires_python=latest.requires_python,
        requires_dist=tuple(package.requires_dist or ()),
    )


def release_facts_of(*, packages: Sequence[Package]) -> dict[int, PackageReleases]:
    """Return each package's releases, latest release and evidence (2 queries)."""
    ids = [package.pk for package in packages]
    by_package: dict[int, list[Release]] = defaultdict(list)
    for release in Release.objects.filter(package__in=ids).order_by("package_id", "id"):
        by_package[release.package_id].append(release)
    missing_on_pypi = set(
        FetchState.objects.filter(
            package__in=ids, source=Source.PYPI, status=FetchStatus.NOT_ON_PYPI
        ).values_list("package_id", flat=True)
    )
    facts = {}
    for package in packages:
        releases = by_package.get(package.pk, [])
        latest, evidence = evidence_of(package, releases, not_on_pypi=package.pk in missing_on_pypi)
        facts[package.pk] = PackageReleases(releases=releases, latest=latest, evidence=evidence)
    return facts


def cycles_all() -> list[ReleaseCycle]:
    """Return every release cycle: Django first, newest first."""
    return list(ReleaseCycle.objects.order_by("product", "-major", "-minor"))


def cycles_supported(*, day: date, product: str | None = None) -> list[ReleaseCycle]:
    """Return the cycles supported on a day, newest first."""
    cycles = ReleaseCycle.objects.supported_on(day).order_by("product", "-major", "-minor")
    if product:
        cycles = cycles.filter(product=product)
    return list(cycles)


def cycle_get(*, product: str, cycle: str) -> ReleaseCycle:
    """Return a release cycle, or raise Http404."""
    return get_object_or_404(ReleaseCycle, product=product, cycle=cycle)


@dataclass
class CycleSummary:
    cycle: ReleaseCycle
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def readiness_overview(
    *, package_ids: QuerySet[Package] | None = None
) -> dict[str, list[CycleSummary]]:
    """Return every cycle by product, with how many packages answer yes, no and unknown.

    `package_ids` narrows the counts (to a grid's packages). Two queries.
    """
    summaries = {cycle.pk: CycleSummary(cycle=cycle) for cycle in cycles_all()}
    answers = PackageCompatibility.objects.all()
    if package_ids is not None:
        answers = answers.filter(package__in=package_ids)
    for row in answers.values("cycle_id", "answer").annotate(count=Count("id")).order_by():
        summary = summaries.get(row["cycle_id"])
        if summary is not None:
            summary.counts[row["answer"]] = row["count"]
    by_product: dict[str, list[CycleSummary]] = {product.value: [] for product in Product}
    for summary in summaries.values():
        by_product[summary.cycle.product].append(summary)
    return by_product


def readiness_rows(
    *, cycle: ReleaseCycle, package_ids: QuerySet[Package] | None = None, answer: str = ""
) -> QuerySet[PackageCompatibility]:
    """Return the answers of every package for a cycle: yes first, then unknown, then no."""
    rows = PackageCompatibility.objects.filter(cycle=cycle).select_related(
        "package__category", "package__replaced_by"
    )
    if package_ids is not None:
        rows = rows.filter(package__in=package_ids)
    if answer:
        rows = rows.filter(answer=answer)
    rank = Case(
        *[When(answer=answer.value, then=Value(order)) for answer, order in ANSWER_ORDER.items()],
        output_field=IntegerField(),
    )
    return rows.order_by(rank.asc(), Lower("package__title"), "package_id")


def readiness_counts(
    *, cycle: ReleaseCycle, package_ids: QuerySet[Package] | None = None
) -> dict[str, int]:
    """Return how many packages answer yes, no and unknown for a cycle (one query)."""
    rows = PackageCompatibility.objects.filter(cycle=cycle)
    if package_ids is not None:
        rows = rows.filter(package__in=package_ids)
    counts = {answer.value: 0 for answer in Answer}
    for row in rows.values("answer").annotate(count=Count("id")).order_by():
        counts[row["answer"]] = row["count"]
    return counts


# What the package page shows of each answer and of its release cycle.
_ANSWER_SHOWN = ("id", "answer", "evidence")
_CYCLE_SHOWN = (
    "id",
    "product",
    "cycle",
    "major",
    "minor",
    "release_date",
    "eol",
    "eol_reached",
    "lts",
)


def compatibility_of(*, package: Package) -> dict[str, list[PackageCompatibility]]:
    """Return a package's answers by product, newest release cycle first (one query).

    Of each answer and its cycle only what the package page shows (the rest deferred), read
    as values and made into instances at once (`core.reads`): a package has an answer for
    every release cycle, each with its cycle.
    """
    answers: dict[str, list[PackageCompatibility]] = {product.value: [] for product in Product}
    rows = _ANSWERS_OF_PACKAGE.all(package_id=package.pk)
    db = package._state.db or DEFAULT_DB_ALIAS
    split = len(_ANSWER_SHOWN)
    for row in rows:
        cycle = instance_of(ReleaseCycle, dict(zip(_CYCLE_SHOWN, row[split:], strict=True)), db=db)
        values = dict(zip(_ANSWER_SHOWN, row[:split], strict=True))
        values.update(package_id=package.pk, cycle_id=cycle.pk)
        answer = instance_of(PackageCompatibility, values, db=db, related={"cycle": cycle})
        answers[cycle.product].append(answer)
    return answers


# Compiled once per process (`core.prepared`): a read on every package page.
_ANSWERS_OF_PACKAGE = Prepared(
    lambda package_id: (
        PackageCompatibility.objects.filter(package_id=package_id)
        .order_by("cycle__product", "-cycle__major", "-cycle__minor")
        .values_list(*_ANSWER_SHOWN, *(f"cycle__{name}" for name in _CYCLE_SHOWN))
    ),
    package_id=int,
)


def answers_for_cycle(
    *, package_ids: Sequence[int], cycle: ReleaseCycle
) -> dict[int, PackageCompatibility]:
    """Return the answers of some packages for one cycle, by package id (one query)."""
    return {
        row.package_id: row
        for row in PackageCompatibility.objects.filter(package__in=package_ids, cycle=cycle)
    }


def current_answers_of(*, package: Package, product: str, day: date) -> list[PackageCompatibility]:
    """Return a package's answers for the cycles supported on a day, oldest first (one query)."""
    rows = (
        PackageCompatibility.objects.filter(package=package, cycle__product=product)
        .select_related("cycle")
        .order_by("cycle__major", "cycle__minor")
    )
    return [row for row in rows if row.cycle.is_supported_on(day)]
