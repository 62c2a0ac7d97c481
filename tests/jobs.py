"""Tasks the job tests queue: one that blocks on its first try, one that always fails."""

from __future__ import annotations

import os

import redis
from django.conf import settings
from django.tasks import task

from packyard.catalog.models import Package


@task()
def blocking_task(package_id: int) -> str:
    """Block on the first try, saying which process runs it; on a later try, mark the package."""
    connection = redis.Redis.from_url(settings.REDIS_URL)
    tries = connection.incr(f"blocking-task:{package_id}:tries")
    if tries == 1:
        connection.set(f"blocking-task:{package_id}:pid", os.getpid())
        connection.blpop([f"blocking-task:{package_id}:never"])  # Waits until it is killed.
    Package.objects.filter(pk=package_id).update(description=f"finished on try {tries}")
    return "finished"


@task()
def failing_task(reason: str) -> None:
    """Fail every time, with the reason given."""
    raise ValueError(reason)
