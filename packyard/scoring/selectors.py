"""Reads of scores, status, dependencies and advisories, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, F, Max, OuterRef, Q, Value
from django.db.models.functions import Lower, Replace
from django.shortcuts import get_object_or_404
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.catalog.selectors import package_link
from packyard.compatibility.models import PackageCompatibility, Product, ReleaseCycle
from packyard.compatibility.rules import Answer
from packyard.compatibility.selectors import (
    compatibility_of,
    current_answers_of,
)
from packyard.core.prepared import Prepared
from packyard.core.reads import instance_of, rows_as
from packyard.grids.selectors import (
    COLUMN_SORTS,
    DEFAULT_COLUMN_SORT,
    GridMatrix,
    grid_matrix,
    is_retired,
)
from packyard.refresh.models import FetchState
from packyard.scoring.dimensions import DEFAULT_WEIGHTS, blend
from packyard.scoring.models import Dependency, PackageScore, PackageStatus, ScoreSnapshot

SCORE_SORT = "score"
GRID_COLUMN_SORTS = {**COLUMN_SORTS, SCORE_SORT: "Score"}
HISTORY_DAYS = 90


def canonical_pypi_name() -> Replace:
    """Return the PyPI name normalised as PEP 503 does (for names without repeated dots)."""
    return Replace(Replace(Lower("pypi_name"), Value("_"), Value("-")), Value("."), Value("-"))


def packages_by_pypi_name(*, names: Iterable[str]) -> dict[str, Package]:
    """Return the directory's packages whose PyPI name is one of `names` (normalised; 1 query)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    found: dict[str, Package] = {}
    packages = (
        Package.objects.annotate(canonical=canonical_pypi_name())
        .filter(canonical__in=wanted)
        .select_related("category", "replaced_by")
        .order_by("pk")
    )
    for package in packages:
        found.setdefault(package.canonical, package)  # type: ignore[attr-defined]
    return found


SCORE_LISTED_FIELDS = tuple(
    field.attname for field in PackageScore._meta.concrete_fields if field.name != "reasons"
)


def scores_for(*, package_ids: Iterable[int]) -> dict[int, PackageScore]:
    """Return the stored scores of some packages, by package id (one query)."""
    ids = list(package_ids)
    if not ids:
        return {}
    # Not their reasons: a list or a grid shows the numbers, and the facts missing (kept apart).
    # Read as values and made into instances at once (`core.reads`): a grid reads hundreds.
    rows = PackageScore.objects.filter(package__in=ids).values_list(*SCORE_LISTED_FIELDS)
    return {
        score.package_id: score
        for score in rows_as(PackageScore, rows, SCORE_LISTED_FIELDS, db=rows.db)
    }


def packages_needing_scores(*, limit: int) -> list[int]:
    """Return ids of packages whose score is missing or older than a change to their facts.

    A fact changed when the package was modified, a fetch was attempted (success or failure),
    its status was set, or the release cycles changed since the score was computed. Packages
    without a score come first.
    """
    computed = OuterRef("scoring__computed_at")
    stale = (
        Q(scoring__isnull=True)
        | Q(modified__gt=F("scoring__computed_at"))
        | Exists(FetchState.objects.filter(package=OuterRef("pk"), last_attempt_at__gt=computed))
        | Exists(PackageStatus.objects.filter(package=OuterRef("pk"), updated_at__gt=computed))
    )
    cycles_changed = ReleaseCycle.objects.aggregate(latest=Max("modified"))["latest"]
    if cycles_changed is not None:
        stale |= Q(scoring__computed_at__lt=cycles_changed)
    return list(
        Package.objects.filter(stale)
        .order_by(F("scoring__computed_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass
class Insights:
    """What the package page shows beside the facts: score, compatibility, status, links."""

    package: Package
    score: PackageScore | None
    compatibility: dict[str, list[PackageCompatibility]]
    depends_on: list[Dependency]
    used_by: list[Dependency]
    status: PackageStatus | None
    today: datetime

    @cached_property
    def _splits(
        self,
    ) -> dict[str, tuple[list[PackageCompatibility], list[PackageCompatibility]]]:
        """Each product's answers, split once: the page asks for each list several times."""
        day = timezone.localdate(self.today)
        splits = {}
        for product, rows in self.compatibility.items():
            current: list[PackageCompatibility] = []
            older: list[PackageCompatibility] = []
            for row in rows:
                (older if row.cycle.has_ended_on(day) else current).append(row)
            splits[product] = (current, older)
        return splits

    def _split(self, product: str) -> tuple[list[PackageCompatibility], list[PackageCompatibility]]:
        return self._splits.get(product, ([], []))

    @property
    def django_current(self) -> list[PackageCompatibility]:
        return self._split("django")[0]

    @property
    def django_older(self) -> list[PackageCompatibility]:
        return self._split("django")[1]

    @property
    def python_current(self) -> list[PackageCompatibility]:
        return self._split("python")[0]

    @property
    def python_older(self) -> list[PackageCompatibility]:
        return self._split("python")[1]

    @property
    def required_by(self) -> list[Dependency]:
        return [row for row in self.used_by if not row.optional]

    @property
    def optional_in(self) -> list[Dependency]:
        return [row for row in self.used_by if row.optional]

    @property
    def pypi_status(self) -> str:
        return self.package.pypi_project_status.lower()

    @property
    def is_retired(self) -> bool:
        return is_retired(self.package)


# The rows beside a package that its insights show: read with the package, or in one query.
INSIGHTS_BESIDE = ("scoring", "status_flags")
_INSIGHTS_RELATIONS = (
    PackageScore.package.field.remote_field,
    PackageStatus.package.field.remote_field,
)


# What the package page shows of a dependency, and of the two packages it links.
_DEPENDENCY_SHOWN = ("id", "package_id", "target_id", "optional", "requirement")
_LINKED = ("title", "slug")
# Compiled once per process (`core.prepared`): a read on every package page.
_DEPENDENCIES = Prepared(
    lambda package_id: (
        Dependency.objects.filter(Q(package_id=package_id) | Q(target_id=package_id))
        .order_by()
        .values_list(
            *_DEPENDENCY_SHOWN,
            *(f"{side}__{name}" for side in ("package", "target") for name in _LINKED),
        )
    ),
    package_id=int,
)


def package_insights(*, package: Package) -> Insights:
    """Return a package's score, answers, dependencies and status (3 queries, or 2 when the
    package was read with its score and status)."""
    # The score and the status in one query: both hang off the package, at most one each;
    # none when the package was read with them (`package_get(beside=INSIGHTS_BESIDE)`).
    beside: Package | None = package
    if not all(relation.is_cached(package) for relation in _INSIGHTS_RELATIONS):
        beside = (
            Package.objects.filter(pk=package.pk)
            .select_related(*INSIGHTS_BESIDE)
            .only("id", *INSIGHTS_BESIDE)
            .first()
        )
    # Both directions of the directory's dependencies in one query, with only what the page
    # links, made into instances at once (`core.reads`); in no order (the default one joins
    # both packages to sort by title): sorted here, which costs less than in SQL.
    rows = _DEPENDENCIES.all(package_id=package.pk)
    db = package._state.db or DEFAULT_DB_ALIAS
    shown = len(_DEPENDENCY_SHOWN)
    dependencies = []
    for row in rows:
        values = dict(zip(_DEPENDENCY_SHOWN, row[:shown], strict=True))
        source_title, source_slug, target_title, target_slug = row[shown:]
        related = {
            "package": package_link(
                pk=values["package_id"], title=source_title, slug=source_slug, db=db
            ),
            "target": package_link(
                pk=values["target_id"], title=target_title, slug=target_slug, db=db
            ),
        }
        dependencies.append(instance_of(Dependency, values, db=db, related=related))
    dependencies.sort(
        key=lambda row: (
            row.optional,
            (row.target if row.package_id == package.pk else row.package).title.lower(),
        )
    )
    return Insights(
        package=package,
        score=getattr(beside, "scoring", None),
        compatibility=compatibility_of(package=package),
        depends_on=[row for row in dependencies if row.package_id == package.pk],
        used_by=[row for row in dependencies if row.target_id == package.pk],
        status=getattr(beside, "status_flags", None),
        today=timezone.now(),
    )


@dataclass(frozen=True)
class PackageSummary:
    """What a badge or a card shows of a package: its score and its answers for Django."""

    package: Package
    score: PackageScore | None
    django: list[PackageCompatibility]

    @property
    def score_value(self) -> int | None:
        """Return the overall score, or None when there is none or it lacks facts."""
        if self.score is None or self.score.missing:
            return None
        return self.score.overall

    @property
    def django_supported(self) -> list[str]:
        """Return the supported Django releases the package works with, oldest first."""
        return [row.cycle.cycle for row in self.django if row.answer == Answer.YES]


def package_summary(*, slug: str) -> PackageSummary:
    """Return a package with its score and its answers for supported Django (2 queries)."""
    package = get_object_or_404(Package.objects.select_related("scoring"), slug=slug)
    try:
        score: PackageScore | None = package.scoring
    except PackageScore.DoesNotExist:
        score = None
    django = current_answers_of(package=package, product=Product.DJANGO, day=timezone.localdate())
    return PackageSummary(package=package, score=score, django=django)


@dataclass
class ScoreDetail:
    package: Package
    score: PackageScore | None
    history: list[ScoreSnapshot]
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @property
    def weight_total(self) -> int:
        return sum(self.weights.values())

    @property
    def blend_terms(self) -> list[tuple[str, int, int]]:
        """Return (dimension, score, weight) for the formula the page shows."""
        if self.score is None:
            return []
        return [(name, getattr(self.score, name), weight) for name, weight in self.weights.items()]


def score_detail(*, slug: str) -> ScoreDetail:
    """Return a package with its score and history (daily for 90 days, then monthly; 3 queries)."""
    package = get_object_or_404(
        Package.objects.select_related("category", "replaced_by"), slug=slug
    )
    since = timezone.localdate() - timedelta(days=HISTORY_DAYS)
    history = list(
        ScoreSnapshot.objects.filter(package=package)
        .filter(Q(taken_on__gte=since) | Q(taken_on__day=1))
        .order_by("-taken_on")[:200]
    )
    return ScoreDetail(
        package=package, score=PackageScore.objects.filter(package=package).first(), history=history
    )


@dataclass
class ColumnScore:
    """A grid column's stored score and its overall under the reader's weights."""

    score: PackageScore | None
    overall: int | None


def grid_scored(
    *,
    slug: str,
    sort: str = DEFAULT_COLUMN_SORT,
    show_retired: bool = False,
    weights: Mapping[str, int] | None = None,
    for_stewards: bool = False,
    kept_format: str | None = None,
) -> GridMatrix:
    """Return a grid's matrix with each column's score (one query more than the matrix).

    `weights` re-weights the overall score; `sort="score"` orders columns by it. With
    `kept_format` (grid_matrix), scores are read only for the columns without kept cells,
    unless the order or the weights need every one."""
    matrix = grid_matrix(
        slug=slug,
        sort=DEFAULT_COLUMN_SORT if sort == SCORE_SORT else sort,
        show_retired=show_retired,
        for_stewards=for_stewards,
        kept_format=kept_format,
    )
    every_score = sort == SCORE_SORT or dict(weights or DEFAULT_WEIGHTS) != DEFAULT_WEIGHTS
    scored = [column for column in matrix.columns if every_score or column.kept is None]
    scores = scores_for(package_ids=[column.package.pk for column in scored]) if scored else {}
    for column in scored:
        score = scores.get(column.package.pk)
        column.extra = ColumnScore(
            score=score, overall=blend(score.dimensions, weights) if score else None
        )
    if sort == SCORE_SORT:
        matrix.columns.sort(
            key=lambda column: (
                column.extra.overall is None,
                -(column.extra.overall or 0),
                column.package.title.lower(),
            )
        )
    return matrix
