"""Scheduled scoring: recompute what changed every minute, and everything daily with a snapshot.

`scores_recompute_due_task` runs every minute from the scheduler (`manage.py crontask`): it
recomputes the packages whose facts changed since their score (a refresh fetched them, someone
edited them or set their status, the release cycles were imported) and enqueues itself again
while more are waiting. The refresh layer needs no hook: the fetch states and `modified` it
writes are the signal. `scores_daily_task` recomputes every score after midnight (scores decay
with time even when no fact changes) and keeps the day's snapshot for history and trends.
"""

from __future__ import annotations

from django.tasks import task

from packyard.core.jobs import round_lock
from packyard.core.schedule import cron
from packyard.scoring.selectors import packages_needing_scores
from packyard.scoring.services import BATCH_SIZE, scores_daily, scores_recompute

DUE_LOCK = "scores-due-running"
DUE_LOCK_SECONDS = 30 * 60


@cron("* * * * *")
@task()
def scores_recompute_due_task() -> int:
    """Recompute the scores whose facts changed; enqueue another round when more remain."""
    with round_lock(DUE_LOCK, seconds=DUE_LOCK_SECONDS) as held:
        if not held:
            return 0  # Another round is running.
        package_ids = packages_needing_scores(limit=BATCH_SIZE)
        if package_ids:
            scores_recompute(package_ids=package_ids)
    if len(package_ids) >= BATCH_SIZE:
        scores_recompute_due_task.enqueue()
    return len(package_ids)


@cron("20 0 * * *")
@task()
def scores_daily_task() -> int:
    """Recompute every score and keep today's snapshot."""
    return scores_daily()
