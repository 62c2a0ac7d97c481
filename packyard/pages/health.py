"""Checks of the parts the site needs: the database, the cache and the task queue."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import connection
from django.tasks import task_backends


def check_database() -> dict[str, Any]:
    """Run a trivial query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict[str, Any]:
    """Write and read back a value."""
    # `caches[...]` is the backend itself; `django.core.cache.cache` is a proxy to it.
    cache = caches[DEFAULT_CACHE_ALIAS]
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return {"ok": ok, "backend": type(cache).__name__}


def check_task_queue() -> dict[str, Any]:
    """Check the task backend is configured and reachable."""
    backend = task_backends["default"]
    details: dict[str, Any] = {"ok": True, "backend": type(backend).__name__}
    if type(backend).__name__ == "DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        details["ready"] = DBTaskResult.objects.filter(status="READY").count()
    return details


CHECKS = {"database": check_database, "cache": check_cache, "task_queue": check_task_queue}


def health_report() -> tuple[bool, dict[str, Any]]:
    """Run every check; one that raises is reported as failed with the error's name."""
    report: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as error:  # A health check reports any failure by name.
            report[name] = {"ok": False, "error": type(error).__name__}
    healthy = all(part["ok"] for part in report.values())
    return healthy, report
