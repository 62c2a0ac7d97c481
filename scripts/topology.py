"""Start and stop Packyard's production processes on one machine (scripts/prod, scripts/prod-smoke).

Each process runs in a session of its own, with its output in a log file; `Topology.close()`
stops every process it started and everything they started (RQ's work horses run in sessions
of their own too), first with SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], object], *, seconds: float, what: str) -> object:
    """Ask `condition` every 0.1 s until it returns something true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(Exception):
            if result := condition():
                return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what}: not within {seconds:g} s")
        time.sleep(0.1)  # The pause between two looks at the condition.


def descendants(pid: int) -> list[int]:
    """Return every process below `pid` (children, theirs, ...), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, number)

    def kill_tree(self) -> None:
        """SIGKILL the process and every process below it, as a crash would end them."""
        for pid in [self.pid, *descendants(self.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, grace: float = 15) -> None:
        """SIGTERM the process (and its session), wait `grace` seconds, then SIGKILL all."""
        below = descendants(self.pid) if self.alive() else []
        if self.alive():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)
        for pid in [self.pid, *below, *descendants(self.pid)]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)


@dataclass
class Topology:
    """The processes started for one run, their environment and their logs."""

    environment: Mapping[str, str]
    logs: Path
    processes: list[Process] = field(default_factory=list)

    def start(self, name: str, command: list[str], **extra: str) -> Process:
        log = self.logs / f"{name}.log"
        with log.open("ab") as output:
            popen = subprocess.Popen(  # noqa: S603 - our own commands.
                command,
                cwd=ROOT,
                env={**self.environment, **extra, "PYTHONUNBUFFERED": "1"},
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def manage(self, *arguments: str, timeout: float = 300) -> str:
        """Run a management command to its end; return its output, fail on a non-zero exit."""
        done = subprocess.run(  # noqa: S603 - our own command.
            [PYTHON, "manage.py", *arguments],
            cwd=ROOT,
            env={**self.environment, "PYTHONUNBUFFERED": "1"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def web(self, name: str, port: int, workers: int = 2) -> Process:
        return self.start(
            name,
            [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=str(workers),
            GUNICORN_PROC_NAME=f"packyard-{name}",
        )

    def worker(self, name: str = "worker") -> Process:
        return self.start(name, [PYTHON, "manage.py", "worker"])

    def scheduler(self) -> Process:
        return self.start("scheduler", [PYTHON, "manage.py", "crontask"])

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def database_create(url_base: str, name: str) -> str:
    """Create PostgreSQL database `name` (dropping one of that name); return its URL."""
    psql(url_base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(url_base, f'CREATE DATABASE "{name}"')
    return f"{url_base}/{name}"


def database_drop(url_base: str, name: str) -> None:
    with contextlib.suppress(subprocess.CalledProcessError, OSError):
        psql(url_base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def psql(url_base: str, statement: str) -> None:
    subprocess.run(  # noqa: S603 - a fixed command line.
        ["psql", f"{url_base}/postgres", "-qc", statement],  # noqa: S607 - psql from PATH.
        check=True,
        capture_output=True,
        timeout=60,
    )
