"""Local servers that answer as GitHub, GitLab, Bitbucket, Forgejo, PyPI and GitHub's OAuth do.

The fake code hosts and PyPI (one module each, on `tests.fakes.base` and `tests.fakes.forge`)
answer in each API's documented shapes, for tests and benchmarks; `tests.fakes.github_oauth`
is GitHub's login.

Each fake is a small werkzeug app holding its repositories (or projects) in memory; a test
changes them between requests (rename, archive, delete, add commits) and injects faults:

- ``fail(pattern, status)``: answer with a status (404, 410, 5xx, ...);
- ``malformed(pattern)``: a 200 whose body is not JSON;
- ``hold(pattern, event)``: answer only once the `threading.Event` is set (a slow answer past
  the client's timeout, without sleeping in the test);
- ``limit(pattern, status=403 or 429, reset_at=..., retry_after=...)``: a spent rate limit;
- ``redirect(pattern, location)``: a redirect, to the same host or elsewhere.

A pattern is a regular expression searched in the request path; a fault fires ``times`` times.
Every request is recorded in ``seen`` with the units it cost. With ``rate_limit`` set a fake
counts units GitHub's way (each answer 1 unit, a GraphQL query its cost, a 304 nothing), sends
the limit headers and answers 403 (GitHub) or 429 (GitLab) once they are spent.

Use a fake under pytest-httpserver (``base_url = FakeGitHub().install(httpserver)``) or as a
threaded server of its own (``with serve(FakeGitHub(latency=0.05)) as served: served.url``),
which is how the refresh benchmark runs them.

The shapes follow the upstream documentation linked from each client module:
`packyard.sources.github`, `packyard.sources.gitlab`, `packyard.sources.bitbucket`,
`packyard.sources.forgejo` and `packyard.sources.pypi`.
"""

from __future__ import annotations

from tests.fakes.base import FakeUpstream, Reply, Seen, Served, iso, serve
from tests.fakes.bitbucket import FakeBitbucket
from tests.fakes.forge import FakeCommit, FakeForge, FakeRepository, make_commits
from tests.fakes.forgejo import FakeForgejo
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.pypi import FakePyPI, normalise_name, pypi_file

__all__ = [
    "FakeBitbucket",
    "FakeCommit",
    "FakeForge",
    "FakeForgejo",
    "FakeGitHub",
    "FakeGitLab",
    "FakePyPI",
    "FakeRepository",
    "FakeUpstream",
    "Reply",
    "Seen",
    "Served",
    "iso",
    "make_commits",
    "normalise_name",
    "pypi_file",
    "serve",
]
