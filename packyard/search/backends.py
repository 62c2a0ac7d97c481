"""SQL for one search, in SQLite FTS5's or PostgreSQL's dialect; selectors.py assembles it.

Each method returns a fragment: SQL text with `%s` placeholders and its parameters. A "set"
fragment selects one column, `id`; a "ranked" fragment selects `id` and `rel` (higher is a
better text match). What people type reaches SQL only as parameters: inside FTS5 strings
(quoted, so no operator in them acts) or as tsquery operands made of letters and digits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from packyard.search import schema
from packyard.search.query import ParsedQuery, Word

Fragment = tuple[str, list[Any]]
Fields = Literal["primary", "secondary", "all"]

# Weights of the indexed fields in text relevance: names, then grid titles, category and
# keywords ("tags"), then description and PyPI summary ("body"), then contributors ("people").
FIELD_WEIGHTS = {"names": 10.0, "tags": 4.0, "body": 1.0, "people": 0.5}


STATUS_CONDITIONS = {
    "live": (
        "{p}.archived_at IS NULL AND {p}.deprecated_at IS NULL AND {p}.repo_missing_since IS NULL"
    ),
    "inactive": (
        "NOT ({p}.archived_at IS NULL AND {p}.deprecated_at IS NULL "
        "AND {p}.repo_missing_since IS NULL)"
    ),
    "archived": "{p}.archived_at IS NOT NULL",
    "deprecated": "{p}.deprecated_at IS NOT NULL",
    "missing": "{p}.repo_missing_since IS NOT NULL",
}
STATUS_TOKENS = {
    "live": schema.LIVE_FACET,
    "inactive": schema.INACTIVE_FACET,
    **schema.STATUS_FACETS,
}


@dataclass(frozen=True)
class Facets:
    """What every result must be: in a category, in a grid, of a status, live or not, and
    answering "yes" for release cycles (Django, Python) by id."""

    category_id: int | None = None
    grid_id: int | None = None
    status: str = ""
    liveness: str = ""
    cycle_ids: tuple[int, ...] = ()

    @property
    def tokens(self) -> tuple[str, ...]:
        """Return the index tokens that stand for these facets."""
        tokens = [STATUS_TOKENS[name] for name in (self.status, self.liveness) if name]
        if self.category_id is not None:
            tokens.append(f"{schema.CATEGORY_FACET}{self.category_id}")
        if self.grid_id is not None:
            tokens.append(f"{schema.GRID_FACET}{self.grid_id}")
        tokens += [f"{schema.SUPPORT_FACET}{cycle_id}" for cycle_id in self.cycle_ids]
        return tuple(tokens)

    def with_liveness(self, *, live: bool) -> Facets:
        return replace(self, liveness="live" if live else "inactive")

    def conditions(self, alias: str) -> Fragment:
        """Return SQL conditions on catalog_package (as `alias`) for these facets."""
        conditions = [
            STATUS_CONDITIONS[name].format(p=alias) for name in (self.status, self.liveness) if name
        ]
        params: list[Any] = []
        if self.category_id is not None:
            conditions.append(f"{alias}.category_id = %s")
            params.append(self.category_id)
        if self.grid_id is not None:
            conditions.append(
                "EXISTS (SELECT 1 FROM grids_gridpackage gp "
                f"WHERE gp.package_id = {alias}.id AND gp.grid_id = %s)"
            )
            params.append(self.grid_id)
        for cycle_id in self.cycle_ids:
            conditions.append(
                f"EXISTS (SELECT 1 FROM {schema.ANSWER_TABLE} a WHERE a.package_id = {alias}.id "
                "AND a.cycle_id = %s AND a.answer = %s)"
            )
            params += [cycle_id, schema.YES]
        return " AND ".join(conditions) or "1 = 1", params


def _quoted(text: str) -> str:
    """Return a word or phrase as an FTS5 string, in which no operator can act."""
    return '"' + text.replace('"', '""') + '"'


Liveness = Literal["live", "inactive", "any"]


class SQLiteBackend:
    """SQLite FTS5: bm25 over weighted columns; a trigram table for substrings and slips."""

    vendor = "sqlite"
    quality_table = "packyard_search_package_rank"
    text_table = "packyard_search_package_text"
    trigram_table = "packyard_search_package_trigram"
    primary_columns = "{names tags}"
    all_columns = "{names tags body people}"

    def _word(self, word: Word) -> str:
        return _quoted(word.text) + ("*" if word.prefix else "")

    def _text(self, query: ParsedQuery, columns: str) -> str:
        words = [self._word(word) for word in query.words]
        phrases = [_quoted(" ".join(phrase)) for phrase in query.phrases]
        if query.any_word and words:
            parts = ["(" + " OR ".join(words) + ")", *phrases]
        else:
            parts = words + phrases
        return f"{columns} : ({' AND '.join(parts)})"

    def _excluded(self, query: ParsedQuery, columns: str) -> str:
        items = " OR ".join(_quoted(" ".join(phrase)) for phrase in query.excluded)
        return f"{columns} : ({items})"

    def _facets(self, tokens: tuple[str, ...]) -> str:
        return "facets : (" + " AND ".join(_quoted(token) for token in tokens) + ")"

    def match(
        self, query: ParsedQuery, *, fields: Fields, facets: Facets, liveness: Liveness
    ) -> str:
        """Return the MATCH expression: words in some fields, facets, liveness, exclusions."""
        if fields == "secondary":
            everywhere = self._text(query, self.all_columns)
            expression = f"({everywhere}) NOT ({self._text(query, self.primary_columns)})"
        else:
            columns = self.primary_columns if fields == "primary" else self.all_columns
            expression = self._text(query, columns)
        if facets.tokens:
            expression = f"({expression}) AND ({self._facets(facets.tokens)})"
        # The inactive token is rare, so "NOT it" costs little, unlike "AND the live token".
        inactive = self._facets((schema.INACTIVE_FACET,))
        if liveness == "live":
            expression = f"({expression}) NOT ({inactive})"
        elif liveness == "inactive":
            expression = f"({expression}) AND ({inactive})"
        if query.excluded:
            expression = f"({expression}) NOT ({self._excluded(query, self.all_columns)})"
        return expression

    def _from_text(self, select: str, match: str, where: str = "") -> Fragment:
        return (
            f"SELECT {select} FROM {self.text_table} WHERE {self.text_table} MATCH %s{where}",
            [match],
        )

    def text_set(
        self, query: ParsedQuery, *, fields: Fields, facets: Facets, liveness: Liveness
    ) -> Fragment:
        match = self.match(query, fields=fields, facets=facets, liveness=liveness)
        return self._from_text("rowid AS id", match)

    def text_ranked(
        self, query: ParsedQuery, *, fields: Fields, facets: Facets, liveness: Liveness
    ) -> Fragment:
        """Return (id, rel, quality) of the matches."""
        match = self.match(query, fields=fields, facets=facets, liveness=liveness)
        sql, params = self._from_text(f"rowid AS id, {self._bm25()} AS rel", match)
        return (
            f"SELECT t.id AS id, t.rel AS rel, COALESCE(q.quality, 0.0) AS quality "
            f"FROM ({sql}) AS t LEFT JOIN {self.quality_table} q ON q.package_id = t.id",
            params,
        )

    def quality_of(self, id_sql: str) -> str:
        """Return a scalar subquery: one package's stored quality."""
        return (
            f"COALESCE((SELECT quality FROM {self.quality_table} WHERE package_id = {id_sql}), 0.0)"
        )

    def _bm25(self) -> str:
        weights = ", ".join(repr(weight) for weight in FIELD_WEIGHTS.values())
        # bm25() is lower for better matches; the facets column weighs nothing.
        return f"-bm25({self.text_table}, {weights}, 0.0)"

    def inactive_set(self) -> Fragment:
        """Return the archived, deprecated and "repository missing" packages (few)."""
        return self._from_text("rowid AS id", self._facets((schema.INACTIVE_FACET,)))

    def facet_set(self, facets: Facets) -> Fragment:
        return self._from_text("rowid AS id", self._facets(facets.tokens))

    def substring_only(
        self, query: ParsedQuery, words: list[str], *, facets: Facets, liveness: Liveness
    ) -> Fragment:
        """Return packages whose names hold every word inside longer words, matching no text."""
        match = "names : (" + " AND ".join(_quoted(word) for word in words) + ")"
        matched = self._from_text(
            "rowid", self.match(query, fields="all", facets=Facets(), liveness="any")
        )
        inactive = self.inactive_set()
        sql = (
            f"SELECT rowid AS id FROM {self.trigram_table} WHERE {self.trigram_table} MATCH %s "
            f"AND +rowid NOT IN ({matched[0]}) "
            f"AND +rowid {'NOT ' if liveness == 'live' else ''}IN ({inactive[0]})"
        )
        params: list[Any] = [match, *matched[1], *inactive[1]]
        if facets.tokens:
            facet_sql, facet_params = self.facet_set(facets)
            sql += f" AND +rowid IN ({facet_sql})"
            params += facet_params
        if query.excluded:
            excluded = self._from_text("rowid", self._excluded(query, self.all_columns))
            sql += f" AND +rowid NOT IN ({excluded[0]})"
            params += excluded[1]
        return sql, params

    def rank_of(self, query: ParsedQuery, *, id_sql: str) -> Fragment:
        """Return a scalar subquery: one package's text relevance (NULL when it does not match)."""
        match = self.match(query, fields="all", facets=Facets(), liveness="any")
        return (
            f"(SELECT {self._bm25()} FROM {self.text_table} "
            f"WHERE {self.text_table} MATCH %s AND rowid = {id_sql})",
            [match],
        )

    def has_facets(self, facets: Facets, *, id_sql: str) -> Fragment:
        """Return a condition: the package `id_sql` carries the facet tokens."""
        return (
            f"EXISTS (SELECT 1 FROM {self.text_table} WHERE {self.text_table} MATCH %s "
            f"AND rowid = {id_sql})",
            [self._facets(facets.tokens)],
        )

    def is_excluded(self, query: ParsedQuery, *, id_sql: str) -> Fragment:
        """Return a condition: the package `id_sql` has an excluded word."""
        return (
            f"EXISTS (SELECT 1 FROM {self.text_table} WHERE {self.text_table} MATCH %s "
            f"AND rowid = {id_sql})",
            [self._excluded(query, self.all_columns)],
        )

    def unindexed(self, column: str) -> str:
        """Return a column so that SQLite does not push a condition on it into FTS5."""
        return f"+{column}"

    def words_found(self, words: list[Word]) -> Fragment:
        """Return one row with, for each word, 1 when any package has it, else 0."""
        checks = [
            f"(SELECT count(*) FROM (SELECT 1 FROM {self.text_table} "
            f"WHERE {self.text_table} MATCH %s LIMIT 1)) AS found{index}"
            for index, _ in enumerate(words)
        ]
        params = [f"{self.all_columns} : ({self._word(word)})" for word in words]
        return "SELECT " + ", ".join(checks), params

    def vocabulary(self, words: list[str]) -> Fragment:
        """Return (word, candidate) rows: index words that start like each misspelt word."""
        parts = [
            "SELECT %s AS word, term AS candidate FROM packyard_search_package_vocab "
            "WHERE term >= %s AND term < %s"
            for _ in words
        ]
        params: list[Any] = []
        for word in words:
            params += [word, word[0], chr(ord(word[0]) + 1)]
        return " UNION ALL ".join(parts), params

    def grid_ranked(self, query: ParsedQuery) -> Fragment:
        match = self._text(query, "{names body}")
        if query.excluded:
            match = f"({match}) NOT ({self._excluded(query, '{names body}')})"
        return (
            "SELECT rowid AS id, -bm25(packyard_search_grid_text, 10.0, 1.0) AS rel "
            "FROM packyard_search_grid_text WHERE packyard_search_grid_text MATCH %s",
            [match],
        )


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
        parts = [
            f"SELECT %s AS word, word AS candidate FROM {schema.WORD_TABLE_POSTGRESQL} "
            "WHERE word >= %s AND word < %s"
            for _ in words
        ]
        params: list[Any] = []
        for word in words:
            params += [word, word[0], chr(ord(word[0]) + 1)]
        return " UNION ALL ".join(parts), params

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


Backend = SQLiteBackend | PostgreSQLBackend


def backend_for(vendor: str) -> Backend:
    """Return the backend for a database vendor."""
    if vendor == "postgresql":
        return PostgreSQLBackend()
    if vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"Packyard's search runs on SQLite or PostgreSQL, not {vendor}.")
