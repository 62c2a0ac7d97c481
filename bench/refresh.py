"""Benchmark of the refresh: N synthetic packages fetched from local fake upstreams, twice.

Not a test. Every upstream (GitHub, GitLab, Bitbucket, Codeberg, PyPI) is a local fake that
answers in the real API's shapes after an added latency (50 ms by default), with GitHub-like
rate headers; the fakes count every request and every rate unit (a 304 costs none, a GraphQL
query its cost). The first run is cold, the second warm (ETags, so GitHub answers 304).

    .venv/bin/python bench/refresh.py                  # 1,000 and 5,000 packages on SQLite
    .venv/bin/python bench/refresh.py --packages 200   # a quick run
    .venv/bin/python bench/refresh.py --postgres       # on a fresh PostgreSQL database

Each size runs in a process of its own with a fresh database. Prints, per size and run: wall
time, upstream requests per package, GitHub rate units per package, and peak memory (resident
set size of the process, fakes included). Targets (issue 4): 5,000 packages in under 5 minutes;
a warm run costs at most 0.2 GitHub rate units per package.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # The project, and the runner beside this file.

from databases import print_result, run_in_fresh_database, setup_django  # noqa: E402

HOST_SHARES = {"github": 0.85, "gitlab": 0.05, "bitbucket": 0.05, "forgejo": 0.05}


def start_fakes(latency: float):
    """Start one fake per upstream, each on its own local server."""
    from tests.fakes import (
        FakeBitbucket,
        FakeForgejo,
        FakeGitHub,
        FakeGitLab,
        FakePyPI,
        serve,
    )

    # A rate limit far above the run's needs: the benchmark measures units, not waits.
    fakes = {
        "github": FakeGitHub(latency=latency, rate_limit=10_000_000),
        "gitlab": FakeGitLab(latency=latency),
        "bitbucket": FakeBitbucket(latency=latency),
        "forgejo": FakeForgejo(latency=latency),
        "pypi": FakePyPI(latency=latency),
    }
    return fakes, {name: serve(fake) for name, fake in fakes.items()}


def sites(served) -> dict[str, str]:
    """Return the web address repositories on each host have."""
    return {
        "github": "https://github.com",
        "gitlab": served["gitlab"].url.removesuffix("/api/v4"),
        "bitbucket": "https://bitbucket.org",
        "forgejo": served["forgejo"].url.removesuffix("/api/v1"),
    }


def populate(count: int, fakes, served, seed: int = 7) -> None:
    """Create `count` packages, their repositories on the fakes and their PyPI projects."""
    from tqdm import tqdm

    from packyard.catalog.models import Category, Package
    from packyard.core.repositories import parse_repository_url
    from tests.fakes import make_commits

    rnd = random.Random(seed)
    category, _ = Category.objects.get_or_create(slug="apps", defaults={"title": "App"})
    now = datetime.now(UTC)
    site = sites(served)
    rows = []
    for number in tqdm(range(count), desc=f"Creating {count} packages", unit="package"):
        host = rnd.choices(list(HOST_SHARES), list(HOST_SHARES.values()))[0]
        slug = f"synthetic-django-{number}"
        owner = f"group/sub{number % 7}" if host == "gitlab" else f"owner{number % 997}"
        commits = make_commits(
            rnd.randint(0, 40),
            now=now,
            every=timedelta(days=rnd.randint(1, 20)),
            authors=[("alice", "Alice"), ("bob", "Bob"), ("dependabot[bot]", "dependabot")],
        )
        fakes[host].add(
            f"{owner}/{slug}",
            stars=rnd.randint(0, 5000),
            forks=rnd.randint(0, 300),
            description=f"Synthetic package {number}",
            commits=commits,
        )
        fakes["pypi"].add(slug, version=f"1.{rnd.randint(0, 20)}.0")
        repository = parse_repository_url(f"{site[host]}/{owner}/{slug}")
        rows.append(
            Package(
                title=slug,
                slug=slug,
                category=category,
                repo_url=repository.url,
                repo_host=repository.host,
                repo_key=repository.key,
                pypi_name=slug,
            )
        )
    Package.objects.bulk_create(rows, batch_size=1000)


def refresh_all(label: str, fakes) -> dict[str, float]:
    """Refresh every package once; return the figures of the run."""
    from tqdm import tqdm

    from packyard.catalog.models import Package
    from packyard.refresh.models import Source
    from packyard.refresh.runner import packages_refresh, planned_fetches

    packages = list(Package.objects.order_by("id"))
    requests_before = {name: len(fake.seen) for name, fake in fakes.items()}
    units_before = fakes["github"].units_used
    started = time.perf_counter()
    with tqdm(total=planned_fetches(packages, list(Source)), desc=label, unit="fetch") as bar:
        summary = packages_refresh(packages=packages, on_change=lambda change: bar.update())
    wall = time.perf_counter() - started
    requests = sum(len(fake.seen) - requests_before[name] for name, fake in fakes.items())
    on_github = sum(1 for package in packages if package.repo_host == "github")
    return {
        "wall_seconds": round(wall, 1),
        "requests_per_package": round(requests / len(packages), 2),
        "github_units_per_package": round(
            (fakes["github"].units_used - units_before) / on_github, 3
        ),
        "failed": summary.failed,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def one_size(count: int, latency: float, database_url: str) -> dict[str, object]:
    """Run the benchmark for one size in this process (called in a fresh process)."""
    fakes, served = start_fakes(latency)
    setup_django(
        database_url,
        GITHUB_API_URL=served["github"].url,
        GITHUB_TOKEN="benchmark-token",  # noqa: S106 - the local fake GitHub takes any token
        GITLAB_URL=sites(served)["gitlab"],
        BITBUCKET_API_URL=served["bitbucket"].url,
        FORGEJO_HOSTS=sites(served)["forgejo"],
        PYPI_URL=served["pypi"].url,
    )
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    populate(count, fakes, served)
    cold = refresh_all(f"{count} packages, cold", fakes)
    warm = refresh_all(f"{count} packages, warm", fakes)
    for server in served.values():
        server.close()
    return {"packages": count, "cold": cold, "warm": warm}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--packages", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--latency", type=float, default=0.05, help="Seconds added per answer.")
    parser.add_argument("--postgres", action="store_true", help="Use PostgreSQL on 127.0.0.1.")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.one:
        print_result(one_size(arguments.one, arguments.latency, arguments.database_url))
        return

    results = [
        run_in_fresh_database(
            __file__,
            ["--one", str(count), "--latency", str(arguments.latency)],
            postgres=arguments.postgres,
            name=f"packyard_bench_refresh_{count}",
        )
        for count in arguments.packages
    ]

    database = "PostgreSQL" if arguments.postgres else "SQLite"
    print(
        f"\nRefresh benchmark: fake upstreams with {arguments.latency * 1000:.0f} ms latency, "
        f"{database}, {os.cpu_count()} cores"
    )
    print(
        f"{'packages':>8} {'run':>5} {'wall s':>8} {'req/pkg':>8} {'GitHub units/pkg':>17} "
        f"{'failed':>7} {'peak RSS MB':>12}"
    )
    for result in results:
        for run in ("cold", "warm"):
            row = result[run]
            print(
                f"{result['packages']:>8} {run:>5} {row['wall_seconds']:>8} "
                f"{row['requests_per_package']:>8} {row['github_units_per_package']:>17} "
                f"{row['failed']:>7} {row['peak_rss_mb']:>12}"
            )


if __name__ == "__main__":
    main()
