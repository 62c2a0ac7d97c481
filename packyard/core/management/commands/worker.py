"""Run the task worker that the settings choose: the database worker, or RQ on Redis."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.tasks import task_backends

RQ_JOB_CLASS = "django_tasks_rq.backend.Job"


class Command(BaseCommand):
    help = (
        "Run background tasks: `db_worker` with the database backend (the default), "
        "`rqworker` when REDIS_URL selects the RQ backend."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--burst", action="store_true", help="Run the tasks that are queued, then stop."
        )

    def handle(self, *args: Any, burst: bool, **options: Any) -> None:
        backend = task_backends["default"]
        name = type(backend).__name__
        self.stdout.write(f"Task worker for the {name} backend.")
        if name == "RQBackend":
            # The scheduler moves jobs whose retry delay has passed back to the queue.
            call_command(
                "rqworker", "default", job_class=RQ_JOB_CLASS, burst=burst, with_scheduler=True
            )
        else:
            call_command("db_worker", batch=burst)
