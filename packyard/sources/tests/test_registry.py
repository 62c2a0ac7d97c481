"""The registry: which client for which host, rate budgets' host keys, shared helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from packyard.core.repositories import Repository, RepositoryHost, parse_repository_url
from packyard.sources import registry
from packyard.sources.bitbucket import BitbucketClient
from packyard.sources.forgejo import ForgejoClient
from packyard.sources.github import GitHubClient
from packyard.sources.gitlab import GitLabClient
from packyard.sources.pypi import PyPIClient
from packyard.sources.registry import (
    looks_like_bot,
    parse_links,
    parse_timestamp,
    read_rate,
    weekly_counts,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def hosts(settings):
    settings.GITHUB_API_URL = "https://api.github.com"
    settings.GITHUB_GRAPHQL = True
    settings.GITLAB_URL = "https://gitlab.com"
    settings.GITLAB_HOSTS = ["git.example.org"]
    settings.GITLAB_TOKEN = "gitlab-secret"
    settings.FORGEJO_HOSTS = ["http://forge.local:3000"]
    settings.BITBUCKET_API_URL = "https://api.bitbucket.org/2.0"
    settings.PYPI_URL = "https://pypi.org"
    return settings


@pytest.mark.parametrize(
    ("url", "kind", "base_url", "host"),
    [
        (
            "https://github.com/django/django",
            GitHubClient,
            "https://api.github.com",
            "api.github.com",
        ),
        ("https://gitlab.com/a/b/c", GitLabClient, "https://gitlab.com/api/v4", "gitlab.com"),
        (
            "https://git.example.org/a/b",
            GitLabClient,
            "https://git.example.org/api/v4",
            "git.example.org",
        ),
        ("https://codeberg.org/a/b", ForgejoClient, "https://codeberg.org/api/v1", "codeberg.org"),
        (
            "http://forge.local:3000/a/b",
            ForgejoClient,
            "http://forge.local:3000/api/v1",
            "forge.local:3000",
        ),
        (
            "https://bitbucket.org/a/b",
            BitbucketClient,
            "https://api.bitbucket.org/2.0",
            "api.bitbucket.org",
        ),
    ],
)
def test_client_for_each_host_uses_its_configured_api(hosts, url, kind, base_url, host):
    """Each host gets its client, the API base URL from settings and its budget's host key."""
    repository = parse_repository_url(url)
    client = registry.client_for(repository)
    assert isinstance(client, kind)
    assert str(client.session.client.base_url).rstrip("/") == base_url
    assert registry.host_key(repository) == host
    assert client.session.host == host


def test_connection_pool_is_kept_per_host(hosts, budget):
    """Two repositories on one host share one httpx.Client; the budget reaches the client."""
    first = registry.client_for(parse_repository_url("https://github.com/a/b"), budget=budget)
    second = registry.client_for(parse_repository_url("https://github.com/c/d"))
    assert first.session.client is second.session.client
    assert first.session.budget is budget
    assert first.graphql is True


def test_gitlab_token_goes_only_to_the_configured_gitlab(hosts):
    """GITLAB_TOKEN is sent to GITLAB_URL's host, never to another GitLab."""
    public = registry.client_for(parse_repository_url("https://gitlab.com/a/b"))
    other = registry.client_for(parse_repository_url("https://git.example.org/a/b"))
    assert public.session.client.headers["Authorization"] == "Bearer gitlab-secret"
    assert "Authorization" not in other.session.client.headers


def test_github_graphql_setting_turns_rest_only_on(hosts):
    """GITHUB_GRAPHQL=False gives a client that reads every fact from REST."""
    hosts.GITHUB_GRAPHQL = False
    client = registry.client_for(parse_repository_url("https://github.com/a/b"))
    assert client.graphql is False


def test_pypi_client_from_settings(hosts, budget):
    """The PyPI client talks to PYPI_URL and spends the pypi.org budget."""
    client = registry.pypi_client(budget=budget)
    assert isinstance(client, PyPIClient)
    assert str(client.session.client.base_url) == "https://pypi.org"
    assert client.session.host == registry.PYPI_HOST == "pypi.org"


def test_unsupported_host_has_no_client():
    """A repository on no supported host is refused with UnsupportedHost."""
    repository = Repository(host=RepositoryHost.OTHER, domain="example.com", path="a/b")
    with pytest.raises(registry.UnsupportedHost):
        registry.client_for(repository)


def test_weekly_counts_put_the_last_seven_days_last():
    """Week 51 is the seven days up to now, week 0 the oldest; older commits are left out."""
    dates = [
        NOW,
        NOW - timedelta(days=6, hours=23),
        NOW - timedelta(days=7, hours=1),
        NOW - timedelta(weeks=51, days=6),
        NOW - timedelta(weeks=52, hours=1),
        NOW + timedelta(minutes=5),
    ]
    counts = weekly_counts(dates, now=NOW)
    assert len(counts) == 52
    assert counts[51] == 3
    assert counts[50] == 1
    assert counts[0] == 1
    assert sum(counts) == 5


def test_rate_headers_of_github_and_gitlab_are_read():
    """X-RateLimit-* and RateLimit-* give limit, remaining and an aware reset time."""
    reset = int((NOW + timedelta(minutes=30)).timestamp())
    github = read_rate(
        {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "12",
            "X-RateLimit-Reset": str(reset),
        },
        cost=1,
        now=NOW,
    )
    assert (github.limit, github.remaining, github.reset_at, github.cost) == (
        5000,
        12,
        NOW + timedelta(minutes=30),
        1,
    )
    gitlab = read_rate({"RateLimit-Limit": "600", "RateLimit-Remaining": "0"}, cost=0, now=NOW)
    assert (gitlab.limit, gitlab.remaining, gitlab.reset_at) == (600, 0, None)


def test_retry_after_in_seconds_or_as_a_date():
    """Retry-After is read as seconds or as an HTTP date."""
    assert read_rate({"Retry-After": "90"}, cost=1, now=NOW).retry_after == 90
    dated = read_rate({"Retry-After": "Mon, 01 Jun 2026 12:02:00 GMT"}, cost=1, now=NOW)
    assert dated.retry_after == 120


def test_link_headers_are_read_by_relation():
    """rel="next" and rel="last" are found, with several relations in one link."""
    links = parse_links(
        '<https://api.example/x?page=2>; rel="next", '
        '<https://api.example/x?page=9>; rel="last first"'
    )
    assert links == {
        "next": "https://api.example/x?page=2",
        "last": "https://api.example/x?page=9",
        "first": "https://api.example/x?page=9",
    }


def test_timestamps_become_aware_utc():
    """Z, offsets, long fractions and naive times all become aware UTC datetimes."""
    assert parse_timestamp("2024-01-01T10:00:00Z") == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert parse_timestamp("2024-01-01T12:00:00.000+02:00") == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert parse_timestamp("2024-01-01T10:00:00.1234567Z") == datetime(
        2024, 1, 1, 10, 0, 0, 123456, tzinfo=UTC
    )
    assert parse_timestamp("2024-01-01T10:00:00") == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(None) is None


@pytest.mark.parametrize(
    ("name", "bot"),
    [
        ("dependabot[bot]", True),
        ("renovate[bot]", True),
        ("GitLab Bot", True),
        ("release-bot", True),
        ("Abbott", False),
        ("Ada Lovelace", False),
    ],
)
def test_bot_names(name, bot):
    """Bots are told by a [bot] or bot suffix and a few well-known names."""
    assert looks_like_bot(name) is bot
