"""ForgejoClient against a fake Forgejo (Codeberg) on a real local server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from packyard.core.repositories import Repository, RepositoryHost
from packyard.sources.errors import Gone, NotFound, RateLimited, UpstreamError
from packyard.sources.forgejo import ForgejoClient
from packyard.sources.parsing import weekly_counts, window_start
from packyard.sources.types import Contributor, Validators
from tests.fakes import FakeForgejo, make_commits

NOW = datetime.now(UTC)


def repo(path: str) -> Repository:
    return Repository(host=RepositoryHost.FORGEJO, domain="codeberg.org", path=path)


@pytest.fixture
def fake():
    return FakeForgejo()


@pytest.fixture
def base_url(fake, httpserver):
    return fake.install(httpserver)


@pytest.fixture
def client(base_url, http, budget):
    return ForgejoClient(http(base_url), budget=budget, host="codeberg.org")


def add_repository(fake, path="forge/tool", **fields):
    values = {
        "stars": 88,
        "watchers": 5,
        "forks": 9,
        "description": "A tool on Codeberg",
        "commits": make_commits(
            45,
            now=NOW,
            every=timedelta(days=3),
            authors=[("kim", "Kim K"), (None, "Lee Unlinked"), ("kim", "Kim K")],
        ),
        **fields,
    }
    return fake.add(path, **values)


def test_facts_are_parsed_exactly_with_stars_not_watchers(fake, client):
    """stars_count (88) is stars, not watchers_count (5); totals, weeks and logins come through."""
    repository = add_repository(fake)
    facts = client.fetch(repo("forge/tool"), Validators())
    assert (facts.path, facts.stars, facts.forks) == ("forge/tool", 88, 9)
    assert facts.description == "A tool on Codeberg"
    assert (facts.archived, facts.archived_at, facts.default_branch) == (False, None, "main")
    assert facts.last_commit_at == repository.commits[0].date
    assert facts.total_commits == 45
    assert facts.weekly_commits == weekly_counts([c.date for c in repository.commits], now=NOW)
    assert facts.contributors == (Contributor("kim"), Contributor("Lee Unlinked"))


def test_archived_repository_has_its_date_and_the_epoch_means_none(fake, client):
    """archived_at is read for an archived repository; the epoch sent otherwise is None."""
    archived_at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    add_repository(fake, archived=True, archived_at=archived_at)
    add_repository(fake, path="forge/live")
    assert client.fetch(repo("forge/tool")).archived_at == archived_at
    assert client.fetch(repo("forge/live")).archived_at is None


def test_commit_pages_are_walked_back_to_the_window_only(httpserver, http):
    """A server that ignores since= is still read only back to 52 weeks ago."""
    fake = FakeForgejo(supports_since=False)
    repository = add_repository(fake, commits=make_commits(400, now=NOW, every=timedelta(days=2)))
    client = ForgejoClient(http(fake.install(httpserver)))
    facts = client.fetch(repo("forge/tool"))
    in_window = [c.date for c in repository.commits if c.date > window_start(NOW)]
    assert sum(facts.weekly_commits) == len(in_window)
    walk = [seen for seen in fake.requests_to(r"/commits$") if "since=" in seen.query]
    assert len(walk) == 4  # 182 commits in the year; pages of 50; 8 pages exist.


def test_walk_past_its_bound_leaves_weeks_and_contributors_unavailable(fake, base_url, http):
    """With one page allowed and more in the year, weeks and contributors are unavailable."""
    add_repository(fake, commits=make_commits(120, now=NOW, every=timedelta(days=1)))
    facts = ForgejoClient(http(base_url), max_commit_pages=1).fetch(repo("forge/tool"))
    assert facts.weekly_commits is None
    assert facts.contributors is None
    assert facts.unavailable == ("weekly_commits", "contributors")
    assert facts.total_commits == 120


def test_second_fetch_is_answered_with_304s(fake, client, budget):
    """Conditional requests give the same facts, X-Total-Count included, for no units."""
    add_repository(fake)
    validators = Validators()
    first = client.fetch(repo("forge/tool"), validators)
    budget.readings.clear()
    assert client.fetch(repo("forge/tool"), validators) == first
    assert set(budget.costs) == {0}


def test_renamed_repository_is_followed_once_on_the_same_host(fake, client):
    """The old name redirects to the new one; the facts carry the new full_name."""
    add_repository(fake)
    fake.rename("forge/tool", "forge/better-tool")
    facts = client.fetch(repo("forge/tool"))
    assert facts.path == "forge/better-tool"
    assert facts.total_commits == 45


def test_redirect_to_another_host_is_refused(fake, client):
    """A redirect off the configured host is an UpstreamError."""
    add_repository(fake)
    fake.redirect(r"^/api/v1/repos/forge/tool$", "https://other.example/api/v1/repos/x/y")
    with pytest.raises(UpstreamError, match="not followed"):
        client.fetch(repo("forge/tool"))


def test_missing_repository_is_not_found(fake, client):
    """A 404 is NotFound."""
    with pytest.raises(NotFound):
        client.fetch(repo("forge/none"))


def test_removed_repository_is_gone(fake, client):
    """A 410 is Gone."""
    add_repository(fake, status=410)
    with pytest.raises(Gone):
        client.fetch(repo("forge/tool"))


def test_429_with_retry_after_is_rate_limited(fake, client):
    """A 429 with Retry-After is RateLimited for that long."""
    add_repository(fake)
    fake.limit(r"^/api/v1/repos/forge/tool$", status=429, retry_after=45)
    with pytest.raises(RateLimited) as raised:
        client.fetch(repo("forge/tool"))
    assert (
        timedelta(seconds=35) < raised.value.reset_at - datetime.now(UTC) <= timedelta(seconds=45)
    )


def test_server_error_is_an_upstream_error(fake, client):
    """A 502 is an UpstreamError."""
    add_repository(fake)
    fake.fail(r"^/api/v1/repos/forge/tool$", 502)
    with pytest.raises(UpstreamError):
        client.fetch(repo("forge/tool"))


def test_slow_answer_past_the_timeout_is_an_upstream_error(fake, base_url, http, release_later):
    """An answer slower than the client's timeout is an UpstreamError."""
    add_repository(fake)
    fake.hold(r"/repos/", release_later())
    with pytest.raises(UpstreamError, match="in time"):
        ForgejoClient(http(base_url, timeout=0.2)).fetch(repo("forge/tool"))


def test_malformed_json_is_an_upstream_error(fake, client):
    """A body that is not JSON is an UpstreamError."""
    add_repository(fake)
    fake.malformed(r"^/api/v1/repos/forge/tool$")
    with pytest.raises(UpstreamError, match="not JSON"):
        client.fetch(repo("forge/tool"))


def test_empty_repository_has_no_activity(fake, client):
    """An empty repository gets zeros and no contributors, without asking for commits."""
    fake.add("forge/empty", stars=1)
    facts = client.fetch(repo("forge/empty"))
    assert (facts.total_commits, facts.last_commit_at) == (0, None)
    assert facts.weekly_commits == (0,) * 52
    assert facts.contributors == ()
    assert not fake.requests_to(r"/commits$")
