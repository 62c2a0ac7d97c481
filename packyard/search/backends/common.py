"""Name what both search backends share: fragments, field weights, facets, word lists."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from packyard.search import schema

Fragment = tuple[str, list[Any]]
Fields = Literal["primary", "secondary", "all"]
Liveness = Literal["live", "inactive", "any"]

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


def vocabulary_rows(words: list[str], *, table: str, column: str) -> Fragment:
    """Return (word, candidate) rows: words of `column` in `table` that start like each word."""
    parts = [
        f"SELECT %s AS word, {column} AS candidate FROM {table} "
        f"WHERE {column} >= %s AND {column} < %s"
        for _ in words
    ]
    params: list[Any] = []
    for word in words:
        params += [word, word[0], chr(ord(word[0]) + 1)]
    return " UNION ALL ".join(parts), params
