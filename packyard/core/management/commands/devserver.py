"""Run the development site with its task worker and scheduler, and stop all three together."""

from __future__ import annotations

import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Start the task worker (`manage.py worker`), the scheduler (`manage.py crontask`) and "
        "the development server; Ctrl-C or SIGTERM stops all three."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, addrport: str, **options: Any) -> None:
        manage = [sys.executable, sys.argv[0]]
        children = [
            subprocess.Popen([*manage, "worker"]),  # noqa: S603 - our own manage.py.
            subprocess.Popen([*manage, "crontask", "--no-heartbeat"]),  # noqa: S603
        ]
        self.stdout.write(
            f"\n  Packyard is starting on http://{addrport}/  (Ctrl-C stops it)\n"
            "  A task worker and the refresh scheduler run beside it.\n"
        )
        server = subprocess.Popen([*manage, "runserver", addrport])  # noqa: S603
        children.append(server)

        def stop(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
