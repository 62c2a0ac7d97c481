"""Run the task workers inside a test's own process until their queue is empty."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

from django.core.management import call_command


@contextlib.contextmanager
def signals_kept() -> Iterator[None]:
    """Put back the signal handlers a worker installs for itself."""
    kinds = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {kind: signal.getsignal(kind) for kind in kinds}
    try:
        yield
    finally:
        for kind, handler in saved.items():
            signal.signal(kind, handler)


def run_db_worker() -> None:
    """Run the database worker until the queue is empty (no start-up delay, no polling)."""
    with signals_kept():
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)


def run_rq_worker() -> None:
    """Run an RQ worker in this process until the queue is empty."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue("default", job_class=Job)
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    with signals_kept():
        worker.work(burst=True)
