"""How one package search runs: the buckets of the order, counted, then only the needed ranked.

Packages sort in this order (the README's "Search" section says it for people):

1. An exact name match: the query equals the title, slug or PyPI name, ignoring case, spaces,
   `-`, `_` and dots (tier 2); or equals it with "django" before it (tier 1).
2. Live packages before archived, deprecated and "repository missing" ones.
3. Packages with every word in their names, grid titles, category or keywords ("primary"), then
   packages with a word only in their description, summary or contributors ("secondary"), then
   (only when the words match fewer than SUBSTRING_WHEN_FEWER packages) packages whose names
   hold the words inside longer words ("substring": "auth" in "emailauth").
4. The blend: SEARCH_TEXT_WEIGHT x text relevance (0-1; the best match of its bucket is 1) +
   SEARCH_QUALITY_WEIGHT x quality (0-1; `packyard.search.quality.package_quality`).

Rules 1-3 make seven buckets. The first statement counts them with set operations of the
full-text index (no ranking); the second ranks only the rows of the buckets the asked page falls
in. So a broad word on a large directory ranks the packages with the word in their names, not
every package that mentions it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.db import connection

from packyard.catalog.models import Category, Package
from packyard.search import schema
from packyard.search.backends import Backend, Facets, Fields, Fragment, Liveness
from packyard.search.query import PREFIX_MIN_LENGTH, ParsedQuery

# Text relevance of a package whose names hold the words only inside longer words.
SUBSTRING_TEXT_SCORE = 0.5
# Substring matches are added only when the words match fewer packages than this.
SUBSTRING_WHEN_FEWER = 100
# Matches are counted (and can be paged to) up to this many; past it a search says "1,000+".
COUNT_LIMIT = 1000
# A query of nothing but "django" (or its beginning, or a slip of it) ranks this many of the
# most-starred packages rather than every package.
COMMON_QUERY_CANDIDATES = 1000

Bucket = Literal[
    "named",
    "live-primary",
    "live-secondary",
    "live-substring",
    "inactive-primary",
    "inactive-secondary",
    "inactive-substring",
]
BUCKETS: tuple[Bucket, ...] = (
    "named",
    "live-primary",
    "live-secondary",
    "live-substring",
    "inactive-primary",
    "inactive-secondary",
    "inactive-substring",
)
# Buckets whose packages have every word in their names, grids, category or keywords.
IN_NAMES = {"named", "live-primary", "live-substring", "inactive-primary", "inactive-substring"}
NOTHING: Fragment = ("SELECT id FROM catalog_package WHERE 1 = 0", [])
LIVE = "p.archived_at IS NULL AND p.deprecated_at IS NULL AND p.repo_missing_since IS NULL"


@dataclass
class RankedRow:
    """A package of a page, with the numbers that put it there."""

    package: Package
    bucket: Bucket
    name_match: int
    live: bool
    text: float
    quality: float
    score: float


class Plan:
    """The SQL of one query's buckets, for one backend and set of facets."""

    def __init__(self, backend: Backend, query: ParsedQuery, facets: Facets) -> None:
        self.backend = backend
        self.query = query
        self.facets = facets
        self.substring_words = (
            []
            if query.phrases or query.only_common or query.any_word
            else [word.text for word in query.words if len(word.text) >= PREFIX_MIN_LENGTH]
        )
        self.named_ranked = self._named()
        self.named: Fragment = (
            f"SELECT id FROM ({self.named_ranked[0]}) AS named",
            self.named_ranked[1],
        )

    def _named(self) -> Fragment:
        """Return (id, tier) of packages whose name the query is (2), or is after "django" (1)."""
        keys = list(self.query.keys)
        if not keys:
            return "SELECT id, 0 AS tier FROM catalog_package WHERE 1 = 0", []
        # "+kind": the key index, not the (kind, object_id) one the GROUP BY tempts SQLite into.
        kind = self.backend.unindexed("n.kind")
        conditions = [f"{kind} = 'package' AND n.key IN ({', '.join(['%s'] * len(keys))})"]
        params: list[Any] = [keys[0], *keys]
        if self.facets.tokens:
            sql, facet_params = self.backend.has_facets(self.facets, id_sql="n.object_id")
            conditions.append(sql)
            params += facet_params
        if self.query.excluded:
            sql, excluded_params = self.backend.is_excluded(self.query, id_sql="n.object_id")
            conditions.append(f"NOT {sql}")
            params += excluded_params
        return (
            "SELECT n.object_id AS id, max(CASE WHEN n.key = %s THEN 2 ELSE 1 END) AS tier "
            f"FROM {schema.NAME_TABLE} n WHERE {' AND '.join(conditions)} GROUP BY n.object_id",
            params,
        )

    def _not_named(self, column: str) -> Fragment:
        return f"{self.backend.unindexed(column)} NOT IN ({self.named[0]})", list(self.named[1])

    @staticmethod
    def _liveness(bucket: Bucket) -> Liveness:
        return "live" if bucket.startswith("live") else "inactive"

    @staticmethod
    def _fields(bucket: Bucket) -> Fields:
        return "primary" if bucket.endswith("primary") else "secondary"

    def _common(self, liveness: Liveness) -> Fragment:
        """Return the most-starred packages, for a query of nothing but "django"."""
        condition, params = replace_liveness(self.facets, liveness).conditions("top")
        if self.query.excluded:
            excluded, excluded_params = self.backend.is_excluded(self.query, id_sql="top.id")
            condition += f" AND NOT {excluded}"
            params += excluded_params
        return (
            "SELECT top.id AS id FROM (SELECT id, category_id, archived_at, deprecated_at, "
            "repo_missing_since FROM catalog_package WHERE stars IS NOT NULL "
            f"ORDER BY stars DESC LIMIT {COMMON_QUERY_CANDIDATES}) AS top WHERE {condition}",
            params,
        )

    def bucket_set(self, bucket: Bucket, *, fields: Fields | None = None) -> Fragment:
        """Return the ids in a bucket (or, with `fields`, of its text match in those fields)."""
        if bucket == "named":
            return self.named
        liveness = self._liveness(bucket)
        if self.query.only_common:
            # No words to match: the primary bucket (all its fields alike) is the top packages.
            if not bucket.endswith("primary"):
                return NOTHING
            sql, params = self._common(liveness)
        elif bucket.endswith("substring"):
            if not self.substring_words:
                return NOTHING
            sql, params = self.backend.substring_only(
                self.query, self.substring_words, facets=self.facets, liveness=liveness
            )
        else:
            sql, params = self.backend.text_set(
                self.query,
                fields=fields or self._fields(bucket),
                facets=self.facets,
                liveness=liveness,
            )
        not_named, not_named_params = self._not_named("t.id")
        return f"SELECT t.id AS id FROM ({sql}) AS t WHERE {not_named}", params + not_named_params

    def bucket_ranked(self, bucket: Bucket) -> Fragment:
        """Return (id, rel, tier) rows of a bucket; rel is NULL where there is no text rank."""
        backend = self.backend
        if bucket == "named":
            rank_sql, rank_params = backend.rank_of(self.query, id_sql="n.id")
            return (
                f"SELECT n.id AS id, {rank_sql} AS rel, n.tier AS tier, "
                f"{backend.quality_of('n.id')} AS quality FROM ({self.named_ranked[0]}) AS n",
                rank_params + self.named_ranked[1],
            )
        if self.query.only_common or bucket.endswith("substring"):
            sql, params = self.bucket_set(bucket)
            return (
                "SELECT b.id AS id, CAST(NULL AS float) AS rel, 0 AS tier, "
                f"{backend.quality_of('b.id')} AS quality FROM ({sql}) AS b",
                params,
            )
        sql, params = self.backend.text_ranked(
            self.query,
            fields=self._fields(bucket),
            facets=self.facets,
            liveness=self._liveness(bucket),
        )
        not_named, not_named_params = self._not_named("t.id")
        return (
            f"SELECT t.id AS id, t.rel AS rel, 0 AS tier, t.quality AS quality "
            f"FROM ({sql}) AS t WHERE {not_named}",
            params + not_named_params,
        )

    def all_set(self, counts: dict[Bucket, int]) -> Fragment:
        """Return the matches facets count: each group's first COUNT_LIMIT, as pages reach."""
        parts = [self.named]
        for liveness in ("live", "inactive"):
            bucket: Bucket = "live-primary" if liveness == "live" else "inactive-primary"
            parts.append(self.bucket_set(bucket, fields="all"))
            substring: Bucket = "live-substring" if liveness == "live" else "inactive-substring"
            if counts[substring]:
                parts.append(self.bucket_set(substring))
        return (
            " UNION ALL ".join(
                f"SELECT id FROM ({sql} LIMIT {COUNT_LIMIT}) AS b{i}"
                for i, (sql, _) in enumerate(parts)
            ),
            [param for _, params in parts for param in params],
        )

    def count(self) -> dict[Bucket, int]:
        """Count the packages of each bucket (1 query).

        Each count stops at COUNT_LIMIT. Secondary = all matches - primary ones (a primary
        match is a match), so no statement tests "not in the names" row by row; substring
        matches are counted only when the words match fewer than SUBSTRING_WHEN_FEWER.
        """
        parts: dict[str, Fragment] = {"named": self.named}
        for liveness in ("live", "inactive"):
            primary: Bucket = "live-primary" if liveness == "live" else "inactive-primary"
            parts[f"{liveness}_primary"] = self.bucket_set(primary)
            parts[f"{liveness}_all"] = self.bucket_set(primary, fields="all")
        counts_sql = ", ".join(
            f"(SELECT count(*) FROM ({sql} LIMIT {COUNT_LIMIT}) AS b) AS {name}"
            for name, (sql, _) in parts.items()
        )
        params = [param for _, part_params in parts.values() for param in part_params]
        substring_sql = []
        for liveness in ("live", "inactive"):
            bucket: Bucket = "live-substring" if liveness == "live" else "inactive-substring"
            sql, substring_params = self.bucket_set(bucket)
            substring_sql.append(
                f"CASE WHEN c.live_all + c.inactive_all < {SUBSTRING_WHEN_FEWER} THEN "
                f"(SELECT count(*) FROM ({sql} LIMIT {COUNT_LIMIT}) AS b) ELSE 0 END"
            )
            params += substring_params
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH c AS MATERIALIZED (SELECT {counts_sql}) SELECT c.named, c.live_primary, "
                "c.live_all, c.inactive_primary, c.inactive_all, "
                f"{', '.join(substring_sql)} FROM c",
                params,
            )
            (
                named,
                live_primary,
                live_all,
                inactive_primary,
                inactive_all,
                live_sub,
                inactive_sub,
            ) = (int(value) for value in cursor.fetchone())
        return {
            "named": named,
            "live-primary": live_primary,
            "live-secondary": max(live_all - live_primary, 0),
            "live-substring": live_sub,
            "inactive-primary": inactive_primary,
            "inactive-secondary": max(inactive_all - inactive_primary, 0),
            "inactive-substring": inactive_sub,
        }

    def rank(self, counts: dict[Bucket, int], *, offset: int, limit: int) -> list[RankedRow]:
        """Rank the rows of the buckets that [offset, offset + limit) falls in (1 query).

        Ranking reads each match's text rank and stored quality only; the package rows are
        read for the page's rows alone.
        """
        text_weight = float(settings.SEARCH_TEXT_WEIGHT)
        quality_weight = float(settings.SEARCH_QUALITY_WEIGHT)
        selects = []
        params: list[Any] = []
        start = 0
        for position, bucket in enumerate(BUCKETS):
            size = counts[bucket]
            low, high = max(offset, start), min(offset + limit, start + size)
            if low < high:
                ranked_sql, ranked_params = self.bucket_ranked(bucket)
                # No text rank: a name match or a "django"-only query is a full match.
                full = bucket == "named" or self.query.only_common
                missing = "1.0" if full else repr(SUBSTRING_TEXT_SCORE)
                text = f"COALESCE(r.rel / NULLIF(m.top, 0), {missing})"
                live = (
                    f"(SELECT CASE WHEN {LIVE} THEN 1 ELSE 0 END FROM catalog_package p "
                    "WHERE p.id = r.id)"
                    if bucket == "named"
                    else str(int(bucket.startswith("live")))
                )
                quality = "r.quality"
                # The best text rank of the bucket is read once from the materialised rows.
                best = (
                    f"WITH r AS MATERIALIZED ({ranked_sql}), "
                    "m AS (SELECT max(rel) AS top FROM r) "
                    f"SELECT r.id AS search_id, {position} AS search_bucket, "
                    f"r.tier AS search_name_match, {live} AS search_live, "
                    f"{text} AS search_text, {quality} AS search_quality, "
                    f"{text_weight!r} * {text} + {quality_weight!r} * {quality} AS search_score "
                    "FROM r CROSS JOIN m ORDER BY search_name_match DESC, search_live DESC, "
                    f"search_score DESC, search_id LIMIT {high - low} OFFSET {low - start}"
                )
                selects.append(
                    "SELECT p.*, c.title AS search_category_title, "
                    f"c.slug AS search_category_slug, b.* FROM ({best}) AS b "
                    "JOIN catalog_package p ON p.id = b.search_id "
                    "JOIN catalog_category c ON c.id = p.category_id"
                )
                params += ranked_params
            start += size
        if not selects:
            return []
        sql = (
            f"SELECT * FROM ({' UNION ALL '.join(selects)}) AS page ORDER BY search_bucket, "
            "search_name_match DESC, search_live DESC, search_score DESC, search_id"
        )
        rows = []
        for package in Package.objects.raw(sql, params):
            extra: Any = package
            # The category's title and slug came with the row; no query per package.
            package.category = Category(
                id=package.category_id,
                title=extra.search_category_title,
                slug=extra.search_category_slug,
            )
            rows.append(
                RankedRow(
                    package=package,
                    bucket=BUCKETS[int(extra.search_bucket)],
                    name_match=int(extra.search_name_match),
                    live=bool(extra.search_live),
                    text=float(extra.search_text),
                    quality=float(extra.search_quality),
                    score=float(extra.search_score),
                )
            )
        return rows


def replace_liveness(facets: Facets, liveness: Liveness) -> Facets:
    """Return the facets narrowed to live or inactive packages."""
    return facets if liveness == "any" else facets.with_liveness(live=liveness == "live")
