"""`import_v4` killed with SIGKILL halfway and run again ends with the database a whole run gives.

Real processes on real SQLite files: a migrated database is copied twice; into one, the command
imports a synthetic dump uninterrupted; into the other it is killed (SIGKILL, no chance to clean
up) once about a third of the packages are in, then run again. Every table is then compared
row by row, leaving out only the columns that hold the wall-clock time of the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = 400
# Columns written with the time of the run (or scores that depend on it), not with data.
VOLATILE = {
    "grids_gridpackage": {"created"},
    "importer_upstreamrecord": {"imported_at"},
    "importer_importrun": {"started_at", "finished_at", "updated_at"},
    "packyard_search_package_rank": {"quality"},
}
# Bookkeeping that counts transactions, not data: how many there were differs by design.
SKIPPED = {"core_dataversion"}

pytestmark = pytest.mark.skipif(
    "postgres" in os.environ.get("DATABASE_URL", ""), reason="runs on SQLite files of its own"
)


def manage(database: Path, *arguments: str, **options) -> subprocess.Popen:
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "0"}
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments.
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **options,
    )


def finished(process: subprocess.Popen, seconds: float = 120) -> None:
    _, errors = process.communicate(timeout=seconds)
    assert process.returncode == 0, errors.decode()[-2000:]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, Path]:
    """A migrated, empty database file and a dump of 4 categories, 30 grids and 400 packages."""
    folder = tmp_path_factory.mktemp("crash")
    packages, dump = folder / "packages.jsonl", folder / "dump.jsonl"
    bench = ROOT / "bench"
    for command in (
        [bench / "synth_v4_records.py", str(PACKAGES), "30", packages, "7"],
        [bench / "v4_dump_add_grids.py", packages, dump],
    ):
        subprocess.run([sys.executable, *map(str, command)], check=True, capture_output=True)  # noqa: S603
    template = folder / "template.sqlite3"
    finished(manage(template, "migrate", "--no-input"))
    return template, dump


def count(database: Path, table: str) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
    except sqlite3.OperationalError:
        return 0  # Locked for a moment by the writer: ask again.


def contents(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table, without the volatile columns, in a stable order."""
    with sqlite3.connect(database) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        result = {}
        for table in sorted(set(tables) - SKIPPED):
            columns = [
                row[1]
                for row in connection.execute(f'PRAGMA table_info("{table}")')
                if row[1] not in VOLATILE.get(table, set())
            ]
            selected = ", ".join(f'"{column}"' for column in columns)
            rows = connection.execute(f'SELECT {selected} FROM "{table}"').fetchall()  # noqa: S608
            result[table] = sorted(rows, key=repr)
        return result


def test_an_import_killed_halfway_and_run_again_equals_an_uninterrupted_one(prepared, tmp_path):
    template, dump = prepared
    whole, crashed = tmp_path / "whole.sqlite3", tmp_path / "crashed.sqlite3"
    shutil.copy(template, whole)
    shutil.copy(template, crashed)
    finished(manage(whole, "import_v4", "--dump", str(dump)))

    process = manage(crashed, "import_v4", "--dump", str(dump))
    deadline = time.monotonic() + 120
    while count(crashed, "catalog_package") < PACKAGES // 3:
        assert time.monotonic() < deadline, "the import did not get a third of the way"
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.02)  # Look again soon; fail if the import ended already.
            pytest.fail("the import ended before it could be killed")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    halfway = count(crashed, "catalog_package")
    finished(manage(crashed, "import_v4", "--dump", str(dump)))

    assert PACKAGES // 3 <= halfway < PACKAGES
    expected, got = contents(whole), contents(crashed)
    assert got.keys() == expected.keys()
    for table in expected:
        assert got[table] == expected[table], table
    assert len(got["catalog_package"]) == PACKAGES
