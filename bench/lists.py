"""Benchmark of the list pages and API lists: p50 at two sizes of the directory, and the ratio.

Not a test. Each URL is asked REPEAT times through Django's test client (the whole stack, page
cache off: PAGE_CACHE_SECONDS=0) on a database holding the smaller directory, then on one holding
the larger; the p50 of each and their ratio are printed. Issue 11 wants the ratio within 1.5
(search within 2). The databases are kept for reuse: build them once with `--build`.

    .venv/bin/python bench/lists.py --build 6000 sqlite:///bench-6000.sqlite3
    .venv/bin/python bench/lists.py --build 50000 postgres://postgres@127.0.0.1:5432/lists_50000
    .venv/bin/python bench/lists.py SMALL_DATABASE_URL LARGE_DATABASE_URL
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # The project, and the runner beside this file.

from databases import print_result, setup_django  # noqa: E402
from import_v4 import synthetic_dump  # noqa: E402

REPEAT = 15
CATEGORY_KEY = "/categories/<largest>/"
SORTS = ("stars", "forks", "last-commit", "last-release", "title", "added")


def urls() -> list[str]:
    """Return the URLs measured, with the last page, a category and a package of this data."""
    from packyard.catalog.models import Category, Package

    last = max(1, (Package.objects.count() + 24) // 25)
    largest = Category.objects.order_by("-package_count").first()
    smallest = Category.objects.order_by("package_count").first()
    package = Package.objects.order_by("id").first()
    return [
        "/",
        "/packages/",
        f"/packages/?page={last}",
        *[f"/packages/?sort={sort}" for sort in SORTS],
        *[f"/packages/?sort={sort}&page={last}" for sort in SORTS],
        f"/categories/{largest.slug}/" if largest else "/",
        f"/categories/{smallest.slug}/" if smallest else "/",
        "/packages/latest/",
        f"/packages/latest/?page={last}",
        "/grids/",
        f"/packages/p/{package.slug}/" if package else "/",
        "/readiness/",
        "/api/v4/packages/",
        "/api/v4/packages/?limit=100",
        "/api/v4/categories/",
        "/api/v4/grids/",
    ]


def measure(database_url: str) -> dict[str, Any]:
    """Time every URL on one database (called in a process of its own)."""
    setup_django(database_url, PAGE_CACHE_SECONDS="0", ALLOWED_HOSTS="testserver")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    timings: dict[str, Any] = {}
    for url in urls():
        client.get(url)  # Warm: templates, connection, the database's own caches.
        seconds = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            seconds.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        # URLs differ between sizes in the last page's number, the categories and the package:
        # key them by their shape.
        key = url.split("page=")[0] + ("page=last" if "page=" in url else "")
        if url.startswith("/packages/p/"):
            key = "/packages/p/<first>/"
        elif url.startswith("/categories/"):
            key = "/categories/<smallest>/" if CATEGORY_KEY in timings else CATEGORY_KEY
        timings[key] = {"p50": statistics.median(seconds), "queries": len(queries)}
    return timings


def build(packages: int, database_url: str) -> None:
    """Migrate a database and import a synthetic directory of `packages` into it."""
    with tempfile.TemporaryDirectory(prefix="packyard-lists-bench-") as folder:
        dump = synthetic_dump(packages, 400, Path(folder))
        environment = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
        for command in (["migrate", "-v0"], ["import_v4", "--dump", str(dump)]):
            subprocess.run(
                [sys.executable, "manage.py", *command], check=True, cwd=ROOT, env=environment
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("databases", nargs="*", help="The smaller, then the larger database URL.")
    parser.add_argument("--build", type=int, metavar="PACKAGES")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print_result(measure(arguments.measure))
        return
    if arguments.build:
        build(arguments.build, arguments.databases[0])
        return
    small_url, large_url = arguments.databases
    results = []
    for database_url in (small_url, large_url):
        process = subprocess.run(
            [sys.executable, __file__, "--measure", database_url],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = next(line for line in process.stdout.splitlines() if line.startswith("RESULT "))
        results.append(json.loads(line.removeprefix("RESULT ")))
    small, large = results
    print(f"{'URL':46} {'small ms':>9} {'large ms':>9} {'ratio':>6} {'queries':>9}")
    for key in small:
        a, b = small[key], large[key]
        print(
            f"{key:46} {a['p50'] * 1000:9.1f} {b['p50'] * 1000:9.1f} "
            f"{b['p50'] / a['p50']:6.2f} {a['queries']:>4}/{b['queries']:<4}"
        )


if __name__ == "__main__":
    main()
