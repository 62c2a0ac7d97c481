"""Background jobs that keep facts fresh.

`refresh_due_task` runs every minute from the scheduler (`manage.py crontask`, started by
`make run` beside the worker): it fetches the packages that are due — new ones first, so a
package added a moment ago is fetched within a minute — and enqueues itself again while more
are due. `package_refresh_task` fetches one package now (the "Fetch latest data" button, the
GitHub webhook, a package just added).
"""

from __future__ import annotations

import logging

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from crontask import scheduler
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from packyard.catalog.models import Package
from packyard.core.jobs import round_lock
from packyard.refresh.selectors import SCHEDULER_ROUND_KEY, packages_due

logger = logging.getLogger(__name__)

# RUNNER_LATE: the tasks import the runner (every code host's HTTP client) when they run. Web
# processes load this module only to enqueue them, and need not load it; the worker does.
DUE_LOCK = "refresh-due-running"
DUE_LOCK_SECONDS = 30 * 60


@task()
def package_refresh_task(package_id: int) -> str:
    """Fetch one package from its code host and PyPI."""
    from packyard.refresh.runner import packages_refresh  # Imported here: see RUNNER_LATE.

    package = Package.objects.filter(pk=package_id).first()
    if package is None:
        return "gone"
    return str(packages_refresh(packages=[package]))


@task()
def refresh_due_task() -> int:
    """Fetch the packages that are due; enqueue another round when more remain."""
    from packyard.refresh.runner import packages_refresh  # Imported here: see RUNNER_LATE.

    with round_lock(DUE_LOCK, seconds=DUE_LOCK_SECONDS) as held:
        if not held:
            return 0  # Another round is running.
        packages = packages_due(limit=settings.REFRESH_BATCH_SIZE)
        if packages:
            packages_refresh(packages=packages)
    if len(packages) >= settings.REFRESH_BATCH_SIZE:
        refresh_due_task.enqueue()
    return len(packages)


def scheduler_round() -> None:
    """Note the time of this scheduler round for every process, then queue the due refresh.

    The time goes to the cache (Redis, shared, in production), not to a table of Packyard: a
    write there would move the page cache's data version every minute. Without Redis the
    database backend's record of the queued task is the shared trace (`scheduler_last_round`).
    """
    cache.set(SCHEDULER_ROUND_KEY, timezone.now(), timeout=None)
    refresh_due_task.enqueue()


# The scheduler (`manage.py crontask`) calls this every minute, under the task's name.
scheduler.add_job(
    func=scheduler_round,
    trigger=CronTrigger.from_crontab("* * * * *", timezone=timezone.get_default_timezone()),
    name=refresh_due_task.name,
)


def package_refresh_enqueue(*, package_id: int) -> None:
    """Queue a fetch of a package once the current transaction commits.

    A queue that cannot be reached (Redis down) loses nothing the person did: the package is
    saved, the failure is logged, and the scheduler fetches it when it is due (a new package
    first, within a minute of the queue coming back).
    """

    def enqueue() -> None:
        try:
            package_refresh_task.enqueue(package_id)
        except Exception:  # Any backend's failure to reach its queue; the write stands.
            logger.exception("Could not queue a fetch of package %s", package_id)

    transaction.on_commit(enqueue)


REQUEST_COOLDOWN_KEY = "refresh-requested:{package_id}"


def package_refresh_request(*, package_id: int) -> bool:
    """Queue a fetch asked for from outside (a person, a webhook), at most once per cooldown.

    Returns False when one was asked for less than REFRESH_REQUEST_COOLDOWN_MINUTES ago (that
    one is still queued or just done), so a busy button or a webhook sent again costs nothing.
    """
    key = REQUEST_COOLDOWN_KEY.format(package_id=package_id)
    if not cache.add(key, "1", timeout=settings.REFRESH_REQUEST_COOLDOWN_MINUTES * 60):
        return False
    package_refresh_enqueue(package_id=package_id)
    return True
