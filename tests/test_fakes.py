"""The fakes as servers of their own, the way the benchmark runs them."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from packyard.core.repositories import Repository, RepositoryHost
from packyard.sources.github import GitHubClient
from packyard.sources.types import Validators
from tests.fakes import FakeGitHub, FakePyPI, make_commits, serve


def test_standalone_fake_github_counts_units_and_304s_cost_nothing():
    """A threaded fake answers the client; a warm fetch spends one GraphQL unit and no REST unit."""
    fake = FakeGitHub(latency=0.01)
    fake.add("django/django", stars=5, commits=make_commits(10))
    with serve(fake) as served, httpx.Client(base_url=served.url) as http:
        client = GitHubClient(http)
        repository = Repository(RepositoryHost.GITHUB, "github.com", "django/django")
        validators = Validators()
        cold = client.fetch(repository, validators)
        spent = fake.units_used
        warm = client.fetch(repository, validators)
    assert cold == warm
    assert spent == 3
    assert fake.units_used - spent == 1
    assert fake.used["graphql"] == 2


def test_standalone_fake_answers_requests_in_parallel():
    """Requests to a threaded fake with latency overlap instead of queueing."""
    fake = FakePyPI(latency=0.2)
    for index in range(8):
        fake.add(f"pkg{index}")
    with serve(fake) as served, httpx.Client(base_url=served.url) as http:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(
                pool.map(lambda i: http.get(f"/pypi/pkg{i}/json").status_code, range(8))
            )
        elapsed = time.monotonic() - started
    assert statuses == [200] * 8
    assert elapsed < 1.2  # One after another would take 1.6 s.
    assert len(fake.seen) == 8


def test_fake_sends_github_rate_headers():
    """Each answer carries X-RateLimit-* counting down; a 304 spends nothing."""
    fake = FakeGitHub(rate_limit=10)
    fake.add("a/b")
    with serve(fake) as served, httpx.Client(base_url=served.url) as http:
        first = http.get("/repos/a/b")
        second = http.get("/repos/a/b", headers={"If-None-Match": first.headers["ETag"]})
        third = http.get("/repos/a/b")
    assert first.headers["X-RateLimit-Remaining"] == "9"
    assert second.status_code == 304
    assert second.headers["X-RateLimit-Remaining"] == "9"
    assert third.headers["X-RateLimit-Remaining"] == "8"
