"""BitbucketClient against a fake Bitbucket Cloud on a real local server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from packyard.core.repositories import Repository, RepositoryHost
from packyard.sources.bitbucket import BitbucketClient
from packyard.sources.errors import Gone, NotFound, RateLimited, UpstreamError
from packyard.sources.parsing import weekly_counts, window_start
from packyard.sources.types import Contributor, Validators
from tests.fakes import FakeBitbucket, make_commits

NOW = datetime.now(UTC)


def repo(path: str) -> Repository:
    return Repository(host=RepositoryHost.BITBUCKET, domain="bitbucket.org", path=path)


@pytest.fixture
def fake():
    return FakeBitbucket()


@pytest.fixture
def base_url(fake, httpserver):
    return fake.install(httpserver)


@pytest.fixture
def client(base_url, http, budget):
    return BitbucketClient(http(base_url), budget=budget, host="api.bitbucket.org")


def add_repository(fake, path="team/widget", **fields):
    values = {
        "stars": 345,
        "forks": 23,
        "description": "Widgets for Django",
        "commits": make_commits(
            40,
            now=NOW,
            every=timedelta(days=4),
            authors=[("ana", "Ana B"), (None, "Unlinked Person"), ("pipelines-bot", "Bot")],
        ),
        **fields,
    }
    repository = fake.add(path, **values)
    for commit in repository.commits:
        commit.bot = commit.login == "pipelines-bot"
    return repository


def test_facts_are_parsed_exactly(fake, client):
    """Stars and forks from size, newest commit, weeks and contributors from commit authors."""
    repository = add_repository(fake)
    facts = client.fetch(repo("team/widget"), Validators())
    assert (facts.path, facts.stars, facts.forks) == ("team/widget", 345, 23)
    assert facts.description == "Widgets for Django"
    assert (facts.archived, facts.default_branch) == (False, "main")
    assert abs(facts.last_commit_at - repository.commits[0].date) < timedelta(seconds=1)
    assert facts.total_commits is None
    assert facts.weekly_commits == weekly_counts([c.date for c in repository.commits], now=NOW)
    assert sorted(facts.contributors, key=lambda c: c.login) == [
        Contributor("Unlinked Person"),
        Contributor("ana"),
        Contributor("pipelines-bot", is_bot=True),
    ]


def test_counts_come_from_size_never_from_the_first_page(fake, client):
    """Watchers and forks are asked for with pagelen=1 and read from size (345, not 1)."""
    add_repository(fake)
    facts = client.fetch(repo("team/widget"))
    assert facts.stars == 345
    for resource in ("watchers", "forks"):
        [seen] = fake.requests_to(rf"/{resource}$")
        assert seen.query == "pagelen=1"


def test_a_page_without_size_is_an_upstream_error(fake, client):
    """An answer without size fails the fetch instead of counting what a page holds."""
    add_repository(fake)
    fake.fail(r"/watchers$", 200, body={"pagelen": 1, "values": [{"type": "user"}]})
    with pytest.raises(UpstreamError, match="size of watchers"):
        client.fetch(repo("team/widget"))


def test_commit_walk_stops_at_52_weeks_and_never_reads_the_whole_history(fake, client):
    """Three years of commits: only the pages back to a year ago are read."""
    repository = add_repository(fake, commits=make_commits(600, now=NOW, every=timedelta(days=2)))
    facts = client.fetch(repo("team/widget"))
    in_window = [c.date for c in repository.commits if c.date > window_start(NOW)]
    assert sum(facts.weekly_commits) == len(in_window)
    assert len(fake.requests_to(r"/commits/main$")) == 2  # 6 pages of 100 exist.


def test_walk_past_its_bound_leaves_weeks_and_contributors_unavailable(fake, base_url, http):
    """With one page allowed and two needed, weeks and contributors are None and unavailable."""
    add_repository(fake, commits=make_commits(300, now=NOW, every=timedelta(days=1)))
    facts = BitbucketClient(http(base_url), max_commit_pages=1).fetch(repo("team/widget"))
    assert facts.weekly_commits is None
    assert facts.contributors is None
    assert facts.unavailable == ("weekly_commits", "contributors")
    assert facts.last_commit_at is not None


def test_second_fetch_is_answered_with_304s(fake, client, budget):
    """Conditional requests give the same facts for no units."""
    add_repository(fake)
    validators = Validators()
    first = client.fetch(repo("team/widget"), validators)
    budget.readings.clear()
    assert client.fetch(repo("team/widget"), validators) == first
    assert set(budget.costs) == {0}


def test_missing_repository_is_not_found(fake, client):
    """A 404 is NotFound."""
    with pytest.raises(NotFound):
        client.fetch(repo("team/nothing"))


def test_removed_repository_is_gone(fake, client):
    """A 410 is Gone."""
    add_repository(fake, status=410)
    with pytest.raises(Gone):
        client.fetch(repo("team/widget"))


def test_429_with_retry_after_is_rate_limited(fake, client):
    """Bitbucket's 429 with Retry-After is RateLimited for that long."""
    add_repository(fake)
    fake.limit(r"/repositories/team/widget$", status=429, retry_after=600)
    with pytest.raises(RateLimited) as raised:
        client.fetch(repo("team/widget"))
    assert (
        timedelta(seconds=590) < raised.value.reset_at - datetime.now(UTC) <= timedelta(seconds=600)
    )


def test_server_error_is_an_upstream_error(fake, client):
    """A 500 is an UpstreamError."""
    add_repository(fake)
    fake.fail(r"/repositories/team/widget$", 500)
    with pytest.raises(UpstreamError):
        client.fetch(repo("team/widget"))


def test_server_error_on_commits_leaves_activity_unavailable(fake, client):
    """A 500 on the commit list leaves activity None; stars and forks arrive."""
    add_repository(fake)
    fake.fail(r"/commits/main$", 500)
    facts = client.fetch(repo("team/widget"))
    assert facts.stars == 345
    assert facts.last_commit_at is None
    assert facts.weekly_commits is None
    assert facts.unavailable == ("last_commit_at", "weekly_commits", "contributors")


def test_slow_answer_past_the_timeout_is_an_upstream_error(fake, base_url, http, release_later):
    """An answer slower than the client's timeout is an UpstreamError."""
    add_repository(fake)
    fake.hold(r"/repositories/", release_later())
    with pytest.raises(UpstreamError, match="in time"):
        BitbucketClient(http(base_url, timeout=0.2)).fetch(repo("team/widget"))


def test_malformed_json_is_an_upstream_error(fake, client):
    """A body that is not JSON is an UpstreamError."""
    add_repository(fake)
    fake.malformed(r"/forks$")
    with pytest.raises(UpstreamError, match="not JSON"):
        client.fetch(repo("team/widget"))


def test_archived_is_false_unless_the_api_says_so(fake, client):
    """Bitbucket's repository has no archived state; an archived flag would be read."""
    add_repository(fake, archived=True)  # The fake, like Bitbucket, does not send it.
    assert client.fetch(repo("team/widget")).archived is False


def test_renamed_repository_redirect_on_the_same_host_is_followed(fake, base_url, client):
    """A redirect to the repository's new slug is followed once; the facts carry full_name."""
    add_repository(fake, path="team/renamed")
    fake.redirect(r"^/2.0/repositories/team/widget$", f"{base_url}/repositories/team/renamed")
    facts = client.fetch(repo("team/widget"))
    assert facts.path == "team/renamed"
    assert fake.requests_to(r"^/2.0/repositories/team/renamed/watchers$")


def test_redirect_to_another_host_is_refused(fake, client):
    """A redirect off the configured host is an UpstreamError."""
    add_repository(fake)
    fake.redirect(r"^/2.0/repositories/team/widget$", "https://bitbucket.example/x")
    with pytest.raises(UpstreamError, match="not followed"):
        client.fetch(repo("team/widget"))


def test_empty_repository_has_no_activity(fake, client):
    """Without a main branch there are no commits to walk."""
    fake.add("team/empty", stars=2, forks=0)
    facts = client.fetch(repo("team/empty"))
    assert facts.default_branch == ""
    assert facts.weekly_commits == (0,) * 52
    assert facts.contributors == ()
    assert not fake.requests_to(r"/commits/")
