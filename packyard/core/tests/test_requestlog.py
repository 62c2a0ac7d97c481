"""Tests of the logs: one JSON line per request and per job, and the X-Request-ID header."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.tasks import task

from tests.services import redis_url
from tests.workers import signals_kept

# The database worker commits its own transactions.
pytestmark = pytest.mark.django_db(transaction=True)

RQ_REDIS = redis_url("queue")
ROOT = Path(__file__).resolve().parents[3]


@task()
def package_note_task(package_id: int) -> str:
    """Do a small job about one package."""
    return f"noted {package_id}"


@task()
def failing_task() -> None:
    """Fail, as a job whose upstream broke would."""
    raise ValueError("upstream broke")


@pytest.fixture
def json_lines():
    """Capture what the packyard loggers write, formatted as LOG_FORMAT=json formats it."""
    stream = io.StringIO()
    formatter = logging.config.DictConfigurator({}).configure_formatter(
        dict(django_settings.LOGGING["formatters"]["json"])
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("packyard")
    logger.addHandler(handler)

    def read(name):
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [line for line in lines if line["logger"] == name]

    yield read
    logger.removeHandler(handler)


# Requests


def test_each_request_is_logged_once_with_a_new_request_id(client, json_lines):
    """One JSON line after the answer: id (sent back), method, path, status, duration."""
    response = client.get("/robots.txt?q=what+someone+searched")

    [line] = json_lines("packyard.requests")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    int(request_id, 16)
    assert line["request_id"] == request_id
    assert line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/robots.txt", 200)
    assert line["duration_ms"] >= 0
    assert line["message"].startswith("GET /robots.txt 200 ")
    assert line["time"]
    # Query strings are not logged: they hold what people search for.
    assert "searched" not in json.dumps(line)


def test_a_sane_incoming_request_id_is_kept_and_an_odd_one_replaced(client, json_lines):
    """A proxy's token is reused; a long or odd-charactered one is replaced by a new id."""
    kept = client.get("/robots.txt", headers={"X-Request-ID": "edge-4f2a.77:1"})
    replaced = client.get("/robots.txt", headers={"X-Request-ID": "bad id\u00e9<script>"})

    assert kept["X-Request-ID"] == "edge-4f2a.77:1"
    assert replaced["X-Request-ID"] != "bad id\u00e9<script>"
    assert len(replaced["X-Request-ID"]) == 32
    ids = [line["request_id"] for line in json_lines("packyard.requests")]
    assert ids == ["edge-4f2a.77:1", replaced["X-Request-ID"]]


def test_a_304_from_the_page_cache_is_logged_too(client, json_lines):
    """The page cache answers a matching If-None-Match early; that answer is logged as 304."""
    etag = client.get("/packages/")["ETag"]
    response = client.get("/packages/", headers={"If-None-Match": etag})

    assert response.status_code == 304
    statuses = [line["status"] for line in json_lines("packyard.requests")]
    assert statuses == [200, 304]
    assert response["X-Request-ID"]


def test_an_unknown_page_is_logged_with_its_404(client, json_lines):
    """Error answers are logged with their status like any other."""
    client.get("/no/such/page/")

    [line] = json_lines("packyard.requests")
    assert (line["path"], line["status"]) == ("/no/such/page/", 404)


def test_log_format_json_writes_one_json_object_a_line():
    """With LOG_FORMAT=json, the site's logs are JSON objects with time, level and logger."""
    environment = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "config.settings"}
    code = (
        "import logging; "
        "logging.getLogger('packyard.requests').info('hello', extra={'status': 200})"
    )
    finished = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments.
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    [line] = [json.loads(text) for text in finished.stderr.splitlines() if text.startswith("{")]
    assert line["level"] == "INFO"
    assert line["logger"] == "packyard.requests"
    assert line["message"] == "hello"
    assert line["status"] == 200
    assert line["time"]


# Jobs


def test_jobs_on_the_database_worker_are_logged_with_outcome_package_and_duration(json_lines):
    """A job about a package logs its id and success; a failing one its error's class."""
    package_note_task.enqueue(41)
    failing_task.enqueue()
    with signals_kept():
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)

    done, failed = json_lines("packyard.tasks")
    assert done["job"] == "packyard.core.tests.test_requestlog.package_note_task"
    assert (done["package_id"], done["outcome"], done["error"]) == (41, "success", None)
    assert done["level"] == "INFO"
    assert done["duration_ms"] >= 0
    assert failed["job"] == "packyard.core.tests.test_requestlog.failing_task"
    assert (failed["outcome"], failed["error"], failed["package_id"]) == (
        "failed",
        "builtins.ValueError",
        None,
    )
    assert failed["level"] == "ERROR"
    assert failed["duration_ms"] >= 0


def test_jobs_on_an_rq_worker_are_logged_too(json_lines, settings):
    """RQ sends the backport's signals; its jobs are logged the same way."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    connection = redis.Redis.from_url(RQ_REDIS)
    connection.flushdb()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": RQ_REDIS}}
    try:
        package_note_task.enqueue(package_id=7)
        failing_task.enqueue()
        queue = django_rq.get_queue("default", job_class=Job)
        worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
        with signals_kept():
            worker.work(burst=True)
    finally:
        connection.flushdb()
        connection.close()

    done, failed = json_lines("packyard.tasks")
    assert (done["package_id"], done["outcome"]) == (7, "success")
    assert done["duration_ms"] >= 0
    assert (failed["outcome"], failed["error"]) == ("failed", "builtins.ValueError")
