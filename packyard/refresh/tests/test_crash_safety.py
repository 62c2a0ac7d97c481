"""`refresh --all` killed with SIGKILL halfway and run again ends as an uninterrupted run does.

Real processes on real SQLite files, against the fake GitHub and PyPI serving from this test's
process on 127.0.0.1 (each answer a little late, so the run can be caught in the middle). At the
moment of the kill, every package's facts are either all from its fetch or all as they were (a
fetch is applied whole or not at all); after the second run, every table equals the one an
uninterrupted run leaves, but for the columns holding the time of the run. Two runs of the same
packages at once leave what one run leaves.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from packyard.importer.tests.test_crash_safety import synthetic_dump
from tests.fakes import FakeGitHub, FakePyPI, make_commits, pypi_file, serve
from tests.processes import assert_same_contents, contents, count, finished, kill_when, manage

PACKAGES = 60
# Columns written with the time of the run (or derived from it), not with fetched data, and
# the ids of rows the run adds (numbered in the order fetches finish, which varies).
VOLATILE = {
    "catalog_package": {"last_fetched_at", "modified"},
    "catalog_release": {"id"},
    "refresh_fetchstate": {"id", "last_attempt_at", "last_success_at", "next_due_at"},
    "packyard_search_package_rank": {"quality"},
    "grids_gridpackage": {"created"},
    "importer_upstreamrecord": {"imported_at"},
    "importer_importrun": {"started_at", "finished_at"},
    "scoring_packagescore": {"computed_at"},
}
SKIPPED = {"core_dataversion"}
NOW = datetime.now(UTC).replace(microsecond=0)

pytestmark = [
    pytest.mark.attack,
    pytest.mark.skipif(
        "postgres" in os.environ.get("DATABASE_URL", ""), reason="runs on SQLite files of its own"
    ),
]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, list[tuple[str, str, str]]]:
    """A database of 60 imported packages never fetched, and their (slug, path, PyPI name)."""
    folder = tmp_path_factory.mktemp("refresh-crash")
    template = folder / "template.sqlite3"
    finished(manage(template, "migrate", "--no-input"))
    finished(manage(template, "import_v4", "--dump", str(synthetic_dump(folder, PACKAGES, 5))))
    with sqlite3.connect(template) as connection:
        rows = connection.execute(
            "SELECT slug, repo_url, pypi_name FROM catalog_package"
        ).fetchall()
    return template, [
        (slug, url.removeprefix("https://github.com/"), name) for slug, url, name in rows
    ]


@pytest.fixture
def upstreams(prepared):
    """The fake GitHub and PyPI holding every package, 20 ms late on every answer."""
    github, pypi = FakeGitHub(latency=0.02, rate_limit=1_000_000), FakePyPI(latency=0.02)
    for number, (_, path, name) in enumerate(prepared[1]):
        github.add(
            path,
            stars=100 + number,
            forks=number,
            description=f"Fetched description {number}",
            commits=make_commits(number % 9, now=NOW, authors=[("alice", "Alice")]),
        )
        pypi.add(
            name,
            version=f"1.{number}.0",
            releases={
                f"1.{number}.0": [pypi_file(NOW - timedelta(days=number + 1))],
                "0.9": [pypi_file(NOW - timedelta(days=400))],
            },
        )
    with serve(github) as served_github, serve(pypi) as served_pypi:
        yield {
            "GITHUB_API_URL": served_github.url,
            "PYPI_URL": served_pypi.url,
            "GITHUB_TOKEN": "",
            "REFRESH_IN_FLIGHT_PER_HOST": "2",
        }


def half_applied(database: Path, packages: list[tuple[str, str, str]]) -> list[str]:
    """Packages whose stored facts mix one fetch with what was there before it.

    A repository fetch brings stars 100 + n and "Fetched description n" together with its "ok"
    state; a PyPI fetch brings version 1.n.0 and two releases together with its "ok" state.
    """
    with sqlite3.connect(database) as connection:
        rows = {
            row[0]: row[1:]
            for row in connection.execute(
                """
                SELECT p.slug, p.stars, p.description, p.pypi_version,
                       (SELECT count(*) FROM catalog_release r WHERE r.package_id = p.id),
                       (SELECT group_concat(s.source) FROM refresh_fetchstate s
                        WHERE s.package_id = p.id AND s.status = 'ok')
                FROM catalog_package p
                """
            )
        }
    mixed = []
    for number, (slug, _, _) in enumerate(packages):
        stars, description, version, releases, ok = rows[slug]
        ok = (ok or "").split(",")
        repository = {stars == 100 + number, description == f"Fetched description {number}"}
        pypi = {version == f"1.{number}.0", releases == 2}
        if repository != {"repository" in ok} or pypi != {"pypi" in ok}:
            mixed.append(slug)
    return mixed


def test_a_refresh_killed_halfway_and_run_again_equals_an_uninterrupted_one(
    prepared, upstreams, tmp_path
):
    template, packages = prepared
    whole, crashed = tmp_path / "whole.sqlite3", tmp_path / "crashed.sqlite3"
    shutil.copy(template, whole)
    shutil.copy(template, crashed)
    finished(manage(whole, "refresh", "--all", env=upstreams))

    process = manage(crashed, "refresh", "--all", env=upstreams)
    fetched = "SELECT count(*) FROM refresh_fetchstate WHERE status = 'ok'"
    kill_when(process, lambda: count(crashed, fetched) >= PACKAGES // 2)
    halfway = count(crashed, fetched)
    mixed = half_applied(crashed, packages)
    finished(manage(crashed, "refresh", "--all", env=upstreams))

    assert PACKAGES // 2 <= halfway < 2 * PACKAGES
    assert mixed == []
    assert half_applied(crashed, packages) == []
    assert_same_contents(
        contents(whole, volatile=VOLATILE, skipped=SKIPPED),
        contents(crashed, volatile=VOLATILE, skipped=SKIPPED),
    )


def test_two_refreshes_of_the_same_packages_at_once_write_each_fact_once(
    prepared, upstreams, tmp_path
):
    """Two `refresh` processes of the same ten packages at the same moment (a button pressed
    while the scheduler runs) leave what one run leaves: no release twice, no error."""
    template, packages = prepared
    slugs = [slug for slug, _, _ in packages[:10]]
    once, twice = tmp_path / "once.sqlite3", tmp_path / "twice.sqlite3"
    shutil.copy(template, once)
    shutil.copy(template, twice)
    finished(manage(once, "refresh", *slugs, env=upstreams))

    first = manage(twice, "refresh", *slugs, env=upstreams)
    second = manage(twice, "refresh", *slugs, env=upstreams)
    finished(first)
    finished(second)

    assert half_applied(twice, packages[:10]) == []
    assert count(twice, "SELECT count(*) FROM catalog_release") == 20
    expected = contents(once, volatile=VOLATILE, skipped=SKIPPED)
    got = contents(twice, volatile=VOLATILE, skipped=SKIPPED)
    assert_same_contents(expected, got)
