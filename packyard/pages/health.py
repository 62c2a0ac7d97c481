"""Checks of the parts the site needs, and of how fresh its work is, for /health/.

The database, the cache and the task queue (with its broker) are needed: when one fails,
/health/ answers 503. The scheduler's last round and the freshness of facts are reported as
warnings ("status": "degraded") with a 200, since the site still answers while they lag.

Each check costs a fixed number of queries and Redis round trips, whatever the data size.
Redis is first pinged through a client with short timeouts, so a Redis that is down or hangs
makes the check fail in about a second instead of waiting on the site's own connections.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import connection
from django.db.models import Count, Min, Q
from django.tasks import task_backends
from django.utils import timezone
from redis import Redis

from packyard.refresh.statistics import freshness

# Seconds a health check waits on Redis to connect or to answer.
REDIS_TIMEOUT = 1.0
# The scheduler queues a round every minute; none finished for this long is a warning.
SCHEDULER_LATE_AFTER = timedelta(minutes=10)
# Below this share of packages with fresh facts, /health/ warns.
FRESH_SHARE_WARNING = 0.9
# Failed jobs are counted over this window.
FAILED_WINDOW = timedelta(days=1)
REFRESH_DUE_TASK = "packyard.refresh.tasks.refresh_due_task"


def _milliseconds(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _seconds_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def quick_redis(client: Redis) -> Redis:
    """Return a client to the same Redis with short timeouts and no retries."""
    pool = client.connection_pool
    kwargs = {
        **pool.connection_kwargs,
        "socket_timeout": REDIS_TIMEOUT,
        "socket_connect_timeout": REDIS_TIMEOUT,
        "retry": None,
    }
    for name in ("retry_on_error", "retry_on_timeout"):
        kwargs.pop(name, None)
    return Redis(connection_pool=type(pool)(connection_class=pool.connection_class, **kwargs))


def check_database() -> dict[str, Any]:
    """Run a trivial query and time it."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor, "ms": _milliseconds(started)}


def check_cache() -> dict[str, Any]:
    """Write and read back a value (pinging Redis quickly first when the cache is Redis)."""
    # `caches[...]` is the backend itself; `django.core.cache.cache` is a proxy to it.
    cache = caches[DEFAULT_CACHE_ALIAS]
    started = time.perf_counter()
    details: dict[str, Any] = {"ok": False, "backend": type(cache).__name__}
    if details["backend"] == "RedisCache":
        quick_redis(cache._cache.get_client(write=True)).ping()  # type: ignore[attr-defined]
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    details["ok"] = cache.get(key) == "1"
    cache.delete(key)
    details["ms"] = _milliseconds(started)
    return details


def _database_queue(now: datetime) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    counts = DBTaskResult.objects.aggregate(
        depth=Count("pk", filter=Q(status="READY")),
        oldest=Min("enqueued_at", filter=Q(status="READY")),
        failed=Count("pk", filter=Q(status="FAILED", finished_at__gte=now - FAILED_WINDOW)),
    )
    return {
        "depth": counts["depth"],
        "oldest_age_seconds": _seconds_since(counts["oldest"], now),
        "failed_last_day": counts["failed"],
    }


def _rq_queue(now: datetime) -> dict[str, Any]:
    import django_rq
    from rq.defaults import DEFAULT_FAILURE_TTL
    from rq.job import Job
    from rq.queue import Queue
    from rq.registry import FailedJobRegistry

    redis = quick_redis(django_rq.get_connection("default"))
    redis.ping()
    queue = Queue("default", connection=redis)
    oldest_ids = queue.get_job_ids(0, 1)
    oldest = Job.fetch_many(oldest_ids, connection=redis)[0] if oldest_ids else None
    # The failed registry scores a job by when its record expires: failure + failure TTL.
    since = now.timestamp() - FAILED_WINDOW.total_seconds() + DEFAULT_FAILURE_TTL
    failed = redis.zcount(FailedJobRegistry(queue=queue).key, since, "+inf")
    enqueued_at = oldest.enqueued_at if oldest else None
    if enqueued_at is not None and timezone.is_naive(enqueued_at):
        enqueued_at = timezone.make_aware(enqueued_at, UTC)
    return {
        "depth": queue.count,
        "oldest_age_seconds": _seconds_since(enqueued_at, now),
        "failed_last_day": failed,
    }


def check_task_queue() -> dict[str, Any]:
    """Count the queued jobs, the oldest one's age and the failed jobs of the last day."""
    backend = task_backends["default"]
    name = type(backend).__name__
    started = time.perf_counter()
    now = timezone.now()
    if name == "DatabaseBackend":
        details = _database_queue(now)
    elif name == "RQBackend":
        details = _rq_queue(now)
    else:
        details = {}
    return {"ok": True, "backend": name, **details, "ms": _milliseconds(started)}


def _last_round_from_backend() -> datetime | None:
    """Read when the scheduler's job last finished from the task backend's own records."""
    name = type(task_backends["default"]).__name__
    if name == "DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        return (
            DBTaskResult.objects.filter(task_path=REFRESH_DUE_TASK, finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
    if name == "RQBackend":
        import django_rq
        from rq.job import Job
        from rq.queue import Queue
        from rq.registry import FailedJobRegistry, FinishedJobRegistry

        redis = quick_redis(django_rq.get_connection("default"))
        queue = Queue("default", connection=redis)
        # The newest records of each registry (scored by expiry), fetched in one pipeline.
        ids = [
            *redis.zrange(FinishedJobRegistry(queue=queue).key, -50, -1),
            *redis.zrange(FailedJobRegistry(queue=queue).key, -50, -1),
        ]
        jobs = Job.fetch_many([job_id.decode() for job_id in ids], connection=redis)
        ended = [
            job.ended_at
            for job in jobs
            if job is not None and job.func_name == REFRESH_DUE_TASK and job.ended_at
        ]
        if not ended:
            return None
        latest = max(ended)
        return timezone.make_aware(latest, UTC) if timezone.is_naive(latest) else latest
    return None


def scheduler_last_round_reader() -> Callable[[], datetime | None]:
    """Return refresh's own reader of the last round when it has one, else the backend's."""
    try:
        from packyard.refresh.selectors import scheduler_last_round
    except ImportError:
        return _last_round_from_backend
    return scheduler_last_round


def check_scheduler() -> dict[str, Any]:
    """Report when the scheduler's last round ran, and warn when it is late."""
    now = timezone.now()
    last = scheduler_last_round_reader()()
    age = _seconds_since(last, now)
    late = age is None or age > SCHEDULER_LATE_AFTER.total_seconds()
    return {
        "ok": not late,
        "last_round": last.isoformat() if last else None,
        "age_seconds": age,
    }


def check_freshness() -> dict[str, Any]:
    """Give the share of packages whose every source was fetched within the refresh interval."""
    counts = freshness(now=timezone.now(), interval_hours=settings.REFRESH_INTERVAL_HOURS)
    total, fresh = counts.packages, counts.fresh
    share = round(fresh / total, 3) if total else 1.0
    return {
        "ok": share >= FRESH_SHARE_WARNING,
        "packages": total,
        "fresh": fresh,
        "fresh_share": share,
        "interval_hours": settings.REFRESH_INTERVAL_HOURS,
    }


# Parts the site needs: one that fails makes /health/ answer 503.
CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "cache": check_cache,
    "task_queue": check_task_queue,
}
# Parts that lag without stopping the site: one that fails is a warning.
WARNING_CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "scheduler": check_scheduler,
    "freshness": check_freshness,
}
WARNINGS = {
    "scheduler": "The scheduler has not finished a round lately.",
    "freshness": "Too few packages have fresh facts.",
}


def _run(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return check()
    except Exception as error:  # A health check reports any failure by name.
        return {"ok": False, "error": type(error).__name__}


def health_report() -> tuple[bool, dict[str, Any]]:
    """Run every check; say "down" when a needed part fails, "degraded" on a warning."""
    report: dict[str, Any] = {name: _run(check) for name, check in CHECKS.items()}
    healthy = all(part["ok"] for part in report.values())
    warnings: list[str] = []
    for name, check in WARNING_CHECKS.items():
        if name == "scheduler" and not report["cache"]["ok"]:
            # The last round is noted in the cache: asking a cache that is down costs its timeout.
            report[name] = {"ok": False, "last_round": None, "age_seconds": None}
        else:
            report[name] = _run(check)
        if not report[name]["ok"]:
            warnings.append(WARNINGS[name])
    status = "down" if not healthy else ("degraded" if warnings else "ok")
    return healthy, {"status": status, "warnings": warnings, **report}
