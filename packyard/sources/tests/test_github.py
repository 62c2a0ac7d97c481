"""GitHubClient against a fake GitHub on a real local server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from packyard.core.repositories import Repository, RepositoryHost
from packyard.sources.errors import Gone, NotFound, RateLimited, UpstreamError
from packyard.sources.github import GitHubClient
from packyard.sources.github_graphql import batch_query
from packyard.sources.parsing import weekly_counts
from packyard.sources.types import Contributor, RepositoryFacts, Validators
from tests.fakes import FakeGitHub, make_commits

from .conftest import RecordingBudget

NOW = datetime.now(UTC)


def repo(path: str) -> Repository:
    return Repository(host=RepositoryHost.GITHUB, domain="github.com", path=path)


@pytest.fixture
def fake():
    return FakeGitHub()


@pytest.fixture
def base_url(fake, httpserver):
    return fake.install(httpserver)


@pytest.fixture
def client(base_url, http, budget):
    return GitHubClient(http(base_url), budget=budget, host="api.github.com")


def add_django(fake, **fields):
    commits = make_commits(
        30,
        now=NOW,
        every=timedelta(days=5),
        authors=[("jacob", "Jacob"), ("adrian", "Adrian"), ("dependabot[bot]", "dependabot")],
    )
    values = {
        "stars": 1234,
        "forks": 56,
        "description": "The web framework",
        "commits": commits,
        **fields,
    }
    return fake.add("django/django", **values)


def test_graphql_facts_are_parsed_exactly(fake, client):
    """Every fact comes back as the fake holds it: counts, branch, newest commit, weeks, people."""
    repository = add_django(fake)
    facts = client.fetch(repo("django/django"), Validators())
    assert facts == RepositoryFacts(
        path="django/django",
        stars=1234,
        forks=56,
        description="The web framework",
        archived=False,
        default_branch="main",
        archived_at=None,
        last_commit_at=repository.commits[0].date,
        total_commits=30,
        weekly_commits=weekly_counts([c.date for c in repository.commits], now=NOW),
        contributors=(
            Contributor("jacob"),
            Contributor("adrian"),
            Contributor("dependabot[bot]", is_bot=True),
        ),
    )
    assert facts.last_commit_at.tzinfo is not None


def test_fetch_many_sends_one_graphql_query_and_marks_only_the_missing_one(fake, client):
    """Three repositories are one GraphQL request; the one GitHub cannot resolve is NotFound."""
    add_django(fake)
    fake.add("encode/httpx", stars=10, commits=make_commits(3, now=NOW))
    repositories = [repo("django/django"), repo("gone/missing"), repo("encode/httpx")]
    results = client.fetch_many(repositories, {r.key: Validators() for r in repositories})
    assert len(fake.requests_to(r"/graphql$")) == 1
    assert isinstance(results["github.com/gone/missing"], NotFound)
    assert results["github.com/django/django"].stars == 1234
    assert results["github.com/encode/httpx"].total_commits == 3
    assert not fake.requests_to(r"/repos/gone/missing")


def test_fetch_many_batches_fifty_repositories_per_query(fake, client):
    """Sixty repositories take two GraphQL queries, with fifty aliases in the first."""
    repositories = []
    for index in range(60):
        fake.add(f"owner/project{index}", stars=index)
        repositories.append(repo(f"owner/project{index}"))
    results = client.fetch_many(repositories)
    assert len(fake.requests_to(r"/graphql$")) == 2
    assert [results[r.key].stars for r in repositories] == list(range(60))
    assert batch_query(50).count(": repository(") == 50


def test_participation_202_keeps_going_and_marks_weekly_commits_pending(fake, client):
    """A 202 leaves the weekly counts None and pending; the other facts still arrive."""
    add_django(fake, stats_pending=1)
    validators = Validators()
    facts = client.fetch(repo("django/django"), validators)
    assert facts.weekly_commits is None
    assert facts.pending == ("weekly_commits",)
    assert facts.contributors is not None
    assert facts.stars == 1234
    again = client.fetch(repo("django/django"), validators)
    assert again.pending == ()
    assert again.weekly_commits is not None
    assert sum(again.weekly_commits) > 0


def test_second_fetch_reuses_bodies_on_304_and_spends_no_rest_units(fake, client, budget):
    """With the same validators, REST answers are 304s that cost 0 units and give the same facts."""
    add_django(fake)
    validators = Validators()
    first = client.fetch(repo("django/django"), validators)
    core_before = fake.used["core"]
    budget.readings.clear()
    second = client.fetch(repo("django/django"), validators)
    assert second == first
    assert fake.used["core"] == core_before
    rest = [seen.status for seen in fake.seen[-2:]]
    assert rest == [304, 304]
    assert budget.costs == [1, 0, 0]  # The GraphQL query, then two free 304s.


def test_contributors_follow_next_links_up_to_the_page_bound(fake, base_url, http):
    """Contributor pages are followed by rel=next, at most max_contributor_pages of them."""
    authors = [(f"person{index}", f"Person {index}") for index in range(250)]
    fake.add("big/project", commits=make_commits(250, now=NOW, authors=authors))
    client = GitHubClient(http(base_url), max_contributor_pages=2)
    facts = client.fetch(repo("big/project"))
    assert len(facts.contributors) == 200
    assert len(fake.requests_to(r"/contributors$")) == 2
    every = GitHubClient(http(base_url)).fetch(repo("big/project"))
    assert len(every.contributors) == 250


def test_empty_repository_has_no_activity(fake, client):
    """A repository without commits has no default branch, zero weeks and no contributors."""
    fake.add("new/empty", stars=1)
    facts = client.fetch(repo("new/empty"))
    assert facts.total_commits == 0
    assert facts.last_commit_at is None
    assert facts.weekly_commits == (0,) * 52
    assert facts.contributors == ()
    assert not fake.requests_to(r"/stats/participation")


def test_archived_repository_says_so_with_its_date(fake, client):
    """isArchived and archivedAt come through."""
    archived_at = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    add_django(fake, archived=True, archived_at=archived_at)
    facts = client.fetch(repo("django/django"))
    assert facts.archived is True
    assert facts.archived_at == archived_at


def test_renamed_repository_comes_back_under_its_new_path(fake, client):
    """GraphQL resolves the old name; the facts carry the new owner/name."""
    add_django(fake)
    fake.rename("django/django", "djangoproject/django")
    facts = client.fetch(repo("django/django"))
    assert facts.path == "djangoproject/django"
    assert fake.requests_to(r"^/repos/djangoproject/django/contributors$")


def test_rest_mode_reads_every_fact_from_rest(fake, base_url, http):
    """With GraphQL off: /repos, /commits (total from rel=last), participation, contributors."""
    repository = add_django(fake)
    client = GitHubClient(http(base_url), graphql=False)
    facts = client.fetch(repo("django/django"), Validators())
    assert not fake.requests_to(r"/graphql")
    assert (facts.path, facts.stars, facts.forks) == ("django/django", 1234, 56)
    assert facts.description == "The web framework"
    assert facts.total_commits == 30
    assert abs(facts.last_commit_at - repository.commits[0].date) < timedelta(seconds=1)
    assert facts.weekly_commits == weekly_counts([c.date for c in repository.commits], now=NOW)
    assert [c.login for c in facts.contributors] == ["jacob", "adrian", "dependabot[bot]"]


def test_rest_mode_conditional_second_fetch_costs_nothing(fake, base_url, http):
    """Every REST request of a second fetch is a 304 reusing the stored body (and Link)."""
    add_django(fake)
    client = GitHubClient(http(base_url), graphql=False)
    validators = Validators()
    first = client.fetch(repo("django/django"), validators)
    before = fake.units_used
    assert client.fetch(repo("django/django"), validators) == first
    assert fake.units_used == before


def test_rest_mode_follows_a_rename_once_on_the_same_host(fake, base_url, http):
    """A 301 to /repositories/{id} on the same host is followed; the facts have the new path."""
    add_django(fake)
    fake.rename("django/django", "djangoproject/django")
    client = GitHubClient(http(base_url), graphql=False)
    facts = client.fetch(repo("django/django"))
    assert facts.path == "djangoproject/django"
    assert [seen.status for seen in fake.requests_to(r"^/repos/django/django$")] == [301]


def test_redirect_to_another_host_is_refused(fake, base_url, http):
    """A redirect off the configured host is an UpstreamError, not followed."""
    add_django(fake)
    fake.redirect(r"^/repos/django/django$", "https://elsewhere.example/repos/django/django")
    client = GitHubClient(http(base_url), graphql=False)
    with pytest.raises(UpstreamError, match="not followed"):
        client.fetch(repo("django/django"))


def test_second_redirect_is_not_followed(fake, base_url, http):
    """Only one redirect is followed, even on the same host."""
    add_django(fake)
    fake.redirect(r"^/repos/a/b$", f"{base_url}/repos/c/d")
    fake.redirect(r"^/repos/c/d$", f"{base_url}/repos/django/django")
    client = GitHubClient(http(base_url), graphql=False)
    with pytest.raises(UpstreamError):
        client.fetch(repo("a/b"))


def test_rest_mode_missing_repository_is_not_found(fake, base_url, http):
    """A 404 from /repos is NotFound."""
    with pytest.raises(NotFound):
        GitHubClient(http(base_url), graphql=False).fetch(repo("no/such"))


@pytest.mark.parametrize("status", [410, 451])
def test_removed_or_blocked_repository_is_gone(fake, base_url, http, status):
    """410 and 451 are Gone."""
    add_django(fake, status=status)
    with pytest.raises(Gone):
        GitHubClient(http(base_url), graphql=False).fetch(repo("django/django"))


def test_403_with_spent_rate_headers_is_rate_limited_until_reset(fake, client):
    """403 with X-RateLimit-Remaining 0 is RateLimited with the header's reset time."""
    add_django(fake)
    reset_at = (datetime.now(UTC) + timedelta(minutes=17)).replace(microsecond=0)
    fake.limit(r"/graphql$", status=403, reset_at=reset_at)
    with pytest.raises(RateLimited) as raised:
        client.fetch(repo("django/django"))
    assert raised.value.reset_at == reset_at


def test_429_with_retry_after_waits_that_long(fake, client):
    """A secondary limit's Retry-After sets the reset time."""
    add_django(fake)
    fake.limit(r"/graphql$", status=429, retry_after=120)
    with pytest.raises(RateLimited) as raised:
        client.fetch(repo("django/django"))
    assert (
        timedelta(seconds=110) < raised.value.reset_at - datetime.now(UTC) <= timedelta(seconds=120)
    )


def test_spent_budget_in_a_batch_stops_every_later_request(fake, client):
    """Once the GraphQL query is rate limited no REST request is made and every key waits."""
    add_django(fake)
    fake.add("encode/httpx")
    fake.limit(r"/graphql$", status=403)
    results = client.fetch_many([repo("django/django"), repo("encode/httpx")])
    assert all(isinstance(result, RateLimited) for result in results.values())
    assert not fake.requests_to(r"^/repos/")


def test_spent_units_on_the_fake_become_rate_limited(httpserver, http):
    """A fake with two units answers twice, then 403s; the later parts are unavailable."""
    fake = FakeGitHub(rate_limit=2)
    add_django(fake)
    client = GitHubClient(http(fake.install(httpserver)), graphql=False)
    facts = client.fetch(repo("django/django"))
    assert facts.total_commits == 30
    assert facts.unavailable == ("weekly_commits", "contributors")
    assert [seen.status for seen in fake.seen] == [200, 200, 403]


def test_rate_limit_on_a_part_leaves_it_unavailable_and_stops_the_rest(fake, client):
    """Rate limited on participation: main facts stay, activity parts are unavailable."""
    add_django(fake)
    fake.limit(r"/stats/participation$", status=403)
    facts = client.fetch(repo("django/django"))
    assert facts.stars == 1234
    assert facts.weekly_commits is None
    assert facts.contributors is None
    assert facts.unavailable == ("weekly_commits", "contributors")
    assert not fake.requests_to(r"/contributors$")


def test_server_error_fails_the_whole_batch(fake, client):
    """A 502 from GraphQL is an UpstreamError for every repository of the batch."""
    add_django(fake)
    fake.fail(r"/graphql$", 502)
    with pytest.raises(UpstreamError) as raised:
        client.fetch(repo("django/django"))
    assert raised.value.status == 502


def test_server_error_on_participation_leaves_only_that_part_unavailable(fake, client):
    """A 500 on participation leaves weekly_commits None and unavailable; the rest arrives."""
    add_django(fake)
    fake.fail(r"/stats/participation$", 500)
    facts = client.fetch(repo("django/django"))
    assert facts.weekly_commits is None
    assert facts.unavailable == ("weekly_commits",)
    assert len(facts.contributors) == 3


def test_slow_answer_past_the_timeout_is_an_upstream_error(
    fake, base_url, http, budget, release_later
):
    """An answer slower than the client's timeout is an UpstreamError; the budget is released."""
    add_django(fake)
    fake.hold(r"/graphql$", release_later())
    client = GitHubClient(http(base_url, timeout=0.2), budget=budget, host="api.github.com")
    with pytest.raises(UpstreamError, match="in time"):
        client.fetch(repo("django/django"))
    assert budget.readings == [("api.github.com", None)]


def test_malformed_json_is_an_upstream_error(fake, base_url, http):
    """A 200 whose body is not JSON is an UpstreamError."""
    add_django(fake)
    fake.malformed(r"^/repos/django/django$")
    with pytest.raises(UpstreamError, match="not JSON"):
        GitHubClient(http(base_url), graphql=False).fetch(repo("django/django"))


def test_budget_is_asked_before_every_request_and_may_refuse(fake, base_url, http):
    """A budget that refuses stops the fetch before any request goes out."""
    add_django(fake)
    refusing = RecordingBudget(refuse=RateLimited("spent", reset_at=NOW))
    client = GitHubClient(http(base_url), budget=refusing, host="api.github.com")
    with pytest.raises(RateLimited):
        client.fetch(repo("django/django"))
    assert refusing.acquired == ["api.github.com"]
    assert fake.seen == []


def test_budget_hears_rate_headers_of_each_answer(fake, client, budget):
    """Each release carries the answer's limit, remaining and reset."""
    add_django(fake)
    client.fetch(repo("django/django"))
    hosts = {host for host, _ in budget.readings}
    assert hosts == {"api.github.com"}
    first = budget.readings[0][1]
    assert first.limit == 5000
    assert first.remaining == 4999
    assert first.reset_at is not None
    assert len(budget.acquired) == len(budget.readings) == 3


def test_enterprise_graphql_endpoint_is_beside_the_rest_root():
    """A GitHub Enterprise REST root /api/v3 has its GraphQL endpoint at /api/graphql."""
    enterprise = GitHubClient(httpx.Client(base_url="https://ghe.example/api/v3"))
    assert enterprise.graphql_url == "https://ghe.example/api/graphql"
    public = GitHubClient(httpx.Client(base_url="https://api.github.com"))
    assert public.graphql_url == "https://api.github.com/graphql"


@respx.mock
def test_403_access_blocked_is_gone():
    """GitHub's 403 "Repository access blocked" (a body with "block") is Gone."""
    respx.get("https://api.github.com/repos/bad/repo").respond(
        403, json={"message": "Repository access blocked", "block": {"reason": "tos"}}
    )
    client = GitHubClient(httpx.Client(base_url="https://api.github.com"), graphql=False)
    with pytest.raises(Gone):
        client.fetch(repo("bad/repo"))


@respx.mock
def test_403_without_rate_headers_is_not_a_rate_limit():
    """A plain 403 (a bad token) is an UpstreamError, not RateLimited."""
    respx.get("https://api.github.com/repos/some/repo").respond(
        403, json={"message": "Resource not accessible by integration"}
    )
    client = GitHubClient(httpx.Client(base_url="https://api.github.com"), graphql=False)
    with pytest.raises(UpstreamError) as raised:
        client.fetch(repo("some/repo"))
    assert not isinstance(raised.value, RateLimited)
    assert raised.value.status == 403
