"""Fixtures for the refresh tests: every upstream as a real local server, and packages on them."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from packyard.core.repositories import repository_identity
from packyard.sources import registry
from tests.factories import PackageFactory
from tests.fakes import (
    FakeBitbucket,
    FakeForge,
    FakeForgejo,
    FakeGitHub,
    FakeGitLab,
    FakePyPI,
    FakeUpstream,
    Served,
    serve,
)

# The moment tests freeze the clock at: weekly counts, ages and due times are read from it.
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@dataclass
class Upstreams:
    """Fake GitHub, GitLab, Bitbucket, Forgejo and PyPI, each served on 127.0.0.1."""

    github: FakeGitHub
    gitlab: FakeGitLab
    bitbucket: FakeBitbucket
    forgejo: FakeForgejo
    pypi: FakePyPI
    servers: dict[str, Served]
    events: list[threading.Event] = field(default_factory=list)

    @property
    def gitlab_site(self) -> str:
        return self.servers["gitlab"].url.removesuffix(FakeGitLab.prefix)

    @property
    def forgejo_site(self) -> str:
        return self.servers["forgejo"].url.removesuffix(FakeForgejo.prefix)

    @property
    def fakes(self) -> dict[str, FakeUpstream]:
        return {
            "github": self.github,
            "gitlab": self.gitlab,
            "bitbucket": self.bitbucket,
            "forgejo": self.forgejo,
            "pypi": self.pypi,
        }

    def forge(self, host: str) -> FakeForge:
        """Return the fake code host of a kind of host ("github", "gitlab", ...)."""
        forge = self.fakes[host]
        assert isinstance(forge, FakeForge)
        return forge

    def repo_url(self, host: str, path: str) -> str:
        """Return a repository's address as people paste it."""
        sites = {
            "github": "https://github.com",
            "bitbucket": "https://bitbucket.org",
            "gitlab": self.gitlab_site,
            "forgejo": self.forgejo_site,
        }
        return f"{sites[host]}/{path}"

    def package(self, host: str, path: str, *, pypi_name: str = "", **fields):
        """Add a package whose repository is `path` on `host`; nothing fetched yet."""
        url = self.repo_url(host, path)
        kind, key = repository_identity(url)
        title = fields.pop("title", path.rsplit("/", 1)[-1])
        return PackageFactory(
            title=title,
            repo_url=url,
            repo_host=kind,
            repo_key=key,
            pypi_name=pypi_name,
            description="",
            **fields,
        )

    def release_later(self) -> threading.Event:
        """Return an event for held answers; it is set before the servers close."""
        event = threading.Event()
        self.events.append(event)
        return event

    def requests(self) -> int:
        """Return how many requests every fake answered so far."""
        return sum(len(fake.seen) for fake in self.fakes.values())


def close_all(servers: Iterable[Served]) -> None:
    """Close servers side by side, waking each one's poll so none waits out its half second."""
    closers = {}
    for served in servers:
        closers[served.server.server_port] = threading.Thread(target=served.close)
        closers[served.server.server_port].start()
    while any(closer.is_alive() for closer in closers.values()):
        for port, closer in closers.items():
            if closer.is_alive():
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                closer.join(0.005)


@pytest.fixture
def upstreams(settings):
    """Serve every fake upstream and point the settings at them."""
    registry.clear_clients()
    cache.clear()
    fakes = {
        "github": FakeGitHub(),
        "gitlab": FakeGitLab(),
        "bitbucket": FakeBitbucket(),
        "forgejo": FakeForgejo(),
        "pypi": FakePyPI(),
    }
    servers = {name: serve(fake) for name, fake in fakes.items()}
    found = Upstreams(servers=servers, **fakes)
    settings.GITHUB_API_URL = servers["github"].url
    # GitHub's GraphQL API needs a token, so it is off without one; the fake needs none.
    settings.GITHUB_GRAPHQL = True
    settings.GITLAB_URL = found.gitlab_site
    settings.BITBUCKET_API_URL = servers["bitbucket"].url
    settings.FORGEJO_HOSTS = [found.forgejo_site]
    settings.PYPI_URL = servers["pypi"].url
    yield found
    for event in found.events:
        event.set()
    registry.clear_clients()
    cache.clear()
    close_all(servers.values())


@pytest.fixture
def frozen(time_machine):
    """Stop the clock at NOW (monotonic time, and so every timeout, still runs)."""
    time_machine.move_to(NOW, tick=False)
    return NOW
