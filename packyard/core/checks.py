"""A system check that the data version's triggers are in place."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connection

from packyard.core import versions


@register(Tags.database)
def check_version_triggers(*, databases: Any = None, **kwargs: Any) -> list[Warning]:
    """Warn when a table has no version trigger (cached pages would not follow its changes)."""
    if not databases:
        return []
    try:
        missing = versions.triggers_missing(connection)
    except DatabaseError:
        return []
    if not missing:
        return []
    return [
        Warning(
            f"Tables without the data version's triggers: {', '.join(missing)}; cached pages "
            "and validators would not follow their changes.",
            hint="Run `manage.py migrate`, which installs them.",
            id="core.W001",
        )
    ]
