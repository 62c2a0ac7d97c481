"""Every host under every fault test_runner.py does not already try: no fact is lost or zeroed.

test_runner.py covers 404, 410, 502, timeouts, bodies that are not JSON, spent limits with a
reset (403 on GitHub, 429 elsewhere) and GitHub's 202 from participation; test_pypi_wrong_types
covers PyPI's wrong-typed fields. Here: 500, 503, a 202 where no 202 is expected, 429 with
Retry-After, 403 with spent limit headers on every host, a body over `MAX_BODY_BYTES`, and
wrong-typed fields from each code host. After each, every stored fact equals what it was, the
package is listed and the failure is recorded with when to ask again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from packyard.refresh.models import FetchStatus, Source
from packyard.refresh.services import FIRST_RETRY
from packyard.sources.base import MAX_BODY_BYTES

from .conftest import NOW
from .test_runner import (
    FORGES,
    PYPI_PATTERN,
    facts_of,
    fetched_package,
    listed,
    refresh,
    state_of,
    use_forge,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen"), pytest.mark.attack]

RESET_AT = NOW + timedelta(minutes=30)
HOSTS = [*FORGES, "pypi"]


def failing(status, says):
    """A fault after which the fetch is failing, retried soon, its error saying `says`."""

    def put(fake, pattern, repository):
        fake.fail(pattern, status, body={"message": f"Fake {status}"})
        return says

    return put, (FetchStatus.FAILING, NOW + FIRST_RETRY)


def huge(fake, pattern, repository):
    fake.huge(pattern, MAX_BODY_BYTES + 1)
    return "bytes"


def retry_after(fake, pattern, repository):
    fake.limit(pattern, status=429, retry_after=120)
    return "rate limit"


def spent_403(fake, pattern, repository):
    fake.limit(pattern, status=403, reset_at=RESET_AT)
    return "rate limit"


def wrong_description(fake, pattern, repository):
    repository.description = 12
    return "description"


def wrong_archived(fake, pattern, repository):
    repository.archived = "yes"
    return "rchived"


FAILING = (FetchStatus.FAILING, NOW + FIRST_RETRY)
FAULTS = {
    "500": failing(500, "500"),
    "503": failing(503, "503"),
    "202": failing(202, "202"),
    "huge body": (huge, FAILING),
    "429 Retry-After": (retry_after, (FetchStatus.RATE_LIMITED, NOW + timedelta(seconds=120))),
    "403 rate-limited": (spent_403, (FetchStatus.RATE_LIMITED, RESET_AT)),
    "wrong type: description": (wrong_description, FAILING),
    "wrong type: archived": (wrong_archived, FAILING),
}
# Bitbucket Cloud sends no archived flag; PyPI's wrong types are in test_pypi_wrong_types.
SKIP = {("bitbucket", "wrong type: archived")} | {
    ("pypi", fault) for fault in FAULTS if fault.startswith("wrong type")
}
CELLS = [(host, fault) for host in HOSTS for fault in FAULTS if (host, fault) not in SKIP]


@pytest.mark.parametrize(("kind", "fault"), CELLS)
def test_a_fault_loses_no_fact_and_is_recorded(upstreams, settings, client, kind, fault):
    """The fault fails the fetch; every fact stays as it was; the package stays listed."""
    put, (status, due) = FAULTS[fault]
    if kind == "pypi":
        upstreams.pypi.add("django-fetch", version="1.0", summary="Fetches things")
        package = upstreams.package("github", "owner/django-fetch", pypi_name="django-fetch")
        sources, source = [Source.PYPI], Source.PYPI
        refresh(package, sources=sources)
        fake, pattern, repository = upstreams.pypi, PYPI_PATTERN, None
    else:
        forge = use_forge(kind, settings)
        _, host, path, pattern = forge
        package = fetched_package(upstreams, forge)
        sources, source = [Source.REPOSITORY], Source.REPOSITORY
        fake = upstreams.forge(host)
        repository = fake.get(path)
    before = facts_of(package)
    says = put(fake, pattern, repository)

    summary = refresh(package, sources=sources)

    after = facts_of(package)
    lost = sorted(name for name in before if after[name] != before[name])
    print(f"fault matrix: {kind} / {fault}: facts lost {len(lost)} {lost}")
    assert lost == []
    state = state_of(package, source)
    assert (state.status, state.next_due_at) == (status, due)
    assert summary.failed == 1
    assert says in state.last_error
    assert listed(client, package)
