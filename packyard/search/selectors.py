"""Searching: packages and grids ranked, facets, suggestions; each in a fixed number of queries.

The order of packages, and how a search runs, is described in plan.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.paginator import Page
from django.db import connection
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.compatibility.models import Product, ReleaseCycle
from packyard.core.postgresql import unprepared
from packyard.grids.models import Grid
from packyard.search import schema
from packyard.search.backends import Backend, Facets, backend_for
from packyard.search.paging import page_of
from packyard.search.plan import COUNT_LIMIT, IN_NAMES, LIVE, Bucket, Plan
from packyard.search.quality import grid_quality_sql
from packyard.search.query import (
    ParsedQuery,
    SearchQueryError,
    parse_query,
)
from packyard.search.spelling import corrections_for

__all__ = [
    "SEARCH_STATUSES",
    "SearchFilters",
    "SearchQueryError",
    "grids_search",
    "packages_search",
    "search_facets",
]

# The grids shown in the grid facet, and beside the packages on the results page.
GRID_FACET_SIZE = 12
GRIDS_ON_RESULTS_PAGE = 6

SEARCH_STATUSES = {
    "live": "Live",
    "archived": "Archived",
    "deprecated": "Deprecated",
    "missing": "Repository missing",
}
# What a support filter (`?django=`, `?python=`) looks like: a release cycle, MAJOR.MINOR.
CYCLE_FORMAT = re.compile(r"\d{1,3}\.\d{1,3}")
CYCLE_TABLE = ReleaseCycle._meta.db_table


@dataclass(frozen=True)
class SearchFilters:
    """Facet filters, by slug (category, grid), status name and release cycle (Django, Python).

    `django` and `python` keep packages that answer "yes" for the cycle ("6.0", "3.13").
    """

    category: str = ""
    grid: str = ""
    status: str = ""
    django: str = ""
    python: str = ""

    @property
    def active(self) -> bool:
        return bool(self.category or self.grid or self.status or self.django or self.python)


@dataclass
class PackageHit:
    """A package found, with the numbers that put it where it is."""

    package: Package
    name_match: int
    live: bool
    in_names: bool
    text: float
    quality: float
    score: float

    @property
    def status(self) -> str:
        """Return "live", or why the package ranks below live ones."""
        if self.package.archived_at is not None:
            return "archived"
        if self.package.deprecated_at is not None:
            return "deprecated"
        if self.package.repo_missing_since is not None:
            return "missing"
        return "live"

    @property
    def status_label(self) -> str:
        return SEARCH_STATUSES[self.status]


@dataclass
class GridHit:
    """A grid found, with its numbers."""

    grid: Grid
    name_match: int
    text: float
    quality: float
    score: float
    package_count: int


@dataclass
class PackageResults:
    """A page of ranked packages, how many there are, and what the query became."""

    query: ParsedQuery
    hits: list[PackageHit]
    total: int
    offset: int
    corrected: str = ""
    relaxed: bool = False
    # Counting stops at COUNT_LIMIT: `total` is then a lower bound, and pages end there.
    more: bool = False
    facets: Facets | None = None
    buckets: dict[Bucket, int] = field(default_factory=dict)
    # The filters applied: a release cycle that is not known is left out.
    filters: SearchFilters = field(default_factory=SearchFilters)


@dataclass
class GridResults:
    hits: list[GridHit]
    total: int
    offset: int


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchFacets:
    categories: list[FacetValue] = field(default_factory=list)
    grids: list[FacetValue] = field(default_factory=list)
    statuses: list[FacetValue] = field(default_factory=list)
    # Supported release cycles (and the filtered one), newest first: how many say "yes".
    django: list[FacetValue] = field(default_factory=list)
    python: list[FacetValue] = field(default_factory=list)


def _backend() -> Backend:
    return backend_for(schema.vendor_of(connection))


def _hits(plan: Plan, counts: dict[Bucket, int], *, offset: int, limit: int) -> list[PackageHit]:
    return [
        PackageHit(
            package=row.package,
            name_match=row.name_match,
            live=row.live,
            in_names=row.bucket in IN_NAMES,
            text=row.text,
            quality=row.quality,
            score=row.score,
        )
        for row in plan.rank(counts, offset=offset, limit=limit)
    ]


def _facets_for(filters: SearchFilters) -> tuple[Facets | None, SearchFilters]:
    """Return the facets of the filters, and the filters applied (one query, or none).

    The facets are None when a category, grid or status names nothing that exists; a release
    cycle that is not known is left out of both, as if it had not been asked for.
    """
    cycles = {
        product: cycle if CYCLE_FORMAT.fullmatch(cycle) else ""
        for product, cycle in ((Product.DJANGO, filters.django), (Product.PYTHON, filters.python))
    }
    applied = replace(filters, django=cycles[Product.DJANGO], python=cycles[Product.PYTHON])
    category_id = grid_id = None
    cycle_ids: tuple[int, ...] = ()
    if filters.category or filters.grid or any(cycles.values()):
        cycle_id = f"(SELECT id FROM {CYCLE_TABLE} WHERE product = %s AND cycle = %s)"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT id FROM catalog_category WHERE slug = %s), "
                f"(SELECT id FROM grids_grid WHERE slug = %s), {cycle_id}, {cycle_id}",
                [
                    filters.category,
                    filters.grid,
                    Product.DJANGO.value,
                    cycles[Product.DJANGO],
                    Product.PYTHON.value,
                    cycles[Product.PYTHON],
                ],
            )
            category_id, grid_id, django_id, python_id = cursor.fetchone()
        applied = replace(
            applied,
            django=applied.django if django_id is not None else "",
            python=applied.python if python_id is not None else "",
        )
        cycle_ids = tuple(cycle_id for cycle_id in (django_id, python_id) if cycle_id is not None)
        if (filters.category and category_id is None) or (filters.grid and grid_id is None):
            return None, applied
    if filters.status and filters.status not in SEARCH_STATUSES:
        return None, applied
    facets = Facets(
        category_id=category_id, grid_id=grid_id, status=filters.status, cycle_ids=cycle_ids
    )
    return facets, applied


@unprepared()
def packages_search(
    *,
    text: str,
    offset: int = 0,
    limit: int = 20,
    filters: SearchFilters | None = None,
) -> PackageResults:
    """Return a page of packages for a query, best first (raises SearchQueryError).

    A query that finds nothing is tried again with misspelt words corrected, then with any one
    of its words instead of all of them; the result says which.
    """
    query = parse_query(text, max_length=settings.SEARCH_MAX_QUERY_LENGTH)
    backend = _backend()
    facets, applied = _facets_for(filters or SearchFilters())
    if facets is None:
        return PackageResults(query=query, hits=[], total=0, offset=offset, filters=applied)
    counts = Plan(backend, query, facets).count()
    corrected = ""
    relaxed = False
    if not sum(counts.values()) and not query.only_common:
        corrections = corrections_for(backend=backend, query=query)
        if corrections:
            fixed = query.corrected(corrections)
            fixed_counts = Plan(backend, fixed, facets).count()
            if sum(fixed_counts.values()):
                query, counts, corrected = fixed, fixed_counts, fixed.text
        if not sum(counts.values()) and len(query.words) > 1:
            loose = query.relaxed()
            loose_counts = Plan(backend, loose, facets).count()
            if sum(loose_counts.values()):
                query, counts, relaxed = loose, loose_counts, True
    total = min(sum(counts.values()), COUNT_LIMIT)
    if limit and total and offset >= total:
        offset = (total - 1) // limit * limit
    hits = _hits(Plan(backend, query, facets), counts, offset=offset, limit=limit)
    return PackageResults(
        query=query,
        hits=hits,
        total=total,
        offset=offset,
        corrected=corrected,
        relaxed=relaxed,
        more=total >= COUNT_LIMIT,
        facets=facets,
        buckets=counts,
        filters=applied,
    )


@unprepared()
def grids_search(*, query: ParsedQuery, offset: int = 0, limit: int = 10) -> GridResults:
    """Return a page of grids for a parsed query: name matches first, then the blend (1 query)."""
    backend = _backend()
    keys = list(query.keys)
    placeholders = ", ".join(["%s"] * len(keys)) or "NULL"
    named = (
        "SELECT object_id AS id, CAST(NULL AS float) AS rel, "
        f"max(CASE WHEN key = %s THEN 2 ELSE 1 END) AS tier FROM {schema.NAME_TABLE} "
        f"WHERE {backend.unindexed('kind')} = 'grid' AND key IN ({placeholders}) "
        "GROUP BY object_id"
    )
    named_params: list[Any] = [keys[0] if keys else "", *keys]
    ranked_params: list[Any]
    if query.only_common:
        ranked_sql, ranked_params = "SELECT id, 1.0 AS rel FROM grids_grid WHERE 0 = 1", []
    else:
        ranked_sql, ranked_params = backend.grid_ranked(query)
    count = "g.package_count"
    quality = grid_quality_sql(package_count=count, vendor=backend.vendor)
    text_weight = float(settings.SEARCH_TEXT_WEIGHT)
    quality_weight = float(settings.SEARCH_QUALITY_WEIGHT)
    text = "COALESCE(h.rel / NULLIF(max(h.rel) OVER (), 0), 1.0)"
    sql = (
        "SELECT g.*, h.tier AS search_name_match, "
        f"{text} AS search_text, {quality} AS search_quality, {count} AS search_package_count, "
        f"{text_weight!r} * {text} + {quality_weight!r} * {quality} AS search_score, "
        "count(*) OVER () AS search_total "
        "FROM (SELECT id, max(rel) AS rel, max(tier) AS tier FROM ("
        f"SELECT id, rel, 0 AS tier FROM ({ranked_sql}) AS r "
        f"UNION ALL SELECT id, rel, tier FROM ({named}) AS n) AS hits GROUP BY id) AS h "
        "JOIN grids_grid g ON g.id = h.id "
        "ORDER BY search_name_match DESC, search_score DESC, lower(g.title), g.id "
        f"LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    params = ranked_params + named_params
    hits = []
    total = 0
    for grid in Grid.objects.raw(sql, params):
        extra: Any = grid
        total = int(extra.search_total)
        hits.append(
            GridHit(
                grid=grid,
                name_match=int(extra.search_name_match),
                text=float(extra.search_text),
                quality=float(extra.search_quality),
                score=float(extra.search_score),
                package_count=int(extra.search_package_count),
            )
        )
    return GridResults(hits=hits, total=total, offset=offset)


def _counted_cycles(facets: Facets) -> tuple[str, list[Any]]:
    """Return the ids of the cycles the support facets count: supported today, or filtered by.

    "Supported" is the compatibility app's: released and before its end of security support.
    """
    cycles = ReleaseCycle.objects.supported_on(timezone.localdate())
    if facets.cycle_ids:
        cycles = cycles | ReleaseCycle.objects.filter(pk__in=facets.cycle_ids)
    sql, params = cycles.order_by().values("id").query.sql_with_params()
    return sql, list(params)


def _cycle_order(item: FacetValue) -> tuple[int, ...]:
    """Order "3.9" before "3.13"; a name staff wrote otherwise ("6.0rc") sorts by its numbers."""
    return tuple(int(number) for number in re.findall(r"\d+", item.value))


@unprepared()
def search_facets(*, results: PackageResults) -> SearchFacets:
    """Return how many of a search's matches each category, grid and status has (1 query).

    And, for each supported Django and Python release cycle (and the filtered ones), how many
    of them answer "yes".
    """
    if results.facets is None or not results.total:
        return SearchFacets()
    plan = Plan(_backend(), results.query, results.facets)
    matches_sql, params = plan.all_set(results.buckets)
    cycles_sql, cycles_params = _counted_cycles(results.facets)
    sql = (
        "WITH matched AS (SELECT DISTINCT p.id, p.category_id, "
        f"({LIVE}) AS live, "
        "p.archived_at IS NOT NULL AS archived, p.deprecated_at IS NOT NULL AS deprecated, "
        "p.repo_missing_since IS NOT NULL AS missing "
        f"FROM ({matches_sql}) AS m JOIN catalog_package p ON p.id = m.id) "
        "SELECT 'category' AS facet, c.slug AS value, c.title AS label, count(*) AS n "
        "FROM matched JOIN catalog_category c ON c.id = matched.category_id "
        "GROUP BY c.slug, c.title "
        "UNION ALL SELECT * FROM (SELECT 'grid' AS facet, g.slug AS value, g.title AS label, "
        "count(*) AS n FROM matched JOIN grids_gridpackage gp ON gp.package_id = matched.id "
        "JOIN grids_grid g ON g.id = gp.grid_id GROUP BY g.slug, g.title "
        f"ORDER BY n DESC, g.title LIMIT {GRID_FACET_SIZE}) AS grid_counts "
        + "".join(
            f"UNION ALL SELECT 'status', '{status}', '', "
            f"COALESCE(SUM(CASE WHEN {status} THEN 1 ELSE 0 END), 0) FROM matched "
            for status in SEARCH_STATUSES
        )
        # One pass: each match's answers, read from the (package, cycle) index, grouped by
        # cycle. SQLite would rather read every "yes" of the cycles from the (cycle, answer)
        # index and look each up in the matches (ten times slower): its CROSS JOIN keeps the
        # matches as the outer loop (PostgreSQL plans it as any join).
        + "UNION ALL SELECT rc.product, rc.cycle, "
        "rc.cycle || CASE WHEN rc.lts THEN ' LTS' ELSE '' END, COALESCE(yes.n, 0) "
        f"FROM {CYCLE_TABLE} rc LEFT JOIN (SELECT a.cycle_id, count(*) AS n FROM matched "
        f"CROSS JOIN {schema.ANSWER_TABLE} a WHERE a.package_id = matched.id AND a.answer = %s "
        f"AND a.cycle_id IN ({cycles_sql}) GROUP BY a.cycle_id) "
        f"AS yes ON yes.cycle_id = rc.id WHERE rc.id IN ({cycles_sql})"
    )
    params += [schema.YES, *cycles_params, *cycles_params]
    result = SearchFacets()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for facet, value, label, count in rows:
        if facet == "category":
            result.categories.append(FacetValue(value, label, int(count)))
        elif facet == "grid":
            result.grids.append(FacetValue(value, label, int(count)))
        elif facet == Product.DJANGO:
            result.django.append(FacetValue(value, label, int(count)))
        elif facet == Product.PYTHON:
            result.python.append(FacetValue(value, label, int(count)))
        elif int(count):
            result.statuses.append(FacetValue(value, SEARCH_STATUSES[value], int(count)))
    result.categories.sort(key=lambda item: (-item.count, item.label.casefold()))
    result.django.sort(key=_cycle_order, reverse=True)
    result.python.sort(key=_cycle_order, reverse=True)
    # While a support facet filters, it shows only the release it filters by (as category and
    # grid do): its other counts would be of matches that work with both releases, not of what
    # their links show. Where no match says "yes" for any release (nothing known yet, as before
    # PyPI is first fetched), the facet would be a list of zeros: it is left out.
    for name in ("django", "python"):
        chosen = getattr(results.filters, name)
        values: list[FacetValue] = getattr(result, name)
        if chosen:
            setattr(result, name, [item for item in values if item.value == chosen])
        elif not any(item.count for item in values):
            setattr(result, name, [])
    return result


@dataclass
class SearchPage:
    """What the results page shows: a page of packages or grids, the first grids, facets."""

    kind: str
    packages: PackageResults
    package_page: Page[Any]
    grids: GridResults
    grid_page: Page[Any] | None
    facets: SearchFacets
    # The filters applied (a release cycle that is not known is left out).
    filters: SearchFilters = field(default_factory=SearchFilters)


def search_page(
    *, text: str, page: int, per_page: int, filters: SearchFilters, kind: str = "packages"
) -> SearchPage:
    """Return one page of results (4 queries; 5 when a filter names nothing that exists).

    Count, rank, grids and facets; with filters, looking up the category, grid and release
    cycles asked for takes one query and the grids beside the packages (not filtered) go; when
    the filters found are only unknown releases, which are ignored, the grids come back.
    """
    grids_only = kind == "grids"
    offset = (max(page, 1) - 1) * per_page
    packages = packages_search(
        text=text,
        offset=0 if grids_only else offset,
        limit=0 if grids_only else per_page,
        filters=filters,
    )
    if grids_only:
        grids = grids_search(query=packages.query, offset=offset, limit=per_page)
        if grids.total and offset >= grids.total:
            grids = grids_search(
                query=packages.query,
                offset=(grids.total - 1) // per_page * per_page,
                limit=per_page,
            )
        grid_page: Page[Any] | None = page_of(
            total=grids.total, offset=grids.offset, rows=grids.hits, per_page=per_page
        )
        facets = SearchFacets()
    else:
        grids = (
            GridResults(hits=[], total=0, offset=0)
            if packages.filters.active
            else grids_search(query=packages.query, limit=GRIDS_ON_RESULTS_PAGE)
        )
        grid_page = None
        facets = search_facets(results=packages)
    return SearchPage(
        kind=kind,
        packages=packages,
        package_page=page_of(
            total=packages.total, offset=packages.offset, rows=packages.hits, per_page=per_page
        ),
        grids=grids,
        grid_page=grid_page,
        facets=facets,
        filters=packages.filters,
    )


@dataclass
class Suggestions:
    packages: list[PackageHit]
    grids: list[GridHit]
    corrected: str


def suggestions(*, text: str, limit: int, grids: int) -> Suggestions:
    """Return the best packages (and grids) for text typed so far (2 or 3 queries)."""
    found = packages_search(text=text, limit=limit)
    grid_hits = grids_search(query=found.query, limit=grids).hits if grids else []
    return Suggestions(packages=found.hits, grids=grid_hits, corrected=found.corrected)
