"""Keep the index's triggers out of the way of migrations, and put them back afterwards.

SQLite rebuilds a table for many column changes (create, copy, drop, rename), and refuses the
rename while a trigger elsewhere names the table; PostgreSQL refuses some column changes under
dependent objects. So `migrate` drops the search triggers before it applies migrations and
installs the current ones after; when migrations ran, the index is rebuilt, since data
migrations may have written while the triggers were away.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections

from packyard.search import schema

logger = logging.getLogger(__name__)


def triggers_off_for_migrations(*, using: str, plan: Any = None, **kwargs: Any) -> None:
    """Drop the search triggers before migrations run (pre_migrate)."""
    connection = connections[using]
    if not plan or connection.vendor not in schema.SUPPORTED_VENDORS:
        return
    if schema.tables_exist(connection):
        schema.uninstall_triggers(connection)


def triggers_on_after_migrations(*, using: str, plan: Any = None, **kwargs: Any) -> None:
    """Install the search triggers after migrations (post_migrate); rebuild when any ran."""
    from packyard.search.services import search_index_rebuild

    connection = connections[using]
    if connection.vendor not in schema.SUPPORTED_VENDORS or not schema.tables_exist(connection):
        return
    missing = schema.missing_source_tables(connection)
    if missing:
        logger.warning(
            "Search triggers not installed: they read %s, which do not exist. "
            "Migrate every app forward, and the index is rebuilt.",
            ", ".join(missing),
        )
        return
    if plan:
        search_index_rebuild(using=using)
    elif not schema.triggers_installed(connection):
        logger.warning("Search triggers were missing; installing them and rebuilding the index.")
        search_index_rebuild(using=using)
