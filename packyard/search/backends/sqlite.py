"""Build one search's SQL for SQLite FTS5: MATCH expressions, bm25 ranks, trigram substrings.

See https://www.sqlite.org/fts5.html.
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


def _quoted(text: str) -> str:
    """Return a word or phrase as an FTS5 string, in which no operator can act."""
    return '"' + text.replace('"', '""') + '"'


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
        return vocabulary_rows(words, table="packyard_search_package_vocab", column="term")

    def grid_ranked(self, query: ParsedQuery) -> Fragment:
        match = self._text(query, "{names body}")
        if query.excluded:
            match = f"({match}) NOT ({self._excluded(query, '{names body}')})"
        return (
            "SELECT rowid AS id, -bm25(packyard_search_grid_text, 10.0, 1.0) AS rel "
            "FROM packyard_search_grid_text WHERE packyard_search_grid_text MATCH %s",
            [match],
        )
