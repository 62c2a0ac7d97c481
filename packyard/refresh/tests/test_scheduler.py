"""The scheduler: one at a time under its Redis lock, a dead one replaced, each round noted."""

from __future__ import annotations

import contextlib
import os
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

ROOT = Path(__file__).resolve().parents[3]
SCHEDULER_REDIS = "redis://127.0.0.1:6379/14"  # A Redis database of its own, emptied around.
STARTED = "Starting scheduler"


def _redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def start_scheduler(log: Path, database: Path) -> subprocess.Popen:
    """Start `manage.py crontask` on Redis database 14, its lock given up 2 s after it dies."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": SCHEDULER_REDIS,
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


@pytest.mark.skipif(not _redis_running(), reason="needs Redis on 127.0.0.1:6379")
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
