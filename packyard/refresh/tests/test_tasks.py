"""The tasks run by real workers: the database worker by default, RQ on Redis when configured."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import redis
from apscheduler.triggers.cron import CronTrigger
from crontask import scheduler
from django.core.cache import cache
from django.core.management import call_command
from django.tasks import TaskResultStatus, task_backends
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from packyard.refresh.models import FetchState, FetchStatus, Source
from packyard.refresh.tasks import (
    DUE_LOCK,
    package_refresh_enqueue,
    package_refresh_task,
    refresh_due_task,
)
from tests.fakes import make_commits
from tests.services import redis_url
from tests.workers import run_db_worker, signals_kept

# Workers commit their own transactions; the rows migrations load are put back after each test.
pytestmark = pytest.mark.django_db(transaction=True)

RQ_REDIS = redis_url("queue")
RQ_JOB_CLASS = "django_tasks_rq.backend.Job"


def add_package(upstreams, path="owner/django-new", *, stars=42, pypi_name="django-new"):
    """Add a repository and a PyPI project upstream, and a package for them, never fetched."""
    upstreams.github.add(path, stars=stars, forks=3, commits=make_commits(12))
    if pypi_name:
        upstreams.pypi.add(pypi_name, version="1.2")
    return upstreams.package("github", path, pypi_name=pypi_name)


def results_of(task):
    return DBTaskResult.objects.filter(task_path=task.module_path)


def test_scheduler_runs_the_due_refresh_every_minute():
    """The scheduler holds `refresh_due_task` on a cron trigger that fires every minute."""
    jobs = [job for job in scheduler.get_jobs() if job.name == refresh_due_task.name]

    assert len(jobs) == 1
    trigger = jobs[0].trigger
    assert isinstance(trigger, CronTrigger)
    now = timezone.now()
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(microseconds=1))
    assert timedelta(0) <= first - now <= timedelta(minutes=1)
    assert second - first == timedelta(minutes=1)


def test_a_package_added_is_fetched_by_the_next_scheduled_round(upstreams):
    """Adding a package: the scheduler's next round, run by the database worker, fetches it."""
    package = add_package(upstreams)
    assert not FetchState.objects.filter(package=package).exists()
    job = next(job for job in scheduler.get_jobs() if job.name == refresh_due_task.name)

    job.func()  # What the scheduler calls each minute: it enqueues the task.
    run_db_worker()

    package.refresh_from_db()
    assert (package.stars, package.forks, package.pypi_version) == (42, 3, "1.2")
    assert package.total_commits == 12
    assert [result.status for result in results_of(refresh_due_task)] == [
        TaskResultStatus.SUCCESSFUL
    ]
    assert results_of(refresh_due_task).get().return_value == 1
    states = FetchState.objects.filter(package=package)
    assert {(state.source, state.status) for state in states} == {
        (Source.REPOSITORY, FetchStatus.OK),
        (Source.PYPI, FetchStatus.OK),
    }


def test_package_refresh_task_runs_on_the_database_worker(upstreams):
    """A queued fetch of one package runs on the worker and stores its facts."""
    package = add_package(upstreams, stars=7)

    package_refresh_enqueue(package_id=package.pk)  # Outside a transaction: queued at once.
    run_db_worker()

    package.refresh_from_db()
    assert package.stars == 7
    result = results_of(package_refresh_task).get()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value.startswith("2 fetches: 2 changed something")


def test_refresh_of_a_deleted_package_does_nothing(upstreams):
    """A fetch queued for a package deleted since then ends quietly."""
    package = add_package(upstreams)
    package_refresh_task.enqueue(package.pk)
    package.delete()

    run_db_worker()

    assert results_of(package_refresh_task).get().return_value == "gone"
    assert upstreams.requests() == 0


def test_a_running_round_keeps_a_second_one_out(upstreams):
    """While a round holds the lock, another round fetches nothing and leaves the lock alone."""
    package = add_package(upstreams)
    cache.add(DUE_LOCK, "1", timeout=60)

    fetched = refresh_due_task.call()

    assert fetched == 0
    assert upstreams.requests() == 0
    assert cache.get(DUE_LOCK) == "1"
    assert not FetchState.objects.filter(package=package).exists()


def test_a_round_releases_its_lock(upstreams):
    """A finished round lets the next one run."""
    add_package(upstreams)

    assert refresh_due_task.call() == 1
    assert cache.get(DUE_LOCK) is None
    assert refresh_due_task.call() == 0  # Nothing is due any more.


def test_more_due_than_a_batch_queues_another_round(upstreams, settings):
    """Rounds of REFRESH_BATCH_SIZE enqueue the next round until every due package is fetched."""
    settings.REFRESH_BATCH_SIZE = 2
    packages = [
        add_package(upstreams, f"owner/django-due-{index}", stars=index, pypi_name="")
        for index in range(5)
    ]

    refresh_due_task.enqueue()
    run_db_worker()

    rounds = results_of(refresh_due_task).order_by("enqueued_at")
    assert [result.return_value for result in rounds] == [2, 2, 1]
    for index, package in enumerate(packages):
        package.refresh_from_db()
        assert package.stars == index


# --- RQ on Redis ---------------------------------------------------------------------------


@pytest.fixture
def rq_backend(settings):
    """Switch the task backend to RQ on a Redis database of these tests' own, emptied around."""
    connection = redis.Redis.from_url(RQ_REDIS)
    connection.flushdb()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": RQ_REDIS}}
    yield connection
    connection.flushdb()
    connection.close()


def test_override_settings_switches_the_task_backend(rq_backend):
    """Changing TASKS resets django.tasks' backends, so tasks go to RQ."""
    assert type(task_backends["default"]).__name__ == "RQBackend"
    assert type(package_refresh_task.get_backend()).__name__ == "RQBackend"


def test_package_refresh_task_runs_on_an_rq_worker(upstreams, rq_backend):
    """Queued on Redis and run by an RQ worker, a fetch stores the package's facts."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    package = add_package(upstreams, stars=99)

    result = package_refresh_task.enqueue(package.pk)
    assert rq_backend.llen("rq:queue:default") == 1
    queue = django_rq.get_queue("default", job_class=Job)
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    with signals_kept():
        worker.work(burst=True)

    package.refresh_from_db()
    assert package.stars == 99
    assert package.pypi_version == "1.2"
    assert upstreams.github.requests_to("/graphql")
    finished = package_refresh_task.get_result(result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value.startswith("2 fetches")


def test_worker_command_runs_rqworker_with_rq(upstreams, rq_backend, settings, capsys):
    """`manage.py worker --burst` runs an RQ worker when RQ is the backend."""
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq"]
    settings.RQ = {"WORKER_CLASS": "rq.worker.SimpleWorker"}  # No fork: this process's database.
    package = add_package(upstreams, stars=5)
    package_refresh_task.enqueue(package.pk)

    with signals_kept():
        call_command("worker", burst=True, verbosity=0)

    assert "RQBackend" in capsys.readouterr().out
    package.refresh_from_db()
    assert package.stars == 5
    assert rq_backend.llen("rq:queue:default") == 0


def test_worker_command_runs_db_worker_by_default(upstreams, monkeypatch, capsys):
    """`manage.py worker --burst` runs the database worker with the default backend."""
    from django_tasks_db.management.commands import db_worker

    # The database worker waits up to a second before it starts; not here.
    monkeypatch.setattr(db_worker, "random", SimpleNamespace(random=lambda: 0.0))
    package = add_package(upstreams, stars=6)
    package_refresh_task.enqueue(package.pk)

    with signals_kept():
        call_command("worker", burst=True, verbosity=0)

    assert "DatabaseBackend" in capsys.readouterr().out
    package.refresh_from_db()
    assert package.stars == 6
    assert results_of(package_refresh_task).get().status == TaskResultStatus.SUCCESSFUL
