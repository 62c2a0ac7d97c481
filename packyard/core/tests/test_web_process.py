"""What a web process loads: the MCP SDK, the code hosts' HTTP clients and Pillow wait for use.

Each gunicorn worker holds what its URLs import. The MCP SDK (pydantic, starlette), the
refresh runner (httpx and the clients of every code host) and Pillow (social cards) are tens of
MiB that a page never uses, so they load on the first /mcp/ call, in the worker that fetches,
or with the first card.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

LOADED = """
import json, os, sys
import django
django.setup()
from django.urls import resolve
resolve("/")
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def printed_by(script: str, tmp_path: Path) -> Any:
    """Run `script` in a new interpreter set up as a web process; return the JSON it printed."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    found = subprocess.run(  # noqa: S603 - this interpreter and a fixed script.
        [sys.executable, "-c", script],
        cwd=Path(settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(found.stdout.splitlines()[-1])


def test_serving_pages_loads_neither_the_mcp_sdk_nor_the_http_clients_nor_pillow(tmp_path):
    """After the URLs load (as a worker's first request does): no mcp, pydantic, httpx or PIL."""
    modules = set(printed_by(LOADED, tmp_path))

    assert "rest_framework" in modules  # The URLs did load.
    assert modules.isdisjoint({"mcp", "pydantic", "starlette", "httpx", "PIL"})


FROZEN = """
import gc, json, runpy
import django
django.setup()
config = runpy.run_path("config/gunicorn.conf.py")
set_up = len(gc.get_objects())
config["post_worker_init"](None)
print(json.dumps({
    "set_up": set_up, "frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects()),
}))
"""


def test_a_worker_sets_what_it_loaded_aside_from_the_garbage_collector(tmp_path):
    """gunicorn's post_worker_init loads the URLs and freezes what is loaded (gc.freeze)."""
    counts = printed_by(FROZEN, tmp_path)

    # More than Django and the apps: the views and what they import are loaded and frozen.
    assert counts["frozen"] > counts["set_up"]
    assert counts["tracked"] < counts["frozen"] // 20  # What the collector still walks.


COLLECTED = """
import gc, json, runpy, weakref
config = runpy.run_path("config/gunicorn.conf.py")

class Part:
    pass

def answer():
    # What a request leaves behind: a reference cycle holding a body, garbage once answered.
    request, response = Part(), Part()
    request.response, response.request = response, request
    response.body = bytearray(100_000)
    return weakref.ref(response)

gc.collect()
gc.freeze()
last = answer()
config["pre_request"](None, None)
kept = []
for _ in range(1_000):  # Requests that each leave one object behind, for good (a cache).
    kept.append(Part())
    config["pre_request"](None, None)
print(json.dumps({
    "last_answer_alive": last() is not None,
    "middle_count": gc.get_count()[1],
    "middle_threshold": gc.get_threshold()[1],
}))
"""


def test_a_worker_collects_the_last_requests_garbage_before_the_next(tmp_path):
    """gunicorn's pre_request frees the cycles the last answer left before the next request
    allocates, and still lets the older generations be collected in their turn (explicit
    collections of the youngest alone would let the middle one grow without end)."""
    found = printed_by(COLLECTED, tmp_path)

    assert found["last_answer_alive"] is False
    assert found["middle_count"] <= found["middle_threshold"]
