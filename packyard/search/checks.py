"""A system check that the search index's triggers are in place."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connection

from packyard.search import schema


@register(Tags.database)
def check_search_triggers(*, databases: Any = None, **kwargs: Any) -> list[Warning]:
    """Warn when the index's triggers are missing (the index would not follow changes)."""
    if not databases or connection.vendor not in schema.SUPPORTED_VENDORS:
        return []
    try:
        if not schema.tables_exist(connection) or schema.triggers_installed(connection):
            return []
    except DatabaseError:
        return []
    return [
        Warning(
            "The search index's triggers are missing, so search does not follow changes.",
            hint="Run `manage.py rebuild_search` (or `manage.py migrate`).",
            id="search.W001",
        )
    ]
