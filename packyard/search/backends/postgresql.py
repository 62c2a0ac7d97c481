"""Build one search's SQL for PostgreSQL: tsqueries over weighted tsvectors, ts_rank, pg_trgm.

See https://www.postgresql.org/docs/current/textsearch.html and pgtrgm.html.
"""

from __future__ import annotations

from typing import Any

from packyard.search import schema
from packyard.search.backends.common import (
    FIELD_WEIGHTS,
    Facets,
    Fields,
    Fragment,
    Liveness,
    vocabulary_rows,
)
from packyard.search.query import ParsedQuery, Word


class PostgreSQLBackend:
    """PostgreSQL: weighted tsvectors ranked by ts_rank; pg_trgm for substrings and slips."""

    vendor = "postgresql"
    table = schema.PACKAGE_TABLE_POSTGRESQL
    quality_table = schema.PACKAGE_TABLE_POSTGRESQL
    # ts_rank's weights, in the order {D, C, B, A}: people, body, tags, names.
    weights = (
        "{"
        + ", ".join(
            f"{FIELD_WEIGHTS[field] / FIELD_WEIGHTS['names']:.3f}"
            for field in ("people", "body", "tags", "names")
        )
        + "}"
    )

    def tsquery(self, query: ParsedQuery) -> Fragment:
        """Return a tsquery for the words (prefixes) and the quoted phrases of a query."""
        words = [f"'{word.text}'" + (":*" if word.prefix else "") for word in query.words]
        parts: list[str] = []
        params: list[Any] = []
        if words:
            parts.append("to_tsquery('english', %s)")
            params.append((" | " if query.any_word else " & ").join(words))
        if query.phrases:
            parts.append("websearch_to_tsquery('english', %s)")
            params.append(" ".join('"' + " ".join(phrase) + '"' for phrase in query.phrases))
        return "(" + " && ".join(parts) + ")", params

    def _excluded(self, query: ParsedQuery) -> Fragment:
        items = " or ".join('"' + " ".join(phrase) + '"' for phrase in query.excluded)
        return "websearch_to_tsquery('english', %s)", [items]

    def _facets(self, tokens: tuple[str, ...]) -> Fragment:
        return "to_tsquery('simple', %s)", [" & ".join(tokens)]

    def _where(
        self, query: ParsedQuery, *, fields: Fields, facets: Facets, liveness: Liveness
    ) -> Fragment:
        tsquery, params = self.tsquery(query)
        if fields == "primary":
            where = f"primary_document @@ {tsquery}"
        elif fields == "all":
            where = f"document @@ {tsquery}"
        else:
            where = f"document @@ {tsquery} AND NOT primary_document @@ {tsquery}"
            params = params + params
        tokens = facets.tokens
        if liveness != "any":
            inactive, inactive_params = self._facets((schema.INACTIVE_FACET,))
            where += f" AND {'NOT ' if liveness == 'live' else ''}facets @@ {inactive}"
            params = params + inactive_params
        if tokens:
            facet_sql, facet_params = self._facets(tokens)
            where += f" AND facets @@ {facet_sql}"
            params = params + facet_params
        if query.excluded:
            excluded_sql, excluded_params = self._excluded(query)
            where += f" AND NOT document @@ {excluded_sql}"
            params = params + excluded_params
        return where, params

    def text_set(
        self, query: ParsedQuery, *, fields: Fields, facets: Facets, liveness: Liveness
    ) -> Fragment:
        if liveness == "inactive":
            conditions = self._row_conditions(
                query, fields=fields, facets=facets, liveness="any", alias="i"
            )
            return self._inactive_rows("i.package_id AS id", conditions)
        where, params = self._where(query, fields=fields, facets=facets, liveness=liveness)
        return f"SELECT package_id AS id FROM {self.table} WHERE {where}", params

    def text_ranked(
        self, query: ParsedQuery, *, fields: Fields, facets: Facets, liveness: Liveness
    ) -> Fragment:
        tsquery, rank_params = self.tsquery(query)
        document = "primary_document" if fields == "primary" else "document"

        def rank(alias: str) -> str:
            return f"ts_rank('{self.weights}', {alias}{document}, {tsquery}, 1)"

        if liveness == "inactive":
            conditions = self._row_conditions(
                query, fields=fields, facets=facets, liveness="any", alias="i"
            )
            sql, params = self._inactive_rows(
                f"i.package_id AS id, {rank('i.')} AS rel, i.quality AS quality", conditions
            )
            # The rank (in the select list) comes first in the statement.
            return sql, rank_params + params
        where, params = self._where(query, fields=fields, facets=facets, liveness=liveness)
        return (
            f"SELECT package_id AS id, {rank('')} AS rel, quality FROM {self.table} WHERE {where}",
            rank_params + params,
        )

    def quality_of(self, id_sql: str) -> str:
        return f"COALESCE((SELECT quality FROM {self.table} WHERE package_id = {id_sql}), 0.0)"

    def inactive_set(self) -> Fragment:
        facet_sql, params = self._facets((schema.INACTIVE_FACET,))
        return f"SELECT package_id AS id FROM {self.table} WHERE facets @@ {facet_sql}", params

    def facet_set(self, facets: Facets) -> Fragment:
        facet_sql, params = self._facets(facets.tokens)
        return f"SELECT package_id AS id FROM {self.table} WHERE facets @@ {facet_sql}", params

    def substring_only(
        self, query: ParsedQuery, words: list[str], *, facets: Facets, liveness: Liveness
    ) -> Fragment:
        likes = " AND ".join("names LIKE %s" for _ in words)
        params: list[Any] = [f"%{word}%" for word in words]
        # OFFSET 0 keeps PostgreSQL from testing the text with another index scan: the
        # rows found by their names are few, each is tested as it comes.
        where, where_params = self._row_conditions(
            query, fields=None, facets=facets, liveness=liveness, alias="s"
        )
        tsquery, text_params = self.tsquery(query)
        return (
            f"SELECT s.id AS id FROM (SELECT package_id AS id, document, facets "
            f"FROM {self.table} WHERE {likes} OFFSET 0) AS s "
            f"WHERE NOT s.document @@ {tsquery} AND {where}",
            params + text_params + where_params,
        )

    def _row_conditions(
        self,
        query: ParsedQuery,
        *,
        fields: Fields | None,
        facets: Facets,
        liveness: Liveness,
        alias: str,
    ) -> Fragment:
        """Return conditions on one row's columns (for rows already found another way)."""
        conditions = ["TRUE"]
        params: list[Any] = []
        if fields is not None:
            tsquery, text_params = self.tsquery(query)
            if fields == "primary":
                conditions.append(f"{alias}.primary_document @@ {tsquery}")
                params += text_params
            elif fields == "all":
                conditions.append(f"{alias}.document @@ {tsquery}")
                params += text_params
            else:
                conditions.append(
                    f"{alias}.document @@ {tsquery} AND NOT {alias}.primary_document @@ {tsquery}"
                )
                params += text_params + text_params
        if liveness != "any":
            inactive, inactive_params = self._facets((schema.INACTIVE_FACET,))
            conditions.append(f"{'NOT ' if liveness == 'live' else ''}{alias}.facets @@ {inactive}")
            params += inactive_params
        if facets.tokens:
            facet_sql, facet_params = self._facets(facets.tokens)
            conditions.append(f"{alias}.facets @@ {facet_sql}")
            params += facet_params
        if query.excluded:
            excluded_sql, excluded_params = self._excluded(query)
            conditions.append(f"NOT {alias}.document @@ {excluded_sql}")
            params += excluded_params
        return " AND ".join(conditions), params

    def _inactive_rows(self, select: str, where: Fragment) -> Fragment:
        """Return rows among the (few) inactive packages, each tested as it comes."""
        inactive, params = self._facets((schema.INACTIVE_FACET,))
        return (
            f"SELECT {select} FROM (SELECT package_id, primary_document, document, facets, quality "
            f"FROM {self.table} WHERE facets @@ {inactive} OFFSET 0) AS i WHERE {where[0]}",
            params + where[1],
        )

    def rank_of(self, query: ParsedQuery, *, id_sql: str) -> Fragment:
        tsquery, params = self.tsquery(query)
        return (
            f"(SELECT ts_rank('{self.weights}', document, {tsquery}, 1) FROM {self.table} "
            f"WHERE package_id = {id_sql} AND document @@ {tsquery})",
            params + params,
        )

    def has_facets(self, facets: Facets, *, id_sql: str) -> Fragment:
        facet_sql, params = self._facets(facets.tokens)
        return (
            f"EXISTS (SELECT 1 FROM {self.table} WHERE package_id = {id_sql} "
            f"AND facets @@ {facet_sql})",
            params,
        )

    def is_excluded(self, query: ParsedQuery, *, id_sql: str) -> Fragment:
        excluded_sql, params = self._excluded(query)
        return (
            f"EXISTS (SELECT 1 FROM {self.table} WHERE package_id = {id_sql} "
            f"AND document @@ {excluded_sql})",
            params,
        )

    def unindexed(self, column: str) -> str:
        return column

    def words_found(self, words: list[Word]) -> Fragment:
        checks = [
            f"(SELECT count(*) FROM (SELECT 1 FROM {self.table} "
            f"WHERE document @@ to_tsquery('english', %s) LIMIT 1) AS found) AS found{index}"
            for index, _ in enumerate(words)
        ]
        params = [f"'{word.text}'" + (":*" if word.prefix else "") for word in words]
        return "SELECT " + ", ".join(checks), params

    def vocabulary(self, words: list[str]) -> Fragment:
        return vocabulary_rows(words, table=schema.WORD_TABLE_POSTGRESQL, column="word")

    def grid_ranked(self, query: ParsedQuery) -> Fragment:
        tsquery, params = self.tsquery(query)
        where = f"document @@ {tsquery}"
        where_params = list(params)
        if query.excluded:
            excluded_sql, excluded_params = self._excluded(query)
            where += f" AND NOT document @@ {excluded_sql}"
            where_params += excluded_params
        return (
            f"SELECT grid_id AS id, ts_rank('{self.weights}', document, {tsquery}, 1) AS rel "
            f"FROM {schema.GRID_TABLE_POSTGRESQL} WHERE {where}",
            params + where_params,
        )
