"""Pick the client for a repository's code host, and PyPI's, keeping each host's connection pool.

`client_for(repository)` returns the client for a repository's host and `pypi_client()` the
PyPI client; each host's `httpx.Client` (its connection pool, built by
`packyard.core.http.build_client` from settings at first use) is kept for the process.
`host_key(repository)` names the host whose rate budget a fetch spends: the domain the API
requests go to (``api.github.com`` for github.com, ``gitlab.com``, ``codeberg.org``, ...).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from packyard.core.repositories import Repository, RepositoryHost
from packyard.sources.bitbucket import BitbucketClient
from packyard.sources.forgejo import ForgejoClient
from packyard.sources.github import GitHubClient
from packyard.sources.gitlab import GitLabClient
from packyard.sources.pypi import PyPIClient
from packyard.sources.types import RateBudget

type ForgeClient = GitHubClient | GitLabClient | BitbucketClient | ForgejoClient

# The client for each code host; `client_for` picks one by the repository's host.
FORGE_CLIENTS: dict[RepositoryHost, type[ForgeClient]] = {
    RepositoryHost.GITHUB: GitHubClient,
    RepositoryHost.GITLAB: GitLabClient,
    RepositoryHost.BITBUCKET: BitbucketClient,
    RepositoryHost.FORGEJO: ForgejoClient,
}


class UnsupportedHost(ValueError):
    """The repository is on a host Packyard has no client for."""


_lock = threading.Lock()
_http_clients: dict[tuple[str, str], httpx.Client] = {}


def _with_scheme(entry: str) -> str:
    entry = entry.strip().rstrip("/")
    return entry if "://" in entry else f"https://{entry}"


def _configured_base(entries: Iterable[str], domain: str) -> str | None:
    """Return the scheme and host of the configured entry for `domain` (``https`` by default)."""
    for entry in entries:
        parts = urlsplit(_with_scheme(entry))
        if parts.netloc.lower().removeprefix("www.") == domain:
            return f"{parts.scheme}://{parts.netloc}"
    return None


def api_url(repository: Repository) -> str:
    """Return the base URL of the API that serves `repository`, from settings."""
    domain = repository.domain.lower()
    if repository.host is RepositoryHost.GITHUB:
        return str(settings.GITHUB_API_URL).rstrip("/")
    if repository.host is RepositoryHost.BITBUCKET:
        return str(settings.BITBUCKET_API_URL).rstrip("/")
    if repository.host is RepositoryHost.GITLAB:
        site = _configured_base([settings.GITLAB_URL, *settings.GITLAB_HOSTS], domain)
        return f"{site or f'https://{domain}'}/api/v4"
    if repository.host is RepositoryHost.FORGEJO:
        site = _configured_base(settings.FORGEJO_HOSTS, domain)
        return f"{site or f'https://{domain}'}/api/v1"
    raise UnsupportedHost(f"{repository.domain} is not a supported code host.")


def host_key(repository: Repository) -> str:
    """Return the host whose rate budget fetching `repository` spends (the API's domain)."""
    return urlsplit(api_url(repository)).netloc.lower()


def _http_client(kind: str, base_url: str, build: Callable[[], httpx.Client]) -> httpx.Client:
    with _lock:
        client = _http_clients.get((kind, base_url))
        if client is None or client.is_closed:
            client = _http_clients[(kind, base_url)] = build()
        return client


def client_for(repository: Repository, *, budget: RateBudget | None = None) -> ForgeClient:
    """Return the client for `repository`'s host; its connection pool is kept per host."""
    base_url = api_url(repository)
    host = host_key(repository)
    kind = FORGE_CLIENTS[repository.host]
    http = _http_client(repository.host.value, base_url, lambda: kind.build_http(base_url=base_url))
    return kind.from_settings(budget=budget, base_url=base_url, host=host, http=http)


def pypi_client(*, budget: RateBudget | None = None) -> PyPIClient:
    """Return the PyPI client; its connection pool is kept for the process."""
    base_url = str(settings.PYPI_URL).rstrip("/")
    http = _http_client("pypi", base_url, lambda: PyPIClient.build_http(base_url=base_url))
    return PyPIClient.from_settings(budget=budget, base_url=base_url, http=http)


def clear_clients() -> None:
    """Close and forget every kept connection pool (tests that change settings call this)."""
    with _lock:
        clients = list(_http_clients.values())
        _http_clients.clear()
    for client in clients:
        client.close()
