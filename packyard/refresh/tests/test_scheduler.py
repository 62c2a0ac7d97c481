"""The scheduler: one at a time under its Redis lock, a dead one replaced, each round noted."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from django.core.cache import cache

from packyard.refresh.selectors import scheduler_last_round
from packyard.refresh.tasks import scheduler_round
from tests.services import needs_redis, redis_url

ROOT = Path(__file__).resolve().parents[3]
SCHEDULER_REDIS = redis_url("scheduler")  # A Redis database of its own, emptied around.
STARTED = "Starting scheduler"
REDIS_SERVER = shutil.which("redis-server")


def start_scheduler(
    log: Path, database: Path, redis_url: str = SCHEDULER_REDIS
) -> subprocess.Popen:
    """Start `manage.py crontask` on Redis database 14, its lock given up 2 s after it dies."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": redis_url,
        "SCHEDULER_LOCK_SECONDS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "manage.py", "crontask"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def poll(condition, processes, seconds: float) -> bool:
    """Look at `condition` until it holds (True) or `seconds` pass (False); fail if one ends."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return False
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.05)  # The pause between looks.
                raise AssertionError(f"a scheduler ended early with {process.returncode}")
    return True


@needs_redis
def test_two_schedulers_take_turns_and_a_killed_one_gives_the_lock_up(tmp_path):
    """A second scheduler waits while the first holds the lock; SIGKILL the first, it takes over.

    The lock lasts SCHEDULER_LOCK_SECONDS and the holder renews it; a killed holder renews
    nothing, so the waiting scheduler starts within that bound.
    """
    connection = redis.Redis.from_url(SCHEDULER_REDIS)
    connection.flushdb()
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_scheduler(first_log, tmp_path / "db.sqlite3")
    second = None
    try:
        assert poll(lambda: STARTED in first_log.read_text(), [first], seconds=60)
        second = start_scheduler(second_log, tmp_path / "db.sqlite3")
        assert poll(lambda: "Acquiring lock" in second_log.read_text(), [second], seconds=60)
        # Three lock lifetimes: the first renews its lock, the second keeps waiting.
        assert not poll(lambda: STARTED in second_log.read_text(), [first, second], seconds=6)

        first.kill()
        first.wait(timeout=30)
        killed = time.monotonic()
        assert poll(lambda: STARTED in second_log.read_text(), [second], seconds=30)
        took_over_in = time.monotonic() - killed
    except AssertionError as error:
        logs = f"{first_log.read_text()[-1500:]}\n{second_log.read_text()[-1500:]}"
        raise AssertionError(f"{error}\n{logs}") from error
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)  # Lets it release its lock.
                process.wait(timeout=30)
        connection.flushdb()
        connection.close()
    assert took_over_in < 2 + 1  # SCHEDULER_LOCK_SECONDS, and a moment to start.


@pytest.mark.django_db
def test_each_round_is_noted_for_every_process(time_machine):
    """A scheduler round notes its time in the shared cache; `scheduler_last_round` reads it."""
    cache.clear()
    assert scheduler_last_round() is None
    time_machine.move_to(datetime(2026, 3, 18, 12, 0, tzinfo=UTC), tick=False)

    scheduler_round()

    assert scheduler_last_round() == datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_without_a_shared_cache_the_round_is_read_from_the_database_backend(time_machine):
    """The database backend's record of the queued refresh tells another process of the round."""
    time_machine.move_to(datetime(2026, 3, 18, 12, 0, tzinfo=UTC), tick=False)
    scheduler_round()
    time_machine.move_to(datetime(2026, 3, 18, 12, 1, tzinfo=UTC), tick=False)
    scheduler_round()
    cache.clear()  # What a web process's own in-process cache holds: nothing of the scheduler.

    assert scheduler_last_round() == datetime(2026, 3, 18, 12, 1, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@needs_redis
def test_a_scheduler_that_lost_its_lock_waits_for_it_again_instead_of_ending(tmp_path):
    """Redis forgets the lock (restarted empty, or down past the lock's life): the scheduler
    notices at its next renewal, starts afresh in the same process and holds the lock again."""
    connection = redis.Redis.from_url(SCHEDULER_REDIS)
    connection.flushdb()
    log = tmp_path / "scheduler.log"
    scheduler = start_scheduler(log, tmp_path / "db.sqlite3")
    try:
        assert poll(lambda: STARTED in log.read_text(), [scheduler], seconds=60)
        connection.flushdb()  # The lock is gone, as after a Redis restart.

        assert poll(lambda: log.read_text().count(STARTED) == 2, [scheduler], seconds=60)
        assert "Lost the scheduler's lock" in log.read_text()
        assert connection.exists("crontask-lock")
        assert scheduler.poll() is None
    except AssertionError as error:
        raise AssertionError(f"{error}\n{log.read_text()[-1500:]}") from error
    finally:
        _stop(scheduler)
        connection.flushdb()
        connection.close()


@pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server")
def test_a_scheduler_started_before_redis_waits_for_it(tmp_path):
    """No Redis at the address yet: the scheduler says so and asks again; once a Redis answers
    there, it takes the lock and schedules."""
    port = _free_port()
    log = tmp_path / "scheduler.log"
    scheduler = start_scheduler(log, tmp_path / "db.sqlite3", f"redis://127.0.0.1:{port}/0")
    server = None
    try:
        assert poll(lambda: "Redis cannot be reached" in log.read_text(), [scheduler], seconds=60)
        server = subprocess.Popen(  # noqa: S603 - a fixed command line.
            [
                REDIS_SERVER,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        assert poll(lambda: STARTED in log.read_text(), [scheduler], seconds=60)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{log.read_text()[-1500:]}") from error
    finally:
        _stop(scheduler)
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
