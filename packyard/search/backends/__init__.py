"""SQL for one search, in SQLite FTS5's or PostgreSQL's dialect; selectors.py assembles it.

Each method returns a fragment: SQL text with `%s` placeholders and its parameters. A "set"
fragment selects one column, `id`; a "ranked" fragment selects `id` and `rel` (higher is a
better text match). What people type reaches SQL only as parameters: inside FTS5 strings
(quoted, so no operator in them acts) or as tsquery operands made of letters and digits.

The dialects are in sqlite.py and postgresql.py, what they share in common.py.
"""

from __future__ import annotations

from packyard.search.backends.common import (
    FIELD_WEIGHTS,
    STATUS_CONDITIONS,
    STATUS_TOKENS,
    Facets,
    Fields,
    Fragment,
    Liveness,
)
from packyard.search.backends.postgresql import PostgreSQLBackend
from packyard.search.backends.sqlite import SQLiteBackend

__all__ = [
    "FIELD_WEIGHTS",
    "STATUS_CONDITIONS",
    "STATUS_TOKENS",
    "Backend",
    "Facets",
    "Fields",
    "Fragment",
    "Liveness",
    "PostgreSQLBackend",
    "SQLiteBackend",
    "backend_for",
]

Backend = SQLiteBackend | PostgreSQLBackend


def backend_for(vendor: str) -> Backend:
    """Return the backend for a database vendor."""
    if vendor == "postgresql":
        return PostgreSQLBackend()
    if vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"Packyard's search runs on SQLite or PostgreSQL, not {vendor}.")
