"""GitLabClient against a fake GitLab on a real local server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from packyard.core.repositories import Repository, RepositoryHost
from packyard.sources.errors import Gone, NotFound, RateLimited, UpstreamError
from packyard.sources.gitlab import GitLabClient
from packyard.sources.parsing import weekly_counts
from packyard.sources.types import Validators
from tests.fakes import FakeGitLab, make_commits

NOW = datetime.now(UTC)


def repo(path: str) -> Repository:
    return Repository(host=RepositoryHost.GITLAB, domain="gitlab.example.com", path=path)


@pytest.fixture
def fake():
    return FakeGitLab()


@pytest.fixture
def base_url(fake, httpserver):
    return fake.install(httpserver)


@pytest.fixture
def client(base_url, http, budget):
    return GitLabClient(http(base_url), budget=budget, host="gitlab.example.com")


def add_project(fake, path="group/sub/project", **fields):
    values = {
        "stars": 42,
        "forks": 7,
        "description": "Nested groups work",
        "commits": make_commits(
            60,
            now=NOW,
            every=timedelta(days=3),
            authors=[(None, "Ada Lovelace"), (None, "Grace Hopper"), (None, "renovate[bot]")],
        ),
        **fields,
    }
    return fake.add(path, **values)


def test_facts_of_a_project_in_nested_groups_are_parsed_exactly(fake, client):
    """Stars, forks, branch, newest commit, X-Total, weeks and contributor names come through."""
    project = add_project(fake)
    facts = client.fetch(repo("group/sub/project"), Validators())
    assert (facts.path, facts.stars, facts.forks) == ("group/sub/project", 42, 7)
    assert facts.description == "Nested groups work"
    assert (facts.archived, facts.default_branch) == (False, "main")
    assert abs(facts.last_commit_at - project.commits[0].date) < timedelta(milliseconds=1)
    assert facts.last_commit_at.tzinfo is not None
    assert facts.total_commits == 60
    assert facts.weekly_commits == weekly_counts([c.date for c in project.commits], now=NOW)
    assert [(c.login, c.is_bot) for c in facts.contributors] == [
        ("Ada Lovelace", False),
        ("Grace Hopper", False),
        ("renovate[bot]", True),
    ]
    assert facts.pending == facts.unavailable == ()


def test_project_path_is_url_encoded(fake, client):
    """The project is asked for as one encoded id: group%2Fsub%2Fproject."""
    add_project(fake)
    client.fetch(repo("group/sub/project"))
    first = fake.seen[0]
    assert first.path == "/api/v4/projects/group/sub/project"  # WSGI decodes %2F.


def test_total_is_none_when_gitlab_leaves_x_total_out(httpserver, http):
    """Without X-Total (past 10,000 records) the total is None, not a guess."""
    fake = FakeGitLab(send_totals=False)
    add_project(fake)
    facts = GitLabClient(http(fake.install(httpserver))).fetch(repo("group/sub/project"))
    assert facts.total_commits is None
    assert facts.unavailable == ()
    assert facts.weekly_commits is not None


def test_every_page_of_contributors_is_read(fake, client):
    """250 contributors take three pages of 100, all read."""
    authors = [(None, f"Person {index:03d}") for index in range(250)]
    fake.add(
        "big/project", commits=make_commits(250, now=NOW, every=timedelta(hours=1), authors=authors)
    )
    facts = client.fetch(repo("big/project"))
    assert len(facts.contributors) == 250
    assert len(fake.requests_to(r"/contributors$")) == 3


def test_weekly_counts_walk_pages_back_to_the_window(fake, client):
    """150 commits in the year take two pages of 100; none older than 52 weeks is counted."""
    recent = make_commits(150, now=NOW, every=timedelta(days=2))
    old = make_commits(20, now=NOW - timedelta(weeks=60), every=timedelta(days=1))
    project = fake.add("team/app", commits=recent + old)
    facts = client.fetch(repo("team/app"))
    assert sum(facts.weekly_commits) == 150
    assert facts.weekly_commits == weekly_counts([c.date for c in project.commits], now=NOW)
    since_pages = [
        seen for seen in fake.requests_to(r"/repository/commits$") if "since=" in seen.query
    ]
    assert len(since_pages) == 2


def test_weekly_walk_past_its_bound_leaves_counts_unavailable(fake, base_url, http):
    """With max_commit_pages=1 and two pages to read, weekly_commits is None and unavailable."""
    fake.add("team/app", commits=make_commits(150, now=NOW, every=timedelta(days=2)))
    facts = GitLabClient(http(base_url), max_commit_pages=1).fetch(repo("team/app"))
    assert facts.weekly_commits is None
    assert facts.unavailable == ("weekly_commits",)
    assert facts.contributors is not None


def test_second_fetch_is_answered_with_304s_keeping_x_total(fake, client, budget):
    """Conditional requests reuse stored bodies and headers: the same facts, no units spent."""
    add_project(fake)
    validators = Validators()
    first = client.fetch(repo("group/sub/project"), validators)
    budget.readings.clear()
    second = client.fetch(repo("group/sub/project"), validators)
    assert second == first
    assert second.total_commits == 60
    assert set(budget.costs) == {0}


def test_missing_project_is_not_found(fake, client):
    """A 404 is NotFound."""
    with pytest.raises(NotFound):
        client.fetch(repo("no/such/project"))


def test_project_gone_is_gone(fake, client):
    """A 410 is Gone."""
    add_project(fake, status=410)
    with pytest.raises(Gone):
        client.fetch(repo("group/sub/project"))


def test_429_with_ratelimit_headers_is_rate_limited_until_reset(fake, client):
    """429 with RateLimit-Remaining 0 and RateLimit-Reset is RateLimited until that reset."""
    add_project(fake)
    reset_at = (datetime.now(UTC) + timedelta(minutes=3)).replace(microsecond=0)
    fake.limit(r"/projects/", status=429, reset_at=reset_at)
    with pytest.raises(RateLimited) as raised:
        client.fetch(repo("group/sub/project"))
    assert raised.value.reset_at == reset_at
    assert raised.value.status == 429


def test_spent_budget_on_the_fake_answers_429_with_retry_after(httpserver, http):
    """Past its limit the fake answers 429 with Retry-After; the client waits that long."""
    fake = FakeGitLab(rate_limit=1)
    add_project(fake)
    client = GitLabClient(http(fake.install(httpserver)))
    facts = client.fetch(repo("group/sub/project"))
    assert facts.unavailable == (
        "last_commit_at",
        "total_commits",
        "weekly_commits",
        "contributors",
    )
    with pytest.raises(RateLimited) as raised:
        client.fetch(repo("group/sub/project"))
    assert raised.value.reset_at > NOW + timedelta(minutes=50)


def test_server_error_is_an_upstream_error(fake, client):
    """A 503 on the project is an UpstreamError with its status."""
    add_project(fake)
    fake.fail(r"/projects/group/sub/project$", 503)
    with pytest.raises(UpstreamError) as raised:
        client.fetch(repo("group/sub/project"))
    assert raised.value.status == 503


def test_slow_answer_past_the_timeout_is_an_upstream_error(fake, base_url, http, release_later):
    """An answer slower than the client's timeout is an UpstreamError."""
    add_project(fake)
    fake.hold(r"/projects/", release_later())
    with pytest.raises(UpstreamError, match="in time"):
        GitLabClient(http(base_url, timeout=0.2)).fetch(repo("group/sub/project"))


def test_malformed_json_on_a_part_leaves_it_unavailable(fake, client):
    """A contributors page that is not JSON leaves contributors None; the rest arrives."""
    add_project(fake)
    fake.malformed(r"/contributors$")
    facts = client.fetch(repo("group/sub/project"))
    assert facts.contributors is None
    assert facts.unavailable == ("contributors",)
    assert facts.stars == 42


def test_archived_project_says_so(fake, client):
    """archived comes through."""
    add_project(fake, archived=True)
    assert client.fetch(repo("group/sub/project")).archived is True


def test_moved_project_is_followed_once_and_has_its_new_path(fake, client):
    """A project moved to another group redirects; the facts carry path_with_namespace."""
    add_project(fake)
    fake.rename("group/sub/project", "other/project")
    facts = client.fetch(repo("group/sub/project"))
    assert facts.path == "other/project"
    assert facts.total_commits == 60


def test_redirect_to_another_host_is_refused(fake, client):
    """A redirect off the configured host is an UpstreamError."""
    add_project(fake)
    fake.redirect(r"/projects/group/sub/project$", "https://gitlab.evil.example/api/v4/projects/1")
    with pytest.raises(UpstreamError, match="not followed"):
        client.fetch(repo("group/sub/project"))


def test_empty_project_has_no_activity(fake, client):
    """A project without commits (no default branch) gets zeros and no contributors."""
    fake.add("group/empty", stars=3)
    facts = client.fetch(repo("group/empty"))
    assert (facts.total_commits, facts.last_commit_at) == (0, None)
    assert facts.weekly_commits == (0,) * 52
    assert facts.contributors == ()
    assert len(fake.seen) == 1
