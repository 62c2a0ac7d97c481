"""Benchmark of `manage.py import_v4 --dump`: records per second, tenth by tenth.

Not a test. A synthetic directory (bench/synth_v4_records.py, with the category and grid
records bench/v4_dump_add_grids.py adds: 4 categories, 400 grids, N packages) is imported
into a fresh, migrated database by the command itself, as a person would run it. Every record
is timed as the command hands it to `record_import` (packages go in batches to `packages_import`:
a batch's time is spread evenly over its records); the records are cut into ten tenths in the
order the command imports them (categories, grids, then packages), and the rate of each tenth
is printed with the overall rate and the last tenth's rate as a share of the first's: an import
whose per-record work grows with the tables shows it there. Then `rebuild_search` on the same
data, for comparison with what the triggers did record by record.

    .venv/bin/python bench/import_v4.py                     # 6,000 packages on SQLite
    .venv/bin/python bench/import_v4.py --postgres          # the same on PostgreSQL
    .venv/bin/python bench/import_v4.py --packages 50000

The import runs in a process of its own on a fresh database (a temporary SQLite file, or a new
PostgreSQL database on 127.0.0.1 that is dropped afterwards). Targets (issue 11): at least 150
records/s on both databases, the last tenth at 70 % or more of the first tenth's rate, and
50,000 packages in under 6 minutes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # The project, and the runner beside this file.

from databases import print_result, run_in_fresh_database, setup_django  # noqa: E402

# The generator of synthetic v4 records and the script that adds their categories and grids,
# kept beside the benchmarks as they were received, so the same seed gives the same directory.
TOOLS = ROOT / "bench"
TENTHS = 10


def synthetic_dump(packages: int, grids: int, folder: Path) -> Path:
    """Write a dump of `packages` synthetic packages with their categories and grids."""
    packages_path = folder / f"packages-{packages}.jsonl"
    dump_path = folder / f"dump-{packages}.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(TOOLS / "synth_v4_records.py"),
            str(packages),
            str(grids),
            str(packages_path),
            "7",
        ],
        check=True,
    )
    subprocess.run(
        [sys.executable, str(TOOLS / "v4_dump_add_grids.py"), str(packages_path), str(dump_path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return dump_path


def import_once(dump: str, database_url: str) -> dict[str, Any]:
    """Import the dump with the command, timing each record (called in a fresh process)."""
    setup_django(database_url)
    from django.core.management import call_command

    from packyard.importer.management.commands import import_v4

    call_command("migrate", verbosity=0)
    finished: list[float] = []
    record_import = import_v4.record_import
    packages_import = import_v4.packages_import

    def timed_record_import(**arguments: Any) -> None:
        record_import(**arguments)
        finished.append(time.perf_counter())

    def timed_packages_import(**arguments: Any) -> None:
        began = time.perf_counter()
        packages_import(**arguments)
        ended = time.perf_counter()
        count = len(arguments["items"])
        finished.extend(began + (ended - began) * (n + 1) / count for n in range(count))

    # The command calls the names it imported; this wraps them for the run and nothing else.
    import_v4.record_import = timed_record_import  # type: ignore[assignment]
    import_v4.packages_import = timed_packages_import  # type: ignore[assignment]
    started = time.perf_counter()
    call_command("import_v4", dump=Path(dump))
    total = time.perf_counter() - started
    import_v4.record_import = record_import
    import_v4.packages_import = packages_import

    started_rebuild = time.perf_counter()
    call_command("rebuild_search", verbosity=0)
    rebuild = time.perf_counter() - started_rebuild

    count = len(finished)
    rates = []
    previous = started
    for tenth in range(1, TENTHS + 1):
        first = round(count * (tenth - 1) / TENTHS)
        last = round(count * tenth / TENTHS)
        rates.append(round((last - first) / (finished[last - 1] - previous), 1))
        previous = finished[last - 1]
    return {
        "records": count,
        "seconds": round(total, 1),
        "rate": round(count / total, 1),
        "tenths": rates,
        "ratio": round(rates[-1] / rates[0], 2),
        "rebuild_seconds": round(rebuild, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=6000)
    parser.add_argument("--grids", type=int, default=400)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite.")
    parser.add_argument(
        "--database-name",
        default="packyard_import_bench",
        help="Name of the PostgreSQL database made (and dropped) for the run.",
    )
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.dump:
        print_result(import_once(arguments.dump, arguments.database_url))
        return

    with tempfile.TemporaryDirectory(prefix="packyard-import-bench-") as folder:
        dump = synthetic_dump(arguments.packages, arguments.grids, Path(folder))
        result = run_in_fresh_database(
            __file__,
            ["--dump", str(dump)],
            postgres=arguments.postgres,
            name=arguments.database_name,
        )

    backend = "PostgreSQL" if arguments.postgres else "SQLite"
    print(
        f"\nimport_v4 --dump on {backend}: {result['records']:,} records "
        f"({arguments.packages:,} packages, {arguments.grids:,} grids, 4 categories)"
    )
    print("records/s by tenth: " + "  ".join(f"{rate:.0f}" for rate in result["tenths"]))
    print(
        f"overall {result['rate']:.0f} records/s in {result['seconds']} s; "
        f"last tenth / first tenth {result['ratio']:.2f}"
    )
    print(f"rebuild_search on the same data: {result['rebuild_seconds']} s")


if __name__ == "__main__":
    main()
