"""`manage.py crontask`: django-crontask's scheduler, kept running through a Redis outage.

django-crontask's own command ends its process when it cannot keep its Redis lock (Redis was
down for longer than the lock lasts, or came back empty): "The lock is no longer owned by the
scheduler. Shutting down." Then no round runs until someone starts it again. This one (it
overrides crontask's, as `packyard.core` comes first in INSTALLED_APPS) instead

- waits while Redis cannot be reached when it asks for the lock, asking again every
  `RETRY_SECONDS`, and
- starts afresh (the same process, `exec`ed again, so systemd, a Procfile runner or a shell
  still see it) when it lost the lock, and waits for the lock like any new scheduler: another
  one may have taken it meanwhile, so there is still only ever one scheduling at a time.

SIGTERM, SIGINT and SIGHUP stop it as they stop crontask's.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from crontask import utils
from crontask.management.commands import crontask as base
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

RETRY_SECONDS = 5


class Command(base.Command):  # type: ignore[misc]  # crontask has no type hints.
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopped = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(number, self._stop_while_waiting)
        while not self.stopped.is_set():
            try:
                super().handle(*args, **options)
            except KeyboardInterrupt:
                return  # Stopped by a signal while waiting.
            except (RedisConnectionError, RedisTimeoutError) as error:
                if self.stopped.is_set():
                    return
                self.stderr.write(
                    f"Redis cannot be reached ({error}); asking for the lock again in "
                    f"{RETRY_SECONDS} s."
                )
                self.stopped.wait(RETRY_SECONDS)
                continue
            if self.stopped.is_set():
                return
            # The lock was lost (crontask has shut its scheduler down): start afresh.
            self.stderr.write("Lost the scheduler's lock: waiting for it again.")
            sys.stdout.flush()
            sys.stderr.flush()
            os.execv(sys.executable, [sys.executable, *sys.argv])  # noqa: S606 - ourselves again.

    def launch_scheduler(self, lock: Any, scheduler: Any) -> None:
        """Run crontask's scheduler; note a stop asked by a signal, which ends `handle`."""
        original = base.kill_softly

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stopped.set()
            original(signum, frame)

        base.kill_softly = stop
        try:
            super().launch_scheduler(lock, scheduler)
        finally:
            base.kill_softly = original

    def _stop_while_waiting(self, signum: int, frame: FrameType | None) -> None:
        """A signal while waiting for the lock or for Redis: stop (no lock is held)."""
        self.stopped.set()
        if not isinstance(utils.lock, utils.FakeLock):
            raise KeyboardInterrupt(f"Received {signal.Signals(signum).name}, shutting down…")
