"""The machine's Redis, as the tests use it: whether it runs, and each test module's database.

Tests that need a real Redis empty a numbered database of their own before and after. Two test
runs at once (CI runs the SQLite and the PostgreSQL suites side by side) must not empty each
other's: `PACKYARD_TEST_REDIS_DB` names the first of the five databases a run uses (8 unless
set, so 8 to 12; Redis has 16).
"""

from __future__ import annotations

import os
import socket

import pytest

REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379

# What each database holds; a number is shared only by tests that never run at the same time.
_USES = ("local-cache", "shared-cache", "queue", "jobs", "scheduler")


def redis_running() -> bool:
    """Whether a Redis answers on the machine's usual port."""
    try:
        socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1).close()
    except OSError:
        return False
    return True


# Skips a test (or, as `pytestmark`, a module) when the machine's Redis is not running.
needs_redis = pytest.mark.skipif(
    not redis_running(), reason=f"needs Redis on {REDIS_HOST}:{REDIS_PORT}"
)


def redis_url(use: str) -> str:
    """The URL of this run's Redis database for `use` (one of `_USES`)."""
    first = int(os.environ.get("PACKYARD_TEST_REDIS_DB", "8"))
    number = first + _USES.index(use)
    if first < 0 or number > 15:
        raise ValueError(f"PACKYARD_TEST_REDIS_DB={first} leaves no Redis database for {use!r}")
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
