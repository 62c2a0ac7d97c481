"""Background jobs of compatibility: the daily snapshot of how many packages work with each
release, which the statistics page draws over time.

The scheduler (`manage.py crontask`) runs `support_snapshot_task` each day, after midnight.
"""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from packyard.compatibility.services import support_snapshot_record
from packyard.core.schedule import cron


@cron("20 0 * * *")
@task()
def support_snapshot_task() -> int:
    """Record today's support counts of every release cycle; return how many were recorded."""
    return support_snapshot_record(day=timezone.localdate())
