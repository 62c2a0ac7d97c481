"""Fetch and apply through `packages_refresh` against every upstream as a real local server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from packyard.catalog.models import Package, Release
from packyard.refresh.models import FetchState, FetchStatus, Source
from packyard.refresh.runner import packages_refresh
from packyard.refresh.selectors import packages_due
from packyard.refresh.services import (
    FIRST_RETRY,
    MISSING_RECHECK,
    NOT_ON_PYPI_RECHECK,
    PENDING_RECHECK,
    refresh_interval,
)
from packyard.sources import registry
from packyard.sources.parsing import weekly_counts
from tests.factories import FetchedPackageFactory, PackageFactory
from tests.fakes import make_commits, pypi_file

from .conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

# Authors in turn: alice twice as often as bob and the bot.
AUTHORS = [
    ("alice", "Alice Smith"),
    ("alice", "Alice Smith"),
    ("bob", "Bob Jones"),
    ("dependabot[bot]", "dependabot[bot]"),
]
# Every host but GitLab names contributors by login, most commits first.
LOGINS = ["alice", "bob", "dependabot[bot]"]
# Each kind of fetch: the host, the repository path and the request a fault is put on.
FORGES = {
    "github": ("github", "owner/django-fetch", r"/graphql$"),
    "github-rest": ("github", "owner/django-fetch", r"^/repos/owner/django-fetch$"),
    "gitlab": ("gitlab", "group/sub/django-fetch", r"/projects/group/sub/django-fetch$"),
    "bitbucket": ("bitbucket", "owner/django-fetch", r"/repositories/owner/django-fetch$"),
    "forgejo": ("forgejo", "owner/django-fetch", r"/repos/owner/django-fetch$"),
}
PYPI_PATTERN = r"/pypi/django-fetch/json$"
FACT_FIELDS = [
    "title",
    "repo_url",
    "repo_key",
    "stars",
    "forks",
    "description",
    "contributors",
    "commits_over_52",
    "total_commits",
    "last_commit_at",
    "archived_at",
    "last_fetched_at",
    "repo_missing_since",
    "pypi_url",
    "pypi_version",
    "latest_release_at",
    "pypi_summary",
    "requires_dist",
    "changelog_url",
    "documentation_url",
    "vulnerabilities",
    "modified",
]


def facts_of(package):
    """Return every fact stored about a package, its releases included."""
    package.refresh_from_db()
    facts = {name: getattr(package, name) for name in FACT_FIELDS}
    facts["releases"] = list(
        package.releases.order_by("version").values_list(
            "version", "upload_time", "yanked", "yanked_reason", "license", "requires_python"
        )
    )
    return facts


def state_of(package, source=Source.REPOSITORY):
    return FetchState.objects.get(package=package, source=source)


def refresh(*packages, **options):
    return packages_refresh(packages=list(packages), **options)


def listed(client, package):
    """Return whether the package is on the package list and its page answers."""
    listing = client.get("/packages/")
    page = client.get(package.get_absolute_url())
    return package.title in listing.text and page.status_code == 200


def use_forge(kind, settings):
    """Return (kind, host, path, fault pattern) of a kind of fetch, with GraphQL on or off."""
    settings.GITHUB_GRAPHQL = kind != "github-rest"
    return (kind, *FORGES[kind])


def add_repository(upstreams, host, path, **fields):
    values = {
        "stars": 321,
        "forks": 23,
        "description": "Fetches things.",
        "commits": make_commits(250, now=NOW, authors=AUTHORS),
    }
    values.update(fields)
    return upstreams.forge(host).add(path, **values)


def fetched_package(upstreams, forge, **fields):
    """Add a repository and its package, and fetch it once."""
    _, host, path, _ = forge
    add_repository(upstreams, host, path, **fields)
    package = upstreams.package(host, path)
    summary = refresh(package)
    assert summary.failed == 0, summary.changes
    return package


# --- Facts equal what each host holds ------------------------------------------------------


def test_github_facts_equal_the_fake(upstreams, settings):
    """GraphQL and REST both store stars, forks, 52 weeks, contributors, commits, last commit."""
    commits = make_commits(250, now=NOW, authors=AUTHORS)
    upstreams.github.add(
        "owner/django-graph", stars=321, forks=12, description="Graphs.", commits=commits
    )
    upstreams.github.add(
        "owner/django-rest", stars=45, forks=6, description="Rests.", commits=commits[:30]
    )
    graph = upstreams.package("github", "owner/django-graph")
    rest = upstreams.package("github", "owner/django-rest")

    refresh(graph)
    settings.GITHUB_GRAPHQL = False
    refresh(rest)

    graph.refresh_from_db()
    rest.refresh_from_db()
    assert (graph.stars, graph.forks, graph.description) == (321, 12, "Graphs.")
    assert (rest.stars, rest.forks, rest.description) == (45, 6, "Rests.")
    assert graph.commits_over_52 == list(weekly_counts([c.date for c in commits], now=NOW))
    assert rest.commits_over_52 == list(weekly_counts([c.date for c in commits[:30]], now=NOW))
    assert len(graph.commits_over_52) == 52
    assert graph.contributors == rest.contributors == LOGINS
    assert (graph.total_commits, rest.total_commits) == (250, 30)
    assert graph.last_commit_at == rest.last_commit_at == NOW - timedelta(hours=1)
    assert graph.archived_at is rest.archived_at is None
    assert upstreams.github.requests_to("/graphql")
    assert not upstreams.github.requests_to("^/repos/owner/django-graph$")
    assert upstreams.github.requests_to("^/repos/owner/django-rest$")
    assert state_of(graph).status == state_of(rest).status == FetchStatus.OK


def test_gitlab_facts_with_nested_groups_and_every_page(upstreams):
    """A project in nested groups: counts, 52 weeks, total, and contributors from every page."""
    people = [(None, f"Person {index:03d}") for index in range(130)] + [(None, "Renovate Bot")]
    commits = make_commits(250, now=NOW, authors=people)
    upstreams.gitlab.add(
        "group/sub/django-lab", stars=77, forks=8, description="Labs.", commits=commits
    )
    package = upstreams.package("gitlab", "group/sub/django-lab")

    refresh(package)

    package.refresh_from_db()
    assert package.repo_key == f"{upstreams.gitlab_site}/group/sub/django-lab".removeprefix(
        "http://"
    )
    assert (package.stars, package.forks, package.description) == (77, 8, "Labs.")
    assert package.commits_over_52 == list(weekly_counts([c.date for c in commits], now=NOW))
    assert package.total_commits == 250
    assert package.last_commit_at == NOW - timedelta(hours=1)
    assert sorted(package.contributors) == sorted(name for _, name in people)
    assert len(upstreams.gitlab.requests_to("/repository/contributors")) == 2


def test_bitbucket_counts_come_from_size_fields_without_walking_history(upstreams):
    """Stars and forks are the `size` of their lists; commits are walked back a year only."""
    commits = make_commits(250, now=NOW, authors=AUTHORS)
    upstreams.bitbucket.add("owner/django-bucket", stars=57, forks=23, commits=commits)
    package = upstreams.package("bitbucket", "owner/django-bucket")

    refresh(package)

    package.refresh_from_db()
    assert (package.stars, package.forks) == (57, 23)
    assert package.commits_over_52 == list(weekly_counts([c.date for c in commits], now=NOW))
    assert package.contributors == LOGINS
    assert package.last_commit_at == NOW - timedelta(hours=1)
    assert package.total_commits is None
    # 250 commits, 100 a page: the walk stops on page 2, inside which the year starts.
    assert len(upstreams.bitbucket.requests_to("/commits/")) == 2


def test_forgejo_stars_are_stars_not_watchers(upstreams):
    """A Forgejo host's stars are `stars_count`, never `watchers_count`."""
    commits = make_commits(250, now=NOW, authors=AUTHORS)
    upstreams.forgejo.add("owner/django-forge", stars=31, watchers=999, forks=4, commits=commits)
    package = upstreams.package("forgejo", "owner/django-forge")

    refresh(package)

    package.refresh_from_db()
    assert (package.stars, package.forks) == (31, 4)
    assert package.commits_over_52 == list(weekly_counts([c.date for c in commits], now=NOW))
    assert package.contributors == LOGINS
    assert package.total_commits == 250
    assert package.last_commit_at == NOW - timedelta(hours=1)


def test_pypi_releases_and_facts_equal_the_fake(upstreams, settings):
    """Every release with its UTC upload time, yanked and pre-release marks; the latest final."""
    settings.TIME_ZONE = "America/New_York"  # Upload times must not shift with the zone.
    berlin = datetime(2025, 6, 1, 14, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    upstreams.pypi.add(
        "django-fetch",
        version="2.0",
        releases={
            "1.0": [
                pypi_file(berlin + timedelta(hours=2), filename="a-1.0-py3-none-any.whl"),
                pypi_file(berlin, filename="a-1.0.tar.gz"),
            ],
            "1.1": [pypi_file(NOW - timedelta(days=90), yanked=True, yanked_reason="Broken")],
            "2.0rc1": [pypi_file(NOW - timedelta(days=40))],
            "2.0": [pypi_file(NOW - timedelta(days=30))],
            "3.0a1": [pypi_file(NOW - timedelta(days=2))],
            "0.1": [],
        },
        license_expression="MIT",
        license="BSD",
        classifiers=["License :: OSI Approved :: Apache Software License"],
        requires_python=">=3.12",
        requires_dist=["Django>=5.2"],
        project_urls={
            "Documentation": "https://docs.example/",
            "Changelog": "https://example.org/changes/",
        },
        vulnerabilities=[
            {
                "id": "PYSEC-1",
                "aliases": ["CVE-1"],
                "summary": "Bad.",
                "link": "https://osv.dev/PYSEC-1",
                "fixed_in": ["2.0"],
            }
        ],
    )
    upstreams.github.add("owner/django-fetch", commits=make_commits(3, now=NOW))
    package = upstreams.package("github", "owner/django-fetch", pypi_name="django-fetch")

    refresh(package)

    package.refresh_from_db()
    releases = {release.version: release for release in package.releases.all()}
    assert set(releases) == {"0.1", "1.0", "1.1", "2.0rc1", "2.0", "3.0a1"}
    assert releases["1.0"].upload_time == datetime(2025, 6, 1, 14, 30, tzinfo=UTC)
    assert releases["0.1"].upload_time is None
    assert (releases["1.1"].yanked, releases["1.1"].yanked_reason) == (True, "Broken")
    prereleases = {version for version, release in releases.items() if release.is_prerelease}
    assert prereleases == {"2.0rc1", "3.0a1"}
    assert releases["2.0"].license == "MIT"
    assert releases["2.0"].requires_python == ">=3.12"
    assert package.pypi_version == "2.0"
    assert package.latest_release_at == NOW - timedelta(days=30)
    assert package.requires_dist == ["Django>=5.2"]
    assert package.documentation_url == "https://docs.example/"
    assert package.changelog_url == "https://example.org/changes/"
    assert [v["id"] for v in package.vulnerabilities] == ["PYSEC-1"]
    assert state_of(package, Source.PYPI).status == FetchStatus.OK


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (
            {
                "license_expression": "MIT",
                "license": "BSD",
                "classifiers": ["License :: OSI Approved :: Apache Software License"],
            },
            "MIT",
        ),
        (
            {
                "license": "BSD-3-Clause",
                "classifiers": ["License :: OSI Approved :: Apache Software License"],
            },
            "BSD-3-Clause",
        ),
        (
            {"license": "UNKNOWN", "classifiers": ["License :: OSI Approved :: MIT License"]},
            "MIT License",
        ),
    ],
    ids=["expression", "license", "classifiers"],
)
def test_pypi_licence_precedence(upstreams, info, expected):
    """The licence is the expression, else the licence field, else the classifiers."""
    upstreams.pypi.add("django-fetch", version="1.0", **info)
    package = upstreams.package("github", "owner/django-fetch", pypi_name="django-fetch")

    refresh(package, sources=[Source.PYPI])

    assert package.releases.get(version="1.0").license == expected


# --- 202, 304 and the cost of a warm refresh ---------------------------------------------------


@pytest.mark.parametrize("graphql", [True, False], ids=["graphql", "rest"])
def test_statistics_being_computed_keep_the_old_weeks(upstreams, settings, graphql):
    """A 202 from participation keeps the stored 52 weeks, takes the rest, and is due soon."""
    settings.GITHUB_GRAPHQL = graphql
    repository = upstreams.github.add(
        "owner/django-fetch", stars=10, commits=make_commits(20, now=NOW)
    )
    package = upstreams.package("github", "owner/django-fetch")
    refresh(package)
    old_weeks = facts_of(package)["commits_over_52"]
    # A new head commit: on a real host the history cannot grow under the same head.
    repository.commits = make_commits(
        40, now=NOW, every=timedelta(days=1), first_age=timedelta(minutes=30)
    )
    repository.stars = 11
    repository.stats_pending = 1

    summary = refresh(package)

    package.refresh_from_db()
    assert summary.failed == 0
    assert package.commits_over_52 == old_weeks
    assert (package.stars, package.total_commits) == (11, 40)
    assert package.last_commit_at == NOW - timedelta(minutes=30)
    assert state_of(package).next_due_at == NOW + PENDING_RECHECK

    refresh(package)

    package.refresh_from_db()
    assert package.commits_over_52 == list(
        weekly_counts([c.date for c in repository.commits], now=NOW)
    )


@pytest.mark.parametrize("kind", list(FORGES))
def test_second_fetch_is_answered_304_and_changes_nothing(upstreams, settings, client, kind):
    """Fetching unchanged facts again reads 304s (free on GitHub) and reports no change."""
    forge = use_forge(kind, settings)
    package = fetched_package(upstreams, forge)
    before = facts_of(package)
    fake = upstreams.forge(forge[1])
    answered = len(fake.seen)

    summary = refresh(package)

    second = fake.seen[answered:]
    print(f"{kind}: {answered} requests cold, {len(second)} warm, for one package")
    assert (summary.changed, summary.failed) == (0, 0)
    assert {seen.status for seen in second if seen.method == "GET"} == {304}
    assert all(seen.cost == 0 for seen in second if seen.method == "GET")
    after = facts_of(package)
    assert after.pop("last_fetched_at") == NOW
    before.pop("last_fetched_at")
    assert after == before
    assert listed(client, package)


def test_pypi_second_fetch_is_answered_304(upstreams):
    """An unchanged project is read from its ETag's 304 and changes nothing."""
    upstreams.pypi.add("django-fetch", version="1.0")
    package = upstreams.package("github", "owner/django-fetch", pypi_name="django-fetch")
    refresh(package, sources=[Source.PYPI])
    before = facts_of(package)

    summary = refresh(package, sources=[Source.PYPI])

    assert summary.changed == 0
    assert [seen.status for seen in upstreams.pypi.seen] == [200, 304]
    assert facts_of(package) == before


@pytest.mark.parametrize("graphql", [True, False], ids=["graphql", "rest"])
def test_warm_github_refresh_costs_at_most_a_fifth_of_a_unit_per_package(
    upstreams, settings, graphql
):
    """60 packages: a second refresh spends at most 0.2 GitHub rate units per package."""
    settings.GITHUB_GRAPHQL = graphql
    packages = []
    for index in range(60):
        path = f"owner/django-many-{index}"
        upstreams.github.add(path, stars=index, commits=make_commits(5, now=NOW, authors=AUTHORS))
        packages.append(upstreams.package("github", path))

    refresh(*packages)
    cold_units, cold_requests = upstreams.github.units_used, len(upstreams.github.seen)
    refresh(*packages)
    warm_units = upstreams.github.units_used - cold_units
    warm_requests = len(upstreams.github.seen) - cold_requests

    per_package = {
        "cold units": cold_units / 60,
        "warm units": warm_units / 60,
        "cold requests": cold_requests / 60,
        "warm requests": warm_requests / 60,
    }
    print(f"GitHub ({'GraphQL' if graphql else 'REST'}) per package: {per_package}")
    assert per_package["warm units"] <= 0.2
    assert Package.objects.filter(stars__isnull=True).count() == 0
    expected_cold = 2 + 2 / 60 if graphql else 4
    assert per_package["cold units"] == pytest.approx(expected_cold)


# --- Faults lose nothing -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(FORGES))
def test_not_found_marks_the_repository_missing_then_recovers(upstreams, settings, client, kind):
    """Repeated 404s mark "repository missing" on the page; facts stay; it recovers by itself."""
    forge = use_forge(kind, settings)
    _, host, path, _ = forge
    package = fetched_package(upstreams, forge)
    before = facts_of(package)
    upstreams.forge(host).delete(path)

    for attempt in range(1, settings.REFRESH_MISSING_AFTER + 1):
        refresh(package)
        state = state_of(package)
        assert state.consecutive_not_found == attempt
        missing = attempt == settings.REFRESH_MISSING_AFTER
        assert state.status == (FetchStatus.MISSING if missing else FetchStatus.FAILING)

    after = facts_of(package)
    assert after.pop("repo_missing_since") == NOW
    before.pop("repo_missing_since")
    assert after == before
    assert state.next_due_at >= NOW + MISSING_RECHECK
    assert package not in packages_due(limit=10)
    assert package in packages_due(now=state.next_due_at, limit=10)
    assert listed(client, package)
    assert "repository missing" in client.get(package.get_absolute_url()).text

    add_repository(upstreams, host, path, stars=400)
    refresh(package)

    package.refresh_from_db()
    assert package.repo_missing_since is None
    assert package.stars == 400
    assert state_of(package).status == FetchStatus.OK
    assert "repository missing" not in client.get(package.get_absolute_url()).text


@pytest.mark.parametrize("kind", ["github-rest", "gitlab", "bitbucket", "forgejo"])
def test_gone_marks_the_repository_missing_at_once(upstreams, settings, client, kind):
    """A 410 is missing on the first answer, and keeps every fact."""
    forge = use_forge(kind, settings)
    repository = add_repository(upstreams, forge[1], forge[2])
    package = upstreams.package(forge[1], forge[2])
    refresh(package)
    before = facts_of(package)
    repository.status = 410

    refresh(package)

    after = facts_of(package)
    assert after.pop("repo_missing_since") == NOW
    before.pop("repo_missing_since")
    assert after == before
    state = state_of(package)
    assert state.status == FetchStatus.MISSING
    assert "Gone" in state.last_error
    assert state.next_due_at >= NOW + MISSING_RECHECK
    assert listed(client, package)


def test_pypi_gone_or_missing_is_not_on_pypi(upstreams, client):
    """A 404 or 410 from PyPI means "not on PyPI": releases kept, checked again in a week."""
    upstreams.pypi.add("django-fetch", version="1.0")
    package = upstreams.package("github", "owner/django-fetch", pypi_name="django-fetch")
    refresh(package, sources=[Source.PYPI])
    before = facts_of(package)

    upstreams.pypi.fail(PYPI_PATTERN, 410)
    refresh(package, sources=[Source.PYPI])
    upstreams.pypi.delete("django-fetch")
    refresh(package, sources=[Source.PYPI])

    assert facts_of(package) == before
    state = state_of(package, Source.PYPI)
    assert state.status == FetchStatus.NOT_ON_PYPI
    assert state.next_due_at == NOW + NOT_ON_PYPI_RECHECK
    assert listed(client, package)


def inject(upstreams, fault, host, pattern):
    """Put one fault on the request matching `pattern`; return what the error says."""
    fake = upstreams.fakes[host]
    if fault == "5xx":
        fake.fail(pattern, 502)
        return "502"
    if fault == "timeout":
        fake.hold(pattern, upstreams.release_later())
        return "did not answer"
    fake.malformed(pattern)
    return "not JSON"


@pytest.mark.parametrize("fault", ["5xx", "timeout", "malformed"])
@pytest.mark.parametrize("kind", list(FORGES))
def test_failures_lose_nothing_and_retry_soon(upstreams, settings, client, kind, fault):
    """A 5xx, a timeout or a body that is not JSON keeps every fact and is retried soon."""
    forge = use_forge(kind, settings)
    _, host, _, pattern = forge
    package = fetched_package(upstreams, forge)
    before = facts_of(package)
    settings.HTTP_TIMEOUT = 0.25
    registry.clear_clients()  # Build clients again, with the short timeout.
    says = inject(upstreams, fault, host, pattern)

    summary = refresh(package)

    assert summary.failed == 1
    assert facts_of(package) == before
    state = state_of(package)
    assert state.status == FetchStatus.FAILING
    assert says in state.last_error
    assert state.next_due_at == NOW + FIRST_RETRY
    assert listed(client, package)


@pytest.mark.parametrize("fault", ["5xx", "timeout", "malformed"])
def test_pypi_failures_lose_nothing(upstreams, settings, client, fault):
    """A failing PyPI keeps every release and fact."""
    upstreams.pypi.add("django-fetch", version="1.0")
    package = upstreams.package("github", "owner/django-fetch", pypi_name="django-fetch")
    refresh(package, sources=[Source.PYPI])
    before = facts_of(package)
    settings.HTTP_TIMEOUT = 0.25
    registry.clear_clients()  # Build clients again, with the short timeout.
    says = inject(upstreams, fault, "pypi", PYPI_PATTERN)

    refresh(package, sources=[Source.PYPI])

    assert facts_of(package) == before
    state = state_of(package, Source.PYPI)
    assert (state.status, state.next_due_at) == (FetchStatus.FAILING, NOW + FIRST_RETRY)
    assert says in state.last_error
    assert listed(client, package)


def test_a_failed_part_keeps_that_fact(upstreams):
    """When only the contributors page fails, the other facts update and contributors stay."""
    repository = add_repository(upstreams, "github", "owner/django-fetch")
    package = upstreams.package("github", "owner/django-fetch")
    refresh(package)
    repository.stars = 999
    repository.commits = make_commits(10, now=NOW, authors=[("carol", "Carol")])
    upstreams.github.fail(r"/contributors$", 500)

    summary = refresh(package)

    package.refresh_from_db()
    assert summary.failed == 0
    assert package.stars == 999
    assert package.contributors == LOGINS


@pytest.mark.parametrize("kind", [*FORGES, "pypi"])
def test_rate_limit_puts_the_fetch_off_to_the_reset(upstreams, settings, client, kind):
    """A 403/429 with spent rate headers keeps every fact; the fetch is due at the reset."""
    use_forge(kind if kind != "pypi" else "github", settings)
    reset_at = NOW + timedelta(minutes=30)
    add_repository(upstreams, "github", "owner/django-fetch")
    upstreams.pypi.add("django-fetch", version="1.0")
    if kind == "pypi":
        host, pattern, source = "pypi", PYPI_PATTERN, Source.PYPI
        package = upstreams.package("github", "owner/django-fetch", pypi_name="django-fetch")
    else:
        host, path, pattern = FORGES[kind]
        source = Source.REPOSITORY
        add_repository(upstreams, host, path)
        package = upstreams.package(host, path, pypi_name="django-fetch")
    refresh(package)
    before = facts_of(package)
    status = 403 if host == "github" else 429
    upstreams.fakes[host].limit(pattern, status=status, reset_at=reset_at)

    refresh(package)

    assert facts_of(package) == before
    state = state_of(package, source)
    assert state.status == FetchStatus.RATE_LIMITED
    assert state.next_due_at == reset_at
    assert package not in packages_due(limit=10)
    assert listed(client, package)


def test_spent_github_budget_waits_while_other_hosts_go_on(upstreams):
    """While GitHub's budget is spent its packages wait; GitLab and PyPI are fetched."""
    reset_at = NOW + timedelta(minutes=45)
    github = []
    for index in range(3):
        path = f"owner/django-hub-{index}"
        add_repository(upstreams, "github", path)
        github.append(upstreams.package("github", path))
    add_repository(upstreams, "gitlab", "group/sub/django-lab", stars=5)
    upstreams.pypi.add("django-lab", version="1.0")
    lab = upstreams.package("gitlab", "group/sub/django-lab", pypi_name="django-lab")
    upstreams.github.limit(r"/graphql$", status=403, reset_at=reset_at)

    summary = refresh(*github, lab)

    assert summary.failed == 3
    for package in github:
        state = state_of(package)
        assert (state.status, state.next_due_at) == (FetchStatus.RATE_LIMITED, reset_at)
        assert facts_of(package)["stars"] is None
    lab.refresh_from_db()
    assert lab.stars == 5
    assert lab.pypi_version == "1.0"

    # Before the reset, a new run asks GitHub nothing and still fetches the other hosts.
    asked = len(upstreams.github.seen)
    lab_requests = len(upstreams.gitlab.seen)
    upstreams.gitlab.get("group/sub/django-lab").stars = 6

    summary = refresh(*github, lab)

    assert len(upstreams.github.seen) == asked
    assert len(upstreams.gitlab.seen) > lab_requests
    lab.refresh_from_db()
    assert lab.stars == 6
    assert all(state_of(package).next_due_at == reset_at for package in github)


def test_budget_spent_mid_run_asks_again_at_the_reset(upstreams, time_machine):
    """Packages the spent budget cut short keep their facts and are due again at the reset."""
    upstreams.github.rate_limit = 40  # One GraphQL query, then 35 REST calls down to the reserve.
    packages = []
    for index in range(30):
        path = f"owner/django-many-{index}"
        upstreams.github.add(path, stars=index, commits=make_commits(5, now=NOW, authors=AUTHORS))
        packages.append(upstreams.package("github", path))
    reset_at = upstreams.github.reset_at.replace(microsecond=0)

    summary = refresh(*packages)

    assert summary.failed == 0
    complete = [package for package in packages if facts_of(package)["contributors"]]
    cut_off = [package for package in packages if facts_of(package)["contributors"] is None]
    assert complete
    assert cut_off
    assert all(package.stars is not None for package in packages)
    assert {state_of(package).next_due_at for package in complete} == {NOW + refresh_interval()}
    assert {state_of(package).next_due_at for package in cut_off} == {reset_at}

    time_machine.move_to(reset_at + timedelta(seconds=1), tick=False)
    due = packages_due(limit=100)
    assert {package.pk for package in due} == {package.pk for package in cut_off}
    refresh(*due)

    assert all(facts_of(package)["contributors"] == LOGINS for package in packages)


@pytest.mark.parametrize(
    ("kind", "pattern"),
    [
        ("github-rest", r"/contributors$"),
        ("gitlab", r"/repository/contributors$"),
        ("bitbucket", r"/commits/"),
        ("forgejo", r"/commits$"),
    ],
)
def test_rate_limit_on_a_part_keeps_the_rest_and_asks_again_at_the_reset(
    upstreams, settings, kind, pattern
):
    """A 429/403 on one part stores the other facts, keeps that part, and is due at the reset."""
    _, host, path, _ = use_forge(kind, settings)
    repository = add_repository(upstreams, host, path)
    package = upstreams.package(host, path)
    refresh(package)
    before = facts_of(package)
    repository.stars = 1000
    reset_at = NOW + timedelta(minutes=20)
    upstreams.fakes[host].limit(pattern, status=403 if host == "github" else 429, reset_at=reset_at)

    summary = refresh(package)

    after = facts_of(package)
    assert summary.failed == 0
    assert after["stars"] == 1000
    assert after["contributors"] == before["contributors"]
    assert after["commits_over_52"] == before["commits_over_52"]
    assert state_of(package).next_due_at == reset_at


def test_retry_after_on_gitlab_waits_that_long(upstreams):
    """A 429 with Retry-After puts the package off by that many seconds."""
    add_repository(upstreams, "gitlab", "group/sub/django-lab")
    package = upstreams.package("gitlab", "group/sub/django-lab")
    upstreams.gitlab.limit(r"/projects/group/sub/django-lab$", status=429, retry_after=120)

    refresh(package)

    state = state_of(package)
    assert (state.status, state.next_due_at) == (
        FetchStatus.RATE_LIMITED,
        NOW + timedelta(seconds=120),
    )


# --- Archived, renamed, unsupported --------------------------------------------------------------


# Bitbucket Cloud has no archived state.
@pytest.mark.parametrize("kind", [kind for kind in FORGES if kind != "bitbucket"])
def test_archived_repository_is_marked_and_stays_listed(upstreams, settings, client, kind):
    """An archived repository sets `archived_at`; the package keeps its facts and its place."""
    _, host, path, _ = use_forge(kind, settings)
    archived_at = NOW - timedelta(days=10)
    add_repository(upstreams, host, path, archived=True, archived_at=archived_at)
    package = upstreams.package(host, path)

    refresh(package)

    package.refresh_from_db()
    # GraphQL and Forgejo say when; the others only that it is, so the fetch time is used.
    assert package.archived_at in (archived_at, NOW)
    assert package.stars == 321
    assert listed(client, package)
    assert "Archived" in client.get(package.get_absolute_url()).text


@pytest.mark.parametrize("kind", list(FORGES))
def test_renamed_repository_updates_the_stored_url(upstreams, settings, kind):
    """A repository moved to a new path is followed and its new URL stored."""
    forge = use_forge(kind, settings)
    _, host, path, _ = forge
    new_path = path.replace("django-fetch", "django-fetched").replace("owner/", "neworg/")
    package = fetched_package(upstreams, forge)
    upstreams.forge(host).rename(path, new_path)
    upstreams.forge(host).get(new_path).stars = 654

    summary = refresh(package)

    package.refresh_from_db()
    assert summary.failed == 0
    assert package.repo_url.endswith(f"/{new_path}")
    assert package.repo_key == upstreams.repo_url(host, new_path).split("://")[1].lower()
    assert package.stars == 654
    assert Package.objects.filter(repo_key=package.repo_key).count() == 1


def test_unsupported_host_stays_listed_with_empty_facts(upstreams, client):
    """A code.google.com package is "host not supported": listed, facts empty, nothing asked."""
    package = PackageFactory(
        title="django-old",
        repo_url="https://code.google.com/p/django-old",
        repo_host="other",
        repo_key="code.google.com/p/django-old",
        pypi_name="",
    )

    summary = refresh(package)

    assert [str(change) for change in summary.changes] == [
        "django-old (repository): host not supported"
    ]
    assert upstreams.requests() == 0
    facts = facts_of(package)
    assert facts["stars"] is facts["forks"] is facts["contributors"] is None
    assert facts["commits_over_52"] is facts["last_fetched_at"] is None
    assert state_of(package).status == FetchStatus.UNSUPPORTED
    assert listed(client, package)
    assert "host not supported" in client.get(package.get_absolute_url()).text


# --- Bounded work per host, and the order of due packages -------------------------------------


class InFlight:
    """Count a fake's requests in flight; hold the first `size` until all of them arrived."""

    def __init__(self, fake, size):
        self.fake = fake
        self.size = size
        self.handle = fake.handle
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.arrived = 0
        self.full = threading.Event()

    def __call__(self, request):
        with self.lock:
            self.active += 1
            self.arrived += 1
            first_wave = self.arrived <= self.size
            self.peak = max(self.peak, self.active)
            if self.active >= self.size:
                self.full.set()
        try:
            if first_wave:
                self.full.wait(5)
            return self.handle(request)
        finally:
            with self.lock:
                self.active -= 1


def test_requests_in_flight_per_host_are_bounded(upstreams, settings, monkeypatch):
    """No host ever has more than REFRESH_IN_FLIGHT_PER_HOST requests in flight, and reaches it."""
    settings.REFRESH_IN_FLIGHT_PER_HOST = 3
    packages = []
    for index in range(10):
        path = f"group/sub/django-lab-{index}"
        add_repository(upstreams, "gitlab", path, commits=make_commits(3, now=NOW))
        upstreams.pypi.add(f"django-lab-{index}")
        packages.append(upstreams.package("gitlab", path, pypi_name=f"django-lab-{index}"))
    gauges = {}
    for name in ("gitlab", "pypi"):
        gauges[name] = InFlight(upstreams.fakes[name], 3)
        monkeypatch.setattr(upstreams.fakes[name], "handle", gauges[name])

    summary = refresh(*packages)

    assert summary.failed == 0
    assert gauges["gitlab"].peak == gauges["pypi"].peak == 3
    assert gauges["gitlab"].arrived == len(upstreams.gitlab.seen) == 40
    assert gauges["pypi"].arrived == 10


def test_packages_due_puts_never_fetched_first(time_machine):
    """Never-fetched packages come first, newest first; then the longest due; never the not due."""
    time_machine.move_to(NOW - timedelta(days=3), tick=False)
    PackageFactory(title="old-never", pypi_name="")
    fetched = [PackageFactory(title=f"fetched-{index}", pypi_name="") for index in range(3)]
    time_machine.move_to(NOW - timedelta(days=1), tick=False)
    PackageFactory(title="new-never", pypi_name="")
    half_fetched = PackageFactory(title="half-fetched", pypi_name="half")
    FetchState.objects.create(
        package=half_fetched, source=Source.REPOSITORY, next_due_at=NOW + timedelta(hours=5)
    )
    time_machine.move_to(NOW, tick=False)
    dues = [NOW - timedelta(hours=1), NOW - timedelta(hours=3), NOW + timedelta(hours=1)]
    for package, due in zip(fetched, dues, strict=True):
        FetchState.objects.create(package=package, source=Source.REPOSITORY, next_due_at=due)

    due = packages_due(limit=10)

    assert [package.title for package in due] == [
        "half-fetched",
        "new-never",
        "old-never",
        "fetched-1",
        "fetched-0",
    ]
    assert [package.title for package in packages_due(limit=2)] == ["half-fetched", "new-never"]
    assert [p.title for p in packages_due(limit=4)][-1] == "fetched-1"


def test_releases_are_not_lost_when_pypi_drops_a_version(upstreams):
    """A release PyPI no longer lists is kept."""
    upstreams.pypi.add(
        "django-fetch",
        version="2.0",
        releases={"1.0": [pypi_file(NOW - timedelta(days=9))], "2.0": [pypi_file(NOW)]},
    )
    package = upstreams.package("github", "owner/django-fetch", pypi_name="django-fetch")
    refresh(package, sources=[Source.PYPI])
    upstreams.pypi.add("django-fetch", version="2.0", releases={"2.0": [pypi_file(NOW)]})

    refresh(package, sources=[Source.PYPI])

    assert set(Release.objects.filter(package=package).values_list("version", flat=True)) == {
        "1.0",
        "2.0",
    }


def test_pypi_name_in_another_spelling_follows_the_redirect(upstreams):
    """A PyPI name spelled otherwise than the project's own is followed to the project."""
    upstreams.pypi.add("Django-Fetch", version="1.4")
    package = upstreams.package("github", "owner/django-fetch", pypi_name="django_fetch")

    summary = refresh(package, sources=[Source.PYPI])

    package.refresh_from_db()
    assert summary.failed == 0
    assert package.pypi_version == "1.4"
    assert [seen.status for seen in upstreams.pypi.seen] == [301, 200]


def test_a_package_not_on_pypi_is_listed_without_releases(upstreams, client):
    """A PyPI name PyPI does not know is "not on PyPI", not a failure; the package stays listed."""
    add_repository(upstreams, "github", "owner/django-fetch")
    package = upstreams.package("github", "owner/django-fetch", pypi_name="django-nowhere")

    summary = refresh(package)

    package.refresh_from_db()
    assert package.stars == 321
    assert package.pypi_version is None
    assert not package.releases.exists()
    state = state_of(package, Source.PYPI)
    assert (state.status, state.last_error) == (FetchStatus.NOT_ON_PYPI, "")
    assert "not on PyPI" in [change.error for change in summary.changes]
    assert listed(client, package)


@pytest.mark.django_db
def test_one_answer_that_cannot_be_stored_does_not_stop_the_others(monkeypatch):
    """An error while storing one package's answer is recorded; the next package is stored."""
    from packyard.refresh import runner
    from packyard.refresh.models import FetchState, Source
    from packyard.sources.types import RepositoryFacts, Validators

    first = FetchedPackageFactory(title="first", stars=1)
    second = FetchedPackageFactory(title="second", stars=1)
    real_apply = runner.package_apply_repository

    def apply(**kwargs):
        if kwargs["package_id"] == first.pk:
            raise ValueError("cannot store this")
        return real_apply(**kwargs)

    monkeypatch.setattr(runner, "package_apply_repository", apply)
    facts = RepositoryFacts(
        path=second.repo_url.split("github.com/")[1],
        stars=777,
        forks=1,
        description="",
        archived=False,
        default_branch="main",
    )
    outcomes = [
        runner.Outcome(first.pk, Source.REPOSITORY, facts, Validators(), first.repo_key),
        runner.Outcome(second.pk, Source.REPOSITORY, facts, Validators(), second.repo_key),
    ]

    changes = [runner._apply(outcome) for outcome in outcomes]

    second.refresh_from_db()
    assert second.stars == 777
    assert "cannot store this" in changes[0].error
    state = FetchState.objects.get(package=first, source=Source.REPOSITORY)
    assert "cannot store this" in state.last_error
