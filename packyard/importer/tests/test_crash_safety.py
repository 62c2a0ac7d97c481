"""`import_v4` killed with SIGKILL halfway and run again ends with the database a whole run gives.

Real processes on real SQLite files: a migrated database is copied twice; into one, the command
imports a synthetic dump uninterrupted; into the other it is killed (SIGKILL, no chance to clean
up) once about a third of the packages are in, then run again. Every table is then compared
row by row, leaving out only the columns that hold the wall-clock time of the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT, assert_same_contents, contents, count, finished, kill_when, manage

PACKAGES = 400
# Columns written with the time of the run (or scores that depend on it), not with data.
VOLATILE = {
    "grids_gridpackage": {"created"},
    "importer_upstreamrecord": {"imported_at"},
    "importer_importrun": {"started_at", "finished_at"},
    "packyard_search_package_rank": {"quality"},
}
# A counter of transactions, not data: how many there were differs by design.
SKIPPED = {"core_dataversion"}

pytestmark = [
    pytest.mark.attack,
    pytest.mark.skipif(
        "postgres" in os.environ.get("DATABASE_URL", ""), reason="runs on SQLite files of its own"
    ),
]


def synthetic_dump(folder: Path, packages: int, grids: int) -> Path:
    """Write a v4 dump of `packages` synthetic packages in `grids` grids and 4 categories."""
    records, dump = folder / "packages.jsonl", folder / "dump.jsonl"
    bench = ROOT / "bench"
    for command in (
        [bench / "synth_v4_records.py", str(packages), str(grids), records, "7"],
        [bench / "v4_dump_add_grids.py", records, dump],
    ):
        subprocess.run([sys.executable, *map(str, command)], check=True, capture_output=True)  # noqa: S603
    return dump


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, Path]:
    """A migrated, empty database file and a dump of 4 categories, 30 grids and 400 packages."""
    folder = tmp_path_factory.mktemp("crash")
    template = folder / "template.sqlite3"
    finished(manage(template, "migrate", "--no-input"))
    return template, synthetic_dump(folder, PACKAGES, 30)


def test_an_import_killed_halfway_and_run_again_equals_an_uninterrupted_one(prepared, tmp_path):
    template, dump = prepared
    whole, crashed = tmp_path / "whole.sqlite3", tmp_path / "crashed.sqlite3"
    shutil.copy(template, whole)
    shutil.copy(template, crashed)
    finished(manage(whole, "import_v4", "--dump", str(dump)))

    process = manage(crashed, "import_v4", "--dump", str(dump))
    packages = "SELECT count(*) FROM catalog_package"
    kill_when(process, lambda: count(crashed, packages) >= PACKAGES // 3)
    halfway = count(crashed, packages)
    finished(manage(crashed, "import_v4", "--dump", str(dump)))

    assert PACKAGES // 3 <= halfway < PACKAGES
    assert_same_contents(
        contents(whole, volatile=VOLATILE, skipped=SKIPPED),
        contents(crashed, volatile=VOLATILE, skipped=SKIPPED),
    )
    assert count(crashed, packages) == PACKAGES
