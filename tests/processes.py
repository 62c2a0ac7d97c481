"""Run Packyard's own commands as real processes on SQLite files, and compare what they leave.

Used by the crash-safety tests: a command is killed with SIGKILL halfway, run again, and the
database it leaves is compared table by table with the one an uninterrupted run leaves.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(
    database: Path, *arguments: str, env: Mapping[str, str] | None = None
) -> subprocess.Popen:
    """Start `manage.py <arguments>` on the SQLite file `database`."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "REDIS_URL": "",
        **(env or {}),
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments.
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finished(process: subprocess.Popen, seconds: float = 180) -> None:
    """Wait for a command; fail with the end of what it wrote to stderr if it failed."""
    _, errors = process.communicate(timeout=seconds)
    assert process.returncode == 0, errors.decode()[-2000:]


def count(database: Path, sql: str) -> int:
    """Return one number from a read-only look at the database (0 while it is locked)."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
            return int(connection.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def kill_when(process: subprocess.Popen, ready: Callable[[], bool], seconds: float = 120) -> None:
    """SIGKILL `process` as soon as `ready()` is true; fail if it ends or times out first."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, "the command did not get far enough to be killed"
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.02)  # Look again soon; fail if the command ended already.
            raise AssertionError("the command ended before it could be killed")
    process.kill()
    process.wait(timeout=30)


def contents(
    database: Path, *, volatile: Mapping[str, set[str]], skipped: set[str]
) -> dict[str, list[tuple]]:
    """Every row of every table but `skipped`, without the `volatile` columns, in a set order."""
    with sqlite3.connect(database) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        # SQLite FTS5's segment tables hold the index in a layout that depends on the order of
        # writes; the text indexed is compared through the index's `_content` table.
        fts_segments = {name for name in tables if name.endswith(("_data", "_idx"))}
        result = {}
        for table in sorted(set(tables) - skipped - fts_segments):
            columns = [
                row[1]
                for row in connection.execute(f'PRAGMA table_info("{table}")')
                if row[1] not in volatile.get(table, set())
            ]
            selected = ", ".join(f'"{column}"' for column in columns)
            rows = connection.execute(f'SELECT {selected} FROM "{table}"').fetchall()  # noqa: S608
            result[table] = sorted(rows, key=repr)
        return result


def assert_same_contents(expected: dict[str, list[tuple]], got: dict[str, list[tuple]]) -> None:
    """Fail naming the first table that differs and its first rows that differ."""
    assert got.keys() == expected.keys()
    for table in expected:
        if got[table] != expected[table]:
            only_expected = [row for row in expected[table] if row not in got[table]][:2]
            only_got = [row for row in got[table] if row not in expected[table]][:2]
            raise AssertionError(
                f"{table}: expected {only_expected!r:.1000}, got {only_got!r:.1000}"
            )
