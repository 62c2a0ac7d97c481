"""Fixtures of the accounts tests: a fake GitHub on 127.0.0.1 and the settings that point at it."""

from __future__ import annotations

import pytest

from tests.fakes.github_oauth import FakeGitHubOAuth, GitHubUser

CLIENT_ID = "packyard-test-client"
CLIENT_SECRET = "packyard-test-secret"


@pytest.fixture
def github(httpserver, settings):
    """A fake GitHub (OAuth and API) on a local port, with Packyard's settings pointing at it."""
    fake = FakeGitHubOAuth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    base = fake.install(httpserver)
    settings.GITHUB_OAUTH_URL = base
    settings.GITHUB_API_URL = f"{base}/api"
    settings.GITHUB_CLIENT_ID = CLIENT_ID
    settings.GITHUB_CLIENT_SECRET = CLIENT_SECRET
    fake.signed_in = GitHubUser(login="Octo-Cat", id=583231, name="The Octocat")
    return fake
