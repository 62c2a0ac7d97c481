"""Benchmark of search speed: 50,000 synthetic packages, 200 queries, on SQLite and PostgreSQL.

Not a test. The packages come from bench/synth_v4_records.py (djangopackages.org's
v4 record shape, words from a list of ~150 package-ish words), with 2,000 grids whose titles are
made of the same words; they are written with bulk inserts, so the index is filled by the same
triggers as every other write. The 200 queries are of the kinds people type: 50 exact names,
50 misspellings (of names and of words), 50 prefixes ("djang", "permis") and 50 needs in words
("cache auth", "s3 storage upload").

    .venv/bin/python bench/search_speed.py                    # SQLite and PostgreSQL
    .venv/bin/python bench/search_speed.py --packages 5000    # a quick run
    .venv/bin/python bench/search_speed.py --backends sqlite

Each backend runs in a process of its own with a fresh database (a temporary SQLite file, a new
PostgreSQL database on 127.0.0.1). Every query runs once to warm caches, then once timed through:

- `search`: `packages_search`, the ranked first page (20) with its total: what the live
  suggestions, API v4 and the JSON API call;
- `page`: `search_page`, everything the results page shows: 25 packages, the total, the grids
  and the facets (the "Works with Django/Python" counts included);
- `filter`: the same page filtered to packages that work with Django 6.0 (`&django=6.0`).

Every package gets a compatibility answer for each release cycle, as `compatibility_recompute`
stores them (a fixed pseudo-random mix: 40 % yes, 10 % no, 50 % unknown).

Prints p50, p95 and the slowest query per kind and backend. Target (issue 5): p95 of `search` at
most 30 ms on both.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # The project, and the runner beside this file.

from databases import print_result, run_in_fresh_database, setup_django  # noqa: E402

SYNTH = ROOT / "bench" / "synth_v4_records.py"
GRIDS = 2000
QUERIES_PER_KIND = 50
NEEDS = [
    "cache",
    "auth",
    "rest api",
    "task queue",
    "s3 storage",
    "image thumbnail",
    "pdf export",
    "permission role",
    "payment stripe",
    "email queue",
    "search filter",
    "admin theme",
    "markdown editor",
    "oauth login",
    "two factor",
    "rate limit",
    "csv import",
    "geo map",
    "websocket channel",
    "celery cron",
    "audit history log",
    "tenant schema",
    "graphql api",
    "sitemap seo",
    "file upload storage",
    "calendar event schedule",
    "jwt token auth",
    "password reset",
    "translation i18n",
    "chart dashboard report",
]


def synthetic_records(count: int, folder: Path) -> Path:
    """Write (once) `count` synthetic v4 package records and return their file."""
    path = folder / f"synthetic-{count}.jsonl"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(SYNTH), str(count), str(GRIDS), str(path), "7"], check=True
        )
    return path


def populate(records_path: Path) -> list[dict]:
    """Create categories, grids and packages with bulk inserts; return the records."""
    from datetime import datetime

    from tqdm import tqdm

    from packyard.catalog.models import Category, Package
    from packyard.core.repositories import RepositoryHost
    from packyard.grids.models import Grid, GridPackage

    rnd = random.Random(11)
    words = _words()
    categories = {
        1: ("App", "apps"),
        2: ("Framework", "frameworks"),
        3: ("Project", "projects"),
        4: ("Other", "other"),
    }
    for number, (title, slug) in categories.items():
        Category.objects.create(id=number, title=title, slug=slug, title_plural=title + "s")
    grids = []
    for number in range(1, GRIDS + 1):
        first, second = rnd.sample(words, 2)
        grids.append(
            Grid(
                id=number,
                title=f"{first.capitalize()} and {second} {number}",
                slug=f"grid-{number}",
                description=f"Packages for {first} and {second}.",
            )
        )
    Grid.objects.bulk_create(grids, batch_size=1000)
    records = [json.loads(line) for line in records_path.read_text().splitlines()]
    batch: list[Package] = []
    memberships: list[GridPackage] = []
    for record in tqdm(records, desc="Inserting packages", unit="package"):
        last = record["last_updated"]
        batch.append(
            Package(
                id=record["id"],
                title=record["title"],
                slug=record["slug"],
                category_id=int(record["category"].rstrip("/").rsplit("/", 1)[1]),
                repo_url=record["repo_url"],
                repo_host=RepositoryHost.GITHUB,
                repo_key=record["repo_url"].removeprefix("https://").lower(),
                pypi_name=record["slug"],
                description=record["repo_description"],
                stars=record["repo_watchers"],
                forks=record["repo_forks"],
                contributors=record["participants"],
                last_commit_at=datetime.fromisoformat(last) if last else None,
            )
        )
        memberships.extend(
            GridPackage(grid_id=int(grid.rstrip("/").rsplit("/", 1)[1]), package_id=record["id"])
            for grid in record["grids"]
        )
        if len(batch) == 1000:
            Package.objects.bulk_create(batch)
            batch = []
    Package.objects.bulk_create(batch)
    for start in tqdm(range(0, len(memberships), 1000), desc="Inserting grid memberships"):
        GridPackage.objects.bulk_create(memberships[start : start + 1000])
    _answer_every_cycle()
    return records


def _answer_every_cycle() -> None:
    """Store an answer for every package and release cycle (40 % yes, 10 % no, 50 % unknown).

    Without the search triggers (SQLite's run once per row): `rebuild_search`, which runs next,
    puts them back and indexes every package's support tokens.
    """
    from django.db import connection

    from packyard.compatibility.models import PackageCompatibility
    from packyard.search import schema

    schema.uninstall_triggers(connection)

    mix = "((p.id * 7 + c.id * 13) % 10)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PackageCompatibility._meta.db_table} "
            "(package_id, cycle_id, answer, basis, evidence, release_version, computed_at) "
            f"SELECT p.id, c.id, CASE WHEN {mix} < 4 THEN 'yes' WHEN {mix} < 5 THEN 'no' "
            "ELSE 'unknown' END, 'classifier', 'Synthetic.', '1.0', CURRENT_TIMESTAMP "
            "FROM catalog_package p CROSS JOIN compatibility_releasecycle c"
        )


def _words() -> list[str]:
    text = SYNTH.read_text()
    start = text.index("WORDS = (") + len("WORDS = (")
    return " ".join(
        part.strip().strip('"') for part in text[start : text.index(").split()", start)].split("\n")
    ).split()


def _misspell(word: str, rnd: random.Random) -> str:
    """Return the word with one slip: a swap, a dropped letter, a doubled one or a wrong one."""
    if len(word) < 4:
        return word
    position = rnd.randrange(1, len(word) - 1)
    kind = rnd.choice(("swap", "drop", "double", "wrong"))
    if kind == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "double":
        return word[:position] + word[position] + word[position:]
    return word[:position] + rnd.choice("aeiourst") + word[position + 1 :]


def queries(records: list[dict], seed: int = 5) -> list[tuple[str, str]]:
    """Return 200 (kind, query) pairs: exact names, misspellings, prefixes, needs."""
    rnd = random.Random(seed)
    words = _words()
    chosen = rnd.sample(records, QUERIES_PER_KIND * 2)
    result = [("exact name", record["title"]) for record in chosen[:QUERIES_PER_KIND]]
    for index, record in enumerate(chosen[QUERIES_PER_KIND:]):
        parts = record["title"].split("-")
        if index % 2:
            # A misspelt name: "djnago-cahce-auth" (the number left out, as people would).
            named = [part for part in parts if not part.isdigit()]
            typo = rnd.randrange(len(named))
            named[typo] = _misspell(named[typo], rnd)
            result.append(("misspelling", "-".join(named)))
        else:
            result.append(("misspelling", _misspell(rnd.choice(words), rnd)))
    prefixes = ["djang", "dja"] + [
        word[: rnd.randint(3, max(3, len(word) - 1))] for word in rnd.sample(words, 48)
    ]
    result += [("prefix", prefix) for prefix in prefixes]
    result += [("need", NEEDS[index % len(NEEDS)]) for index in range(QUERIES_PER_KIND)]
    return result


def one_backend(count: int, database_url: str, folder: str) -> dict[str, object]:
    """Fill a fresh database and time the queries (called in a fresh process)."""
    setup_django(database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from tqdm import tqdm

    from packyard.search.selectors import SearchFilters, packages_search, search_page

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    records = populate(synthetic_records(count, Path(folder)))
    fill_seconds = time.perf_counter() - started
    started = time.perf_counter()
    call_command("rebuild_search", verbosity=0)
    rebuild_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # Planner statistics for the catalogue tables, as autovacuum keeps them on a live site.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    work = queries(records)
    django_6 = SearchFilters(django="6.0")
    for _kind, text in tqdm(work, desc="Warming up", unit="query"):
        packages_search(text=text, limit=20)
        search_page(text=text, page=1, per_page=settings.PAGE_SIZE, filters=django_6)
    timings: dict[str, dict[str, list[float]]] = {"search": {}, "page": {}, "filter": {}}
    slowest: dict[str, tuple[float, str]] = {}
    for kind, text in tqdm(work, desc="Timing", unit="query"):
        started = time.perf_counter()
        packages_search(text=text, limit=20)
        elapsed = (time.perf_counter() - started) * 1000
        timings["search"].setdefault(kind, []).append(elapsed)
        slowest[kind] = max(slowest.get(kind, (0.0, "")), (elapsed, text))
        started = time.perf_counter()
        search_page(text=text, page=1, per_page=settings.PAGE_SIZE, filters=SearchFilters())
        timings["page"].setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        search_page(text=text, page=1, per_page=settings.PAGE_SIZE, filters=django_6)
        timings["filter"].setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    return {
        "packages": count,
        "fill_seconds": round(fill_seconds, 1),
        "rebuild_seconds": round(rebuild_seconds, 1),
        "timings": timings,
        "slowest": slowest,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=50_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.one:
        print_result(one_backend(arguments.packages, arguments.database_url, arguments.folder))
        return

    folder = tempfile.mkdtemp(prefix="packyard-search-records-")
    results = {
        backend: run_in_fresh_database(
            __file__,
            ["--one", backend, "--packages", str(arguments.packages), "--folder", folder],
            postgres=backend != "sqlite",
            name=f"packyard_search_bench_{arguments.packages}",
        )
        for backend in arguments.backends
    }

    print(
        f"\nSearch speed: {arguments.packages:,} synthetic packages, {GRIDS:,} grids, "
        f"{QUERIES_PER_KIND * 4} queries, {os.cpu_count()} cores (milliseconds)"
    )
    print(f"{'backend':<11} {'call':<7} {'kind':<12} {'p50':>7} {'p95':>7} {'max':>7}")
    for backend, result in results.items():
        for call, by_kind in result["timings"].items():
            everything = [value for values in by_kind.values() for value in values]
            for kind, values in [*by_kind.items(), ("all 200", everything)]:
                print(
                    f"{backend:<11} {call:<7} {kind:<12} {statistics.median(values):>7.1f} "
                    f"{percentile(values, 0.95):>7.1f} {max(values):>7.1f}"
                )
        print(
            f"{backend:<11} filling {result['fill_seconds']} s (triggers indexing every insert), "
            f"rebuild_search {result['rebuild_seconds']} s; slowest search per kind: "
            + "; ".join(
                f"{kind} {ms:.0f} ms {text!r}" for kind, (ms, text) in result["slowest"].items()
            )
        )


if __name__ == "__main__":
    main()
