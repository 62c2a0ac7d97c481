"""Jobs that survive on RQ: retried with back-off when they fail, queued again when a worker dies.

The settings name these classes when REDIS_URL selects RQ (`RQ_QUEUES[...]["QUEUE_CLASS"]`,
`RQ["WORKER_CLASS"]`); the database worker has neither retries nor recovery.

- `RetryingQueue` gives every job RQ's `Retry`: after each of `JOBS_RETRY_DELAYS` seconds it is
  tried again, then it stays in the failed registry with its exception and traceback (seen by
  staff at /admin/django_rq/). https://python-rq.org/docs/exceptions/#retrying-failed-jobs
- `RecoveringWorker` is RQ's forking worker with shorter clocks. RQ keeps a running job in the
  started registry until its last heartbeat plus a grace (60 s in RQ), and a worker's
  maintenance (every 10 minutes in RQ) finds the expired ones and retries them while they have
  tries left (`StartedJobRegistry.cleanup`). Here the heartbeat comes every quarter of
  `JOBS_RECOVERY_SECONDS`, the grace is a quarter and maintenance runs every half, so a job
  whose worker was killed is retried within `JOBS_RECOVERY_SECONDS`.
  https://python-rq.org/docs/workers/
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django_rq.queues import DjangoRQ
from rq import Retry, get_current_job
from rq.job import Job
from rq.worker import Worker


def retry_policy() -> Retry | None:
    """Return the retries every job gets: one after each of JOBS_RETRY_DELAYS seconds."""
    delays = [int(delay) for delay in settings.JOBS_RETRY_DELAYS]
    if not delays:
        return None
    return Retry(max=len(delays), interval=delays)


class RetryingQueue(DjangoRQ):
    """An RQ queue whose jobs are tried again, after each of JOBS_RETRY_DELAYS, before failing."""

    def create_job(self, *args: Any, **kwargs: Any) -> Job:
        """Create the job with the retry policy unless the caller gave one."""
        if kwargs.get("retry") is None:
            kwargs["retry"] = retry_policy()
        return super().create_job(*args, **kwargs)


def _quarter_of_recovery() -> int:
    return max(1, int(settings.JOBS_RECOVERY_SECONDS) // 4)


class RecoveringWorker(Worker):
    """RQ's forking worker that notices the job of a dead worker within JOBS_RECOVERY_SECONDS."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("job_monitoring_interval", _quarter_of_recovery())
        kwargs.setdefault("maintenance_interval", max(1, int(settings.JOBS_RECOVERY_SECONDS) // 2))
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        """Wake from waiting for a job in time for the next maintenance."""
        return min(super().dequeue_timeout, int(self.maintenance_interval))

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """Keep a running job for one heartbeat interval and a grace of a quarter of recovery."""
        interval = float(self.job_monitoring_interval)
        if job.timeout and job.timeout > 0:
            interval = min(job.timeout - working_time, interval)
        return int(interval) + _quarter_of_recovery()


def current_job_id() -> str | None:
    """Return the id of the RQ job this process is running, or None (database worker, a call)."""
    job = get_current_job()
    return job.id if job is not None else None


@contextlib.contextmanager
def round_lock(key: str, *, seconds: int) -> Iterator[bool]:
    """Hold `key` in the cache while a round runs; yield whether this round may run.

    Another job holding the key means another round is running: False. The same RQ job holding
    it means an earlier try of this very job died with its worker and recovery queued it again
    (a retry keeps the job's id): it takes the key over at once instead of waiting `seconds` for
    it to lapse. The key is let go at the end only by its holder.
    """
    job_id = current_job_id()
    owner = job_id or f"call-{uuid.uuid4().hex}"
    if not cache.add(key, owner, timeout=seconds):
        if job_id is None or cache.get(key) != owner:
            yield False
            return
        cache.set(key, owner, timeout=seconds)
    try:
        yield True
    finally:
        if cache.get(key) == owner:
            cache.delete(key)
