"""Background jobs of compatibility: the daily snapshot of how many packages work with each
release, which the statistics page draws over time.

The scheduler (`manage.py crontask`) runs `support_snapshot_task` each day, after midnight.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from crontask import cron as _cron
from django.tasks import task
from django.utils import timezone

from packyard.compatibility.services import support_snapshot_record

# crontask's decorator is untyped; it returns the task it was given.
cron = cast("Callable[[str], Callable[[Any], Any]]", _cron)


@cron("20 0 * * *")
@task()
def support_snapshot_task() -> int:
    """Record today's support counts of every release cycle; return how many were recorded."""
    return support_snapshot_record(day=timezone.localdate())
