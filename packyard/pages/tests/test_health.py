"""Tests of /health/: the parts the site needs, the scheduler's last round, fresh facts."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis
from django.db import connection
from django.tasks import task
from django.test.utils import CaptureQueriesContext

from packyard.refresh.models import FetchState, FetchStatus, Source
from packyard.refresh.tasks import refresh_due_task, scheduler_round
from tests.factories import PackageFactory
from tests.services import redis_url
from tests.workers import run_db_worker, run_rq_worker

# The database worker commits its own transactions.
pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
# A Redis database of these tests' own, emptied before and after.
RQ_REDIS = redis_url("queue")
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


@task()
def failing_task() -> None:
    """Fail, as a job whose upstream broke would."""
    raise ValueError("upstream broke")


def add_package(*, fetched_at=None, pypi=FetchStatus.OK, pypi_fetched_at=None):
    """Add a package; with `fetched_at`, its repository (and PyPI project) were fetched then."""
    package = PackageFactory(pypi_name="thing")
    if fetched_at is not None:
        FetchState.objects.create(
            package=package,
            source=Source.REPOSITORY,
            status=FetchStatus.OK,
            last_success_at=fetched_at,
            next_due_at=NOW + timedelta(days=30),  # Not fetched by the rounds these tests run.
        )
        FetchState.objects.create(
            package=package,
            source=Source.PYPI,
            status=pypi,
            last_attempt_at=pypi_fetched_at or fetched_at,
            last_success_at=(pypi_fetched_at or fetched_at) if pypi == FetchStatus.OK else None,
            next_due_at=NOW + timedelta(days=30),
        )
    return package


def free_port():
    """Return a local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hung_redis():
    """Return the URL of a server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.fixture
def rq_backend(settings):
    """Switch the task backend to RQ on a Redis database of these tests' own."""
    connection = redis.Redis.from_url(RQ_REDIS)
    connection.flushdb()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": RQ_REDIS}}
    yield connection
    connection.flushdb()
    connection.close()


def test_health_reports_every_part_on_the_database_backend(client, time_machine):
    """/health/ gives the queue's depth, oldest job, failures, the last round and freshness."""
    time_machine.move_to(NOW, tick=False)
    add_package(fetched_at=NOW - timedelta(hours=1))
    refresh_due_task.enqueue()
    failing_task.enqueue()
    run_db_worker()
    failing_task.enqueue()  # Waits in the queue.
    time_machine.move_to(NOW + timedelta(seconds=90), tick=False)

    response = client.get("/health/")
    report = response.json()

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert report["ok"] is True
    assert report["status"] == "ok"
    assert report["warnings"] == []
    assert report["database"]["ok"] is True
    assert report["database"]["vendor"] in {"sqlite", "postgresql"}
    assert report["database"]["ms"] >= 0
    assert report["cache"]["backend"] == "LocMemCache"
    assert report["cache"]["ok"] is True
    queue = report["task_queue"]
    assert queue["backend"] == "DatabaseBackend"
    assert (queue["depth"], queue["oldest_age_seconds"], queue["failed_last_day"]) == (1, 90, 1)
    assert report["scheduler"] == {
        "ok": True,
        "last_round": "2026-03-02T12:00:00+00:00",
        "age_seconds": 90,
    }
    assert report["freshness"] == {
        "ok": True,
        "packages": 1,
        "fresh": 1,
        "fresh_share": 1.0,
        "interval_hours": 12.0,
    }


def test_a_late_scheduler_and_stale_facts_are_warnings_with_a_200(client, time_machine):
    """No finished round and half the packages stale: "degraded", two warnings, still 200."""
    time_machine.move_to(NOW, tick=False)
    add_package(fetched_at=NOW - timedelta(hours=1))
    # Not on PyPI: only its repository's facts can go stale.
    add_package(
        fetched_at=NOW - timedelta(hours=1),
        pypi=FetchStatus.NOT_ON_PYPI,
        pypi_fetched_at=NOW - timedelta(days=5),
    )
    add_package(fetched_at=NOW - timedelta(hours=13))
    add_package()  # Never fetched.

    response = client.get("/health/")
    report = response.json()

    assert response.status_code == 200
    assert report["ok"] is True
    assert report["status"] == "degraded"
    assert report["warnings"] == [
        "The scheduler has not finished a round lately.",
        "Too few packages have fresh facts.",
    ]
    assert report["scheduler"] == {"ok": False, "last_round": None, "age_seconds": None}
    assert report["freshness"]["packages"] == 4
    assert report["freshness"]["fresh"] == 2
    assert report["freshness"]["fresh_share"] == 0.5


def test_a_round_older_than_ten_minutes_is_late(client, time_machine):
    """The scheduler queues a round a minute; eleven minutes without one is a warning."""
    time_machine.move_to(NOW, tick=False)
    refresh_due_task.enqueue()
    run_db_worker()
    time_machine.move_to(NOW + timedelta(minutes=11), tick=False)

    report = client.get("/health/").json()

    assert report["scheduler"]["ok"] is False
    assert report["scheduler"]["age_seconds"] == 660
    assert "The scheduler has not finished a round lately." in report["warnings"]


def _queries_for_health(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/health/").status_code == 200
    return len(queries)


def test_health_costs_the_same_few_queries_whatever_the_data_size(client, time_machine):
    """Three packages or thirty, three jobs or thirty: the same number of queries, at most 5."""
    time_machine.move_to(NOW, tick=False)
    for _ in range(3):
        add_package(fetched_at=NOW - timedelta(hours=1))
        failing_task.enqueue()
    small = _queries_for_health(client)

    for _ in range(27):
        add_package(fetched_at=NOW - timedelta(hours=20))
        failing_task.enqueue()
    run_db_worker()
    refresh_due_task.enqueue()
    large = _queries_for_health(client)

    assert small == large
    assert large <= 5


def test_health_reports_the_rq_queue_from_redis(client, rq_backend, time_machine):
    """On RQ: queued jobs, the oldest one's age and the day's failures come from Redis."""
    time_machine.move_to(NOW, tick=False)
    scheduler_round()  # What the scheduler runs each minute: notes the time, queues a refresh.
    failing_task.enqueue()
    run_rq_worker()
    failing_task.enqueue()
    failing_task.enqueue()
    time_machine.move_to(NOW + timedelta(seconds=45), tick=False)

    response = client.get("/health/")
    report = response.json()

    assert response.status_code == 200
    queue = report["task_queue"]
    assert queue["ok"] is True
    assert queue["backend"] == "RQBackend"
    assert (queue["depth"], queue["oldest_age_seconds"], queue["failed_last_day"]) == (2, 45, 1)
    assert report["scheduler"]["ok"] is True
    assert report["scheduler"]["age_seconds"] == 45


def test_a_redis_cache_that_is_down_answers_503_naming_it(client, settings):
    """The cache on a port nothing listens on: 503, "down", the cache named with its error."""
    settings.CACHES = {
        "default": {"BACKEND": REDIS_CACHE, "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    }

    response = client.get("/health/")
    report = response.json()

    assert response.status_code == 503
    assert report["ok"] is False
    assert report["status"] == "down"
    assert report["cache"] == {"ok": False, "error": "ConnectionError"}
    assert report["database"]["ok"] is True
    assert report["task_queue"]["ok"] is True


def test_an_rq_broker_that_is_down_answers_503_naming_it(client, settings):
    """RQ's Redis on a port nothing listens on: 503 with the task queue named."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{free_port()}/0"}}

    response = client.get("/health/")
    report = response.json()

    assert response.status_code == 503
    assert report["status"] == "down"
    assert report["task_queue"] == {"ok": False, "error": "ConnectionError"}
    assert report["cache"]["ok"] is True


def test_a_redis_that_hangs_fails_the_check_within_seconds(client, settings, hung_redis):
    """A Redis that accepts and never answers fails the cache and queue checks in ~1 s each."""
    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE, "LOCATION": hung_redis}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": hung_redis}}

    started = time.monotonic()
    response = client.get("/health/")
    elapsed = time.monotonic() - started
    report = response.json()

    assert response.status_code == 503
    assert report["cache"] == {"ok": False, "error": "TimeoutError"}
    assert report["task_queue"] == {"ok": False, "error": "TimeoutError"}
    assert elapsed < 5
