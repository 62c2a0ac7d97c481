"""Background jobs of search: every night, each package's stored quality is computed again.

A package's quality is stored in the index when its facts change (schema.py); its activity
part ages with time alone, so `search_quality_refresh_task` brings every package up to date
each night (the scheduler, `manage.py crontask`, runs it).
"""

from __future__ import annotations

from django.tasks import task

from packyard.core.schedule import cron
from packyard.search.services import search_quality_refresh


@cron("40 0 * * *")
@task()
def search_quality_refresh_task() -> int:
    """Store every package's quality again."""
    return search_quality_refresh()
