"""Benchmark of the grid page: server time of `/grids/g/<slug>/` for big grids.

Not a test. Builds grids of P packages by F features with every cell written (short Markdown,
as people write them), each package fetched, released and scored, then requests each grid's
page through Django's test client, anonymously and signed in as a member who may edit (then
every cell has its edit link), and prints the p50 and p95 of the time to answer and the
queries per request. Those use each column's kept cells (GridColumn), as every view does
until a package's facts change; "making" is the anonymous page when every column's cells must
be made again (and kept), as the first view after each of its packages changed.

    .venv/bin/python bench/grid.py                          # 105x10 and 500x30, SQLite
    .venv/bin/python bench/grid.py --sizes 105x10 --backends sqlite postgresql
    .venv/bin/python bench/grid.py --sizes 105x10 --profile  # cProfile of one signed-in request

Each backend runs in a process of its own with a fresh database (a temporary SQLite file, a new
PostgreSQL database on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # The project, and the runner beside this file.

from databases import print_result, run_in_fresh_database, setup_django  # noqa: E402

CELL_TEXTS = [
    "yes",
    "*yes*",
    "**no**, see [the docs](https://example.com/docs)",
    "`partial`: only with `USE_TZ = True`",
    "- one\n- two",
    "Since 2.0 ~~not before~~",
]


def build(packages: int, features: int) -> str:
    """Create a grid of `packages` by `features`, every cell written; return its slug."""
    from django.utils import timezone

    from packyard.catalog.models import Category, Package, Release
    from packyard.core.repositories import RepositoryHost
    from packyard.grids.models import Element, Feature, Grid, GridPackage
    from packyard.grids.services import element_html
    from packyard.scoring.services import scores_recompute

    slug = f"grid-{packages}x{features}"
    category, _ = Category.objects.get_or_create(
        slug="apps", defaults={"title": "App", "title_plural": "Apps"}
    )
    now = timezone.now()
    rows = Package.objects.bulk_create(
        Package(
            title=f"{slug}-package-{number}",
            slug=f"{slug}-package-{number}",
            category=category,
            repo_url=f"https://github.com/owner/{slug}-{number}",
            repo_host=RepositoryHost.GITHUB,
            repo_key=f"github.com/owner/{slug}-{number}",
            pypi_name=f"{slug}-package-{number}",
            pypi_version="1.0",
            latest_release_at=now,
            description=f"What package {number} does, in a sentence or two. " * 3,
            stars=number * 7,
            forks=number,
            commits_over_52=[(number + week) % 5 for week in range(52)],
            last_commit_at=now - timezone.timedelta(days=number % 90),
            last_fetched_at=now,
        )
        for number in range(packages)
    )
    Release.objects.bulk_create(
        Release(
            package=package,
            version="1.0",
            upload_time=now,
            license="BSD-3-Clause",
            requires_python=">=3.10",
            classifiers=["Programming Language :: Python :: 3", "Framework :: Django :: 5.2"],
            development_status="Production/Stable",
        )
        for package in rows
    )
    grid = Grid.objects.create(title=f"Grid {packages} by {features}", slug=slug)
    memberships = GridPackage.objects.bulk_create(
        GridPackage(grid=grid, package=package) for package in rows
    )
    feature_rows = Feature.objects.bulk_create(
        Feature(grid=grid, title=f"Feature {number}", position=number) for number in range(features)
    )
    cells = []
    for column, membership in enumerate(memberships):
        for row, feature in enumerate(feature_rows):
            text = CELL_TEXTS[(column + row) % len(CELL_TEXTS)]
            cells.append(
                Element(
                    grid_package=membership,
                    feature=feature,
                    text=text,
                    text_html=element_html(text),
                )
            )
    Element.objects.bulk_create(cells, batch_size=1000)
    ids = [package.pk for package in rows]
    for start in range(0, len(ids), 200):
        scores_recompute(package_ids=ids[start : start + 200], now=now)
    return slug


def measure(
    client: object, url: str, repeat: int, before: Callable[[], object] | None = None
) -> dict[str, float | int]:
    """Request `url` `repeat` times (after one warm-up); return p50, p95 and the query count.

    `before` runs before each request, untimed.
    """
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    # Not CaptureQueriesContext: the request_started signal empties the connection's query log.
    client.get(url)  # type: ignore[attr-defined]  # A warm-up: the next request is counted.
    if before is not None:
        before()
    with connection.execute_wrapper(count):
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50": round(statistics.median(times), 1),
        "p95": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
        "queries": len(queries),
        "bytes": len(response.content),
    }


def one_backend(
    sizes: list[str], repeat: int, profile: bool, database_url: str
) -> dict[str, object]:
    """Fill a fresh database and time the grid pages (called in a fresh process)."""
    # The page cache would answer every request after the first: measure building the page.
    setup_django(database_url, ALLOWED_HOSTS="testserver", PAGE_CACHE_SECONDS="0")
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from packyard.grids.models import GridColumn

    call_command("migrate", verbosity=0)
    member = User.objects.create_user(
        "member", date_joined=timezone.now() - timezone.timedelta(days=365)
    )
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(member)

    results: dict[str, object] = {}
    for size in sizes:
        packages, features = (int(part) for part in size.split("x"))
        url = f"/grids/g/{build(packages, features)}/"
        if profile:
            import cProfile
            import pstats

            signed_in.get(url)
            profiler = cProfile.Profile()
            profiler.enable()
            signed_in.get(url)
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative")
            stats.print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
        results[size] = {
            "anonymous": measure(anonymous, url, repeat),
            "member": measure(signed_in, url, repeat),
            "making": measure(anonymous, url, repeat, before=GridColumn.objects.all().delete),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["105x10", "500x30"])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--backends", nargs="+", default=["sqlite"])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.one:
        print_result(
            one_backend(
                arguments.sizes, arguments.repeat, arguments.profile, arguments.database_url
            )
        )
        return

    extra = ["--profile"] if arguments.profile else []
    results = {
        backend: run_in_fresh_database(
            __file__,
            [
                "--one",
                backend,
                "--repeat",
                str(arguments.repeat),
                *extra,
                "--sizes",
                *arguments.sizes,
            ],
            postgres=backend != "sqlite",
            name="perfgrid_bench",
        )
        for backend in arguments.backends
    }

    print(f"\nGrid page, {arguments.repeat} requests each after one warm-up (milliseconds)")
    print(
        f"{'backend':<11} {'size':>8} {'viewer':>10} {'p50':>7} {'p95':>7} {'queries':>8} {'KB':>6}"
    )
    for backend, by_size in results.items():
        for size, by_viewer in by_size.items():
            for viewer, figures in by_viewer.items():
                print(
                    f"{backend:<11} {size:>8} {viewer:>10} {figures['p50']:>7} {figures['p95']:>7} "
                    f"{figures['queries']:>8} {figures['bytes'] // 1024:>6}"
                )


if __name__ == "__main__":
    main()
