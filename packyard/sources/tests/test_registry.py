"""The registry: which client for which host, and rate budgets' host keys."""

from __future__ import annotations

import pytest

from packyard.core.repositories import Repository, RepositoryHost, parse_repository_url
from packyard.sources import registry
from packyard.sources.bitbucket import BitbucketClient
from packyard.sources.forgejo import ForgejoClient
from packyard.sources.github import GitHubClient
from packyard.sources.gitlab import GitLabClient
from packyard.sources.pypi import PYPI_HOST, PyPIClient


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
    assert client.session.host == PYPI_HOST == "pypi.org"


def test_unsupported_host_has_no_client():
    """A repository on no supported host is refused with UnsupportedHost."""
    repository = Repository(host=RepositoryHost.OTHER, domain="example.com", path="a/b")
    with pytest.raises(registry.UnsupportedHost):
        registry.client_for(repository)
