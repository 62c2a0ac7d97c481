"""One log line per request and per job, with the fields an operator searches by.

Requests are logged by `RequestLogMiddleware` once the answer is ready (304s and answers
from the page cache included), with a request id that is also sent back as `X-Request-ID`.
The path is logged without its query string: queries hold what people typed in search.

Jobs are logged from django.tasks' signals when they finish: their name, the package they
are about, success or failure (with the error's class) and how long they ran. The RQ backend
sends the signals of the django-tasks backport, so both sets are listened to.
"""

from __future__ import annotations

import inspect
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

request_logger = logging.getLogger("packyard.requests")
task_logger = logging.getLogger("packyard.tasks")

# An incoming request id is kept when it is a short token (a proxy's uuid, a trace id).
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
REQUEST_ID_HEADER = "X-Request-ID"


def request_id_for(incoming: str | None) -> str:
    """Return the incoming id when it is a sane token, else a new one."""
    if incoming and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Log each request once, after its answer, and send its id back in `X-Request-ID`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        request_logger.info(
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


# Start times of the jobs running in this process, by result id.
_job_started: dict[str, float] = {}


def _package_id(task_result: Any) -> int | None:
    """Return the `package_id` argument of a job about one package."""
    try:
        signature = inspect.signature(task_result.task.func)
        arguments = signature.bind_partial(*task_result.args, **task_result.kwargs).arguments
    except (TypeError, ValueError):
        return None
    package_id = arguments.get("package_id")
    return package_id if isinstance(package_id, int) else None


def _error_class(task_result: Any) -> str | None:
    """Return the dotted class of the error a job failed with."""
    if task_result.errors:
        return str(task_result.errors[-1].exception_class_path)
    # RQ's failure callback runs before the error is stored, inside the exception handler.
    error_type = sys.exc_info()[0]
    return f"{error_type.__module__}.{error_type.__qualname__}" if error_type else None


def job_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Note when a job started, to log its duration."""
    _job_started[task_result.id] = time.perf_counter()


def job_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Log a finished job: its name, its package, its outcome and its duration."""
    started = _job_started.pop(task_result.id, None)
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    failed = task_result.status == "FAILED"
    error = _error_class(task_result) if failed else None
    fields: dict[str, Any] = {
        "job": task_result.task.module_path,
        "job_id": str(task_result.id),
        "package_id": _package_id(task_result),
        "outcome": "failed" if failed else "success",
        "error": error,
        "duration_ms": duration_ms,
    }
    task_logger.log(
        logging.ERROR if failed else logging.INFO,
        "job %s %s%s package=%s %sms",
        fields["job"],
        fields["outcome"],
        f" ({error})" if error else "",
        fields["package_id"],
        duration_ms,
        extra=fields,
    )


def job_enqueued(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Log a queued job at debug level (the scheduler queues one a minute)."""
    task_logger.debug(
        "job %s queued",
        task_result.task.module_path,
        extra={"job": task_result.task.module_path, "job_id": str(task_result.id)},
    )


def connect_task_signals() -> None:
    """Listen to django.tasks' signals, and to the backport's when it is installed."""
    from django.tasks import signals

    signal_modules: list[Any] = [signals]
    try:
        from django_tasks import signals as backport_signals
    except ImportError:
        pass
    else:
        signal_modules.append(backport_signals)
    for index, module in enumerate(signal_modules):
        module.task_enqueued.connect(job_enqueued, dispatch_uid=f"packyard-enqueued-{index}")
        module.task_started.connect(job_started, dispatch_uid=f"packyard-started-{index}")
        module.task_finished.connect(job_finished, dispatch_uid=f"packyard-finished-{index}")
