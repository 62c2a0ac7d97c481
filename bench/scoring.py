"""Benchmark of what is derived from the facts: compatibility answers and scores.

Not a test. N synthetic packages, each with one release whose classifiers name three Django
and three Python releases, get their answers for every release cycle from nothing
(`compatibility_recompute`, as after an import), then again with nothing changed (as each
night); then their scores (`scores_recompute_all`, as `recompute_scores --all`), from nothing
and again. Last, the answers from nothing once more without the search index's triggers on
them (the support tokens of `/search/?django=`), to show what those triggers cost.

    .venv/bin/python bench/scoring.py                    # 5,000 packages, both databases
    .venv/bin/python bench/scoring.py --packages 500 --backends sqlite

Each backend runs in a process of its own with a fresh database (a temporary SQLite file, a new
PostgreSQL database on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # The project, and the runner beside this file.

from databases import print_result, run_in_fresh_database, setup_django  # noqa: E402

CLASSIFIERS = [
    "Framework :: Django :: 4.2",
    "Framework :: Django :: 5.2",
    "Framework :: Django :: 6.0",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Programming Language :: Python :: 3.14",
]


def one_backend(count: int, database_url: str) -> dict[str, float | int]:
    """Fill a fresh database and time the computations (called in a fresh process)."""
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from packyard.catalog.models import Category, Package, Release
    from packyard.compatibility.models import PackageCompatibility
    from packyard.compatibility.services import compatibility_recompute
    from packyard.core.repositories import RepositoryHost
    from packyard.scoring.services import scores_recompute_all
    from packyard.search import schema

    call_command("migrate", verbosity=0)
    category = Category.objects.create(title="App", slug="apps", title_plural="Apps")
    Package.objects.bulk_create(
        (
            Package(
                title=f"package-{number}",
                slug=f"package-{number}",
                category=category,
                repo_url=f"https://github.com/owner/package-{number}",
                repo_host=RepositoryHost.GITHUB,
                repo_key=f"github.com/owner/package-{number}",
                pypi_name=f"package-{number}",
            )
            for number in range(count)
        ),
        batch_size=1000,
    )
    Release.objects.bulk_create(
        (
            Release(
                package_id=package_id,
                version="1.0",
                upload_time=timezone.now(),
                classifiers=CLASSIFIERS,
                requires_python=">=3.12",
            )
            for package_id in Package.objects.values_list("pk", flat=True)
        ),
        batch_size=1000,
    )

    def timed(label: str, work: Callable[..., object]) -> float:
        with tqdm(total=count, desc=label, unit="package") as bar:
            started = time.perf_counter()
            with transaction.atomic():
                work(on_batch=bar.update)
            return round(time.perf_counter() - started, 2)

    first = timed("Answers from nothing", compatibility_recompute)
    again = timed("Answers, nothing changed", compatibility_recompute)
    scores = timed("Scores from nothing", scores_recompute_all)
    scores_again = timed("Scores, nothing changed", scores_recompute_all)
    yes = PackageCompatibility.objects.filter(answer="yes").count()
    PackageCompatibility.objects.all().delete()
    with connection.cursor() as cursor:
        for name, table in [
            (name, schema.ANSWER_TABLE)
            for name in schema.expected_trigger_names(connection)
            if name.startswith("packyard_search_support_")
        ]:
            on = "" if connection.vendor == "sqlite" else f" ON {table}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
    bare = timed("Answers from nothing, no search triggers", compatibility_recompute)
    return {
        "packages": count,
        "yes": yes,
        "first": first,
        "again": again,
        "bare": bare,
        "scores": scores,
        "scores_again": scores_again,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=5000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.one:
        print_result(one_backend(arguments.packages, arguments.database_url))
        return

    results = {
        backend: run_in_fresh_database(
            __file__,
            ["--one", backend, "--packages", str(arguments.packages)],
            postgres=backend != "sqlite",
            name=f"packyard_scoring_bench_{arguments.packages}",
        )
        for backend in arguments.backends
    }

    print(f"\nAnswers and scores: {arguments.packages:,} packages (seconds)")
    print(
        f"{'backend':<11} {'yes answers':>11} {'answers':>8} {'unchanged':>10} "
        f"{'no search triggers':>19} {'scores':>7} {'unchanged':>10}"
    )
    for backend, result in results.items():
        print(
            f"{backend:<11} {result['yes']:>11,} {result['first']:>8} {result['again']:>10} "
            f"{result['bare']:>19} {result['scores']:>7} {result['scores_again']:>10}"
        )


if __name__ == "__main__":
    main()
