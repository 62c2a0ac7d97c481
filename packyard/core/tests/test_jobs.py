"""Jobs that survive: a job whose RQ worker is killed runs again; a failing job is retried."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone

from tests.factories import PackageFactory
from tests.jobs import blocking_task, failing_task
from tests.services import needs_redis, redis_url

ROOT = Path(__file__).resolve().parents[3]
RQ_REDIS = redis_url("jobs")  # A Redis database of its own, emptied before and after.


pytestmark = [
    needs_redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def rq_redis(settings):
    """Queue tasks with RQ on a Redis database of their own through Packyard's retrying queue."""
    connection = redis.Redis.from_url(RQ_REDIS)
    connection.flushdb()
    settings.REDIS_URL = RQ_REDIS
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {
        "default": {"URL": RQ_REDIS, "QUEUE_CLASS": "packyard.core.jobs.RetryingQueue"}
    }
    yield connection
    connection.flushdb()
    connection.close()


def wait_for(condition: Callable[[], object], process: subprocess.Popen, seconds: float) -> None:
    """Poll `condition` until it holds; fail at the deadline or if `process` ends first."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.1)  # The pause between looks; fails if the worker ended.
            raise AssertionError(f"the worker ended early with {process.returncode}")


def start_worker(environment: dict[str, str], log: Path) -> subprocess.Popen:
    """Start `manage.py worker` in a process group of its own (it and RQ's scheduler)."""
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "manage.py", "worker"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_a_job_whose_worker_is_killed_runs_again_and_finishes(rq_redis, settings, tmp_path):
    """SIGKILL the RQ worker (and the process running the job) mid-job: a new worker runs it again.

    The killed job stays "started" until its heartbeat expires; the new worker's maintenance
    finds it within JOBS_RECOVERY_SECONDS and queues it again, and the second try finishes.
    """
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot open SQLite's in-memory test database")
    package = PackageFactory(description="not yet")
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "REDIS_URL": RQ_REDIS,
        "JOBS_RECOVERY_SECONDS": "4",
    }
    # The queue that takes the job gives it its retries: here one, at once. (A delay would wait
    # for RQ's scheduler, whose lock the killed worker holds for another minute.)
    settings.JOBS_RETRY_DELAYS = [0]
    log = tmp_path / "workers.log"
    result = blocking_task.enqueue(package.pk)
    first = start_worker(environment, log)
    second = None
    try:
        pid_key = f"blocking-task:{package.pk}:pid"
        wait_for(lambda: rq_redis.get(pid_key), first, seconds=60)
        horse = int(rq_redis.get(pid_key))
        kill_group(first)
        os.kill(horse, signal.SIGKILL)  # RQ runs each job in a process group of its own.
        assert blocking_task.get_result(result.id).status == TaskResultStatus.RUNNING

        started = time.monotonic()
        second = start_worker(environment, log)
        wait_for(
            lambda: blocking_task.get_result(result.id).status == TaskResultStatus.SUCCESSFUL,
            second,
            seconds=60,
        )
        recovered_in = time.monotonic() - started
    except AssertionError as error:
        raise AssertionError(f"{error}\n{log.read_text()[-3000:]}") from error
    finally:
        kill_group(first)
        if second is not None:
            kill_group(second)

    package.refresh_from_db()
    assert package.description == "finished on try 2"
    assert blocking_task.get_result(result.id).return_value == "finished"
    assert recovered_in < 30  # JOBS_RECOVERY_SECONDS=4, plus starting the worker.


def run_worker_once(queue_name: str = "default") -> None:
    """Run an RQ worker (no fork) on the queue until it is empty."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue(queue_name, job_class=Job)
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    signals = {kind: signal.getsignal(kind) for kind in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker.work(burst=True, with_scheduler=True)
    finally:
        for kind, handler in signals.items():
            signal.signal(kind, handler)


def test_a_failing_job_is_retried_with_back_off_then_kept_failed_with_its_reason(
    rq_redis, settings, time_machine
):
    """A job that raises is tried again after 30 s, 2 min and 10 min, then kept as failed.

    The failed job keeps its exception and message: staff read them in the RQ admin, and
    `get_result` gives them to code.
    """
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry

    settings.JOBS_RETRY_DELAYS = [30, 120, 600]
    time_machine.move_to(timezone.now().replace(microsecond=0), tick=False)  # RQ keeps seconds.
    result = failing_task.enqueue("upstream said no")
    queue = django_rq.get_queue("default", job_class=Job)
    scheduled = ScheduledJobRegistry(queue=queue)

    waits = []
    for _ in range(3):
        run_worker_once()
        job = Job.fetch(result.id, connection=rq_redis)
        assert job.get_status() == "scheduled"
        waits.append(scheduled.get_scheduled_time(job) - timezone.now())
        assert failing_task.get_result(result.id).status == TaskResultStatus.READY
        time_machine.shift(waits[-1] + timedelta(seconds=1))
    run_worker_once()

    assert [round(wait.total_seconds()) for wait in waits] == [30, 120, 600]
    job = Job.fetch(result.id, connection=rq_redis)
    assert job.get_status() == "failed"
    assert result.id in FailedJobRegistry(queue=queue).get_job_ids()
    failed = failing_task.get_result(result.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.errors[-1].exception_class_path == "builtins.ValueError"
    assert "ValueError: upstream said no" in failed.errors[-1].traceback


@pytest.fixture
def failed_on_the_database_worker():
    """A task that failed on the database worker (the default backend)."""
    from django.core.management import call_command

    result = failing_task.enqueue("upstream said no")
    signals = {kind: signal.getsignal(kind) for kind in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    finally:
        for kind, handler in signals.items():
            signal.signal(kind, handler)
    return result


def test_staff_see_a_failed_job_and_its_reason_in_the_admin(client, failed_on_the_database_worker):
    """Staff find the failed job in the admin's list of failed tasks, with exception and message."""
    from django.contrib.auth.models import Permission

    from tests.factories import staff

    operator = staff("operator")
    operator.user_permissions.add(Permission.objects.get(codename="view_dbtaskresult"))
    client.force_login(operator)

    listed = client.get("/admin/django_tasks_database/dbtaskresult/", {"status": "FAILED"})
    assert listed.status_code == 200
    assert "failing_task" in listed.content.decode()
    assert str(failed_on_the_database_worker.id) in listed.content.decode()
    shown = client.get(
        f"/admin/django_tasks_database/dbtaskresult/{failed_on_the_database_worker.id}/change/"
    )
    page = shown.content.decode()
    assert shown.status_code == 200
    assert "builtins.ValueError" in page
    assert "ValueError: upstream said no" in page


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_others_are_sent_to_sign_in_instead_of_seeing_failed_jobs(
    client, failed_on_the_database_worker, who
):
    """Anonymous visitors and members without staff status are sent to the admin's sign-in."""
    from tests.factories import member

    if who == "member":
        client.force_login(member("someone"))
    for path in (
        "/admin/django_tasks_database/dbtaskresult/",
        f"/admin/django_tasks_database/dbtaskresult/{failed_on_the_database_worker.id}/change/",
    ):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/admin/login/")


def test_a_round_killed_with_its_worker_takes_its_own_lock_over_when_run_again(rq_redis):
    """Recovery runs a due round again under the same job id: it takes the lock it left at once.

    Without that, the round's lock (30 minutes) would keep every later round waiting.
    """
    from django.core.cache import cache

    from packyard.scoring.tasks import DUE_LOCK, scores_recompute_due_task
    from tests.workers import run_rq_worker

    PackageFactory()
    result = scores_recompute_due_task.enqueue()
    cache.set(DUE_LOCK, result.id, timeout=60)  # Its first try died holding the lock.
    run_rq_worker()
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1  # The package was scored, not skipped.
    assert cache.get(DUE_LOCK) is None


def test_a_round_waits_while_another_round_holds_the_lock(rq_redis):
    """A round finding another job's lock scores nothing and leaves that lock alone."""
    from django.core.cache import cache

    from packyard.scoring.tasks import DUE_LOCK, scores_recompute_due_task
    from tests.workers import run_rq_worker

    PackageFactory()
    cache.set(DUE_LOCK, "another-round", timeout=60)
    try:
        result = scores_recompute_due_task.enqueue()
        run_rq_worker()
        result.refresh()
        assert result.return_value == 0
        assert cache.get(DUE_LOCK) == "another-round"
    finally:
        cache.delete(DUE_LOCK)


def test_a_queue_that_cannot_be_reached_loses_no_package(rq_redis, settings, caplog):
    """With Redis gone, queuing a new package's fetch logs the failure; the package stays."""
    from packyard.refresh.tasks import package_refresh_enqueue

    with socket.socket() as probe:  # A port with nobody listening.
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{port}/0"}}
    package = PackageFactory()
    with caplog.at_level("ERROR", logger="packyard.refresh.tasks"), transaction.atomic():
        package_refresh_enqueue(package_id=package.pk)
    assert f"Could not queue a fetch of package {package.pk}" in caplog.text
    assert type(package).objects.filter(pk=package.pk).exists()
