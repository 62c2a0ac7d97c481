"""PyPIClient against a fake PyPI JSON API on a real local server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from packyard.sources.errors import NotFound, RateLimited, UpstreamError
from packyard.sources.pypi import PyPIClient, licence
from packyard.sources.types import PyPIRelease, Validators, Vulnerability
from tests.fakes import FakePyPI, pypi_file


@pytest.fixture
def fake():
    return FakePyPI()


@pytest.fixture
def base_url(fake, httpserver):
    return fake.install(httpserver)


@pytest.fixture
def client(base_url, http, budget):
    return PyPIClient(http(base_url), budget=budget)


def at(*args):
    return datetime(*args, tzinfo=UTC)


def test_releases_have_utc_upload_times_from_their_earliest_file(fake, client):
    """A release's upload time is its earliest file's, aware UTC; ordered oldest first."""
    plus_two = timezone(timedelta(hours=2))
    fake.add(
        "django-widgets",
        version="2.0",
        releases={
            "2.0": [
                pypi_file(at(2025, 5, 2, 10, 0), filename="w-2.0-py3-none-any.whl"),
                pypi_file(datetime(2025, 5, 2, 11, 30, tzinfo=plus_two), filename="w-2.0.tar.gz"),
            ],
            "1.0": [pypi_file(at(2024, 1, 1, 8, 0))],
            "0.1": [],
        },
    )
    project = client.fetch("django-widgets")
    assert [release.version for release in project.releases] == ["0.1", "1.0", "2.0"]
    assert project.releases[0].upload_time is None
    assert project.releases[1].upload_time == at(2024, 1, 1, 8, 0)
    assert project.releases[2].upload_time == at(2025, 5, 2, 9, 30)
    assert project.releases[2].upload_time.utcoffset() == timedelta(0)


def test_upload_time_without_iso_field_is_read_as_utc(fake, client):
    """An old answer with only `upload_time` (no zone) is read as UTC."""
    file = pypi_file(at(2019, 7, 1, 12, 0))
    del file["upload_time_iso_8601"]
    fake.add("old-package", releases={"1.0": [file]})
    [release] = client.fetch("old-package").releases
    assert release.upload_time == at(2019, 7, 1, 12, 0)


def test_yanked_only_when_every_file_is_with_its_reason(fake, client):
    """A release is yanked when all its files are; the reason comes with it."""
    fake.add(
        "pkg",
        version="1.1",
        releases={
            "1.0": [pypi_file(at(2024, 1, 1), yanked=True, yanked_reason="Broken wheel")],
            "1.1": [
                pypi_file(at(2024, 2, 1), yanked=True, yanked_reason="Bad"),
                pypi_file(at(2024, 2, 1), filename="pkg-1.1.tar.gz"),
            ],
        },
    )
    releases = {release.version: release for release in client.fetch("pkg").releases}
    assert releases["1.0"] == PyPIRelease("1.0", at(2024, 1, 1), True, "Broken wheel", False)
    assert (releases["1.1"].yanked, releases["1.1"].yanked_reason) == (False, "")


def test_pre_releases_are_marked(fake, client):
    """rc, beta and dev releases are pre-releases; final and invalid versions are not."""
    files = [pypi_file(at(2024, 1, 1))]
    fake.add(
        "pkg",
        releases=dict.fromkeys(("1.0", "2.0rc1", "2.0b2", "2.1.dev3", "not a version"), files),
    )
    flags = {release.version: release.prerelease for release in client.fetch("pkg").releases}
    assert flags == {
        "1.0": False,
        "2.0rc1": True,
        "2.0b2": True,
        "2.1.dev3": True,
        "not a version": False,
    }


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"license_expression": "MIT OR Apache-2.0", "license": "BSD"}, "MIT OR Apache-2.0"),
        ({"license_expression": "", "license": "BSD-3-Clause"}, "BSD-3-Clause"),
        (
            {"license": "UNKNOWN", "classifiers": ["License :: OSI Approved :: MIT License"]},
            "MIT License",
        ),
        (
            {"license": "", "classifiers": ["License :: OSI Approved :: BSD License"]},
            "BSD License",
        ),
        (
            {"license": "BSD 3-Clause License\n\nCopyright (c) 2010 ...\n" + "x" * 500},
            "BSD 3-Clause License",
        ),
        (
            {
                "license": "Copyright (c) Django Software Foundation.\nAll rights reserved.\n" * 20,
                "classifiers": ["License :: OSI Approved :: BSD License"],
            },
            "BSD License",
        ),
        ({"license": None, "classifiers": ["License :: OSI Approved"]}, ""),
    ],
)
def test_licence_precedence(info, expected):
    """license_expression, then a licence name in license, then the License classifiers."""
    assert licence(info) == expected


def test_project_metadata_and_urls_are_picked_by_label(fake, client):
    """Metadata comes through; documentation, changelog and source are picked by label."""
    fake.add(
        "django-things",
        version="3.1",
        summary="  Things for Django  ",
        keywords="django,things",
        license_expression="MIT",
        requires_python=">=3.12",
        classifiers=["Framework :: Django", "License :: OSI Approved :: MIT License"],
        requires_dist=["Django>=5.2", "httpx; extra == 'http'"],
        project_urls={
            "Homepage": "https://things.example",
            "Read The Docs": "https://things.readthedocs.io",
            "Change Log": "https://things.example/changes",
            "Source Code": "https://github.com/example/things",
            "Issue Tracker": "https://github.com/example/things/issues",
        },
    )
    project = client.fetch("django-things")
    assert (project.name, project.version, project.summary) == (
        "django-things",
        "3.1",
        "Things for Django",
    )
    assert project.keywords == "django,things"
    assert project.license == "MIT"
    assert project.requires_python == ">=3.12"
    assert project.classifiers == ("Framework :: Django", "License :: OSI Approved :: MIT License")
    assert project.requires_dist == ("Django>=5.2", "httpx; extra == 'http'")
    assert project.documentation_url == "https://things.readthedocs.io"
    assert project.changelog_url == "https://things.example/changes"
    assert project.source_url == "https://github.com/example/things"
    assert project.project_urls["Issue Tracker"].endswith("/issues")


def test_missing_lists_are_empty_and_docs_url_is_the_fallback(fake, client):
    """requires_dist null is (), project_urls null is {}, docs_url stands in for documentation."""
    fake.add(
        "bare", requires_dist=None, project_urls=None, docs_url="https://pythonhosted.org/bare/"
    )
    project = client.fetch("bare")
    assert project.requires_dist == ()
    assert dict(project.project_urls) == {}
    assert project.documentation_url == "https://pythonhosted.org/bare/"
    assert project.changelog_url == project.source_url == ""


def test_vulnerabilities_are_read(fake, client):
    """Each OSV record gives id, aliases, summary (else details), link, fixed_in, withdrawn."""
    fake.add(
        "vulnerable",
        vulnerabilities=[
            {
                "id": "PYSEC-2024-1",
                "aliases": ["CVE-2024-0001", "GHSA-aaaa-bbbb-cccc"],
                "summary": None,
                "details": "Cross-site scripting in the admin.",
                "link": "https://osv.dev/vulnerability/PYSEC-2024-1",
                "fixed_in": ["1.2.1", "1.3"],
                "source": "osv",
                "withdrawn": None,
            },
            {
                "id": "GHSA-xxxx",
                "aliases": [],
                "summary": "Withdrawn report",
                "details": "",
                "link": "https://osv.dev/vulnerability/GHSA-xxxx",
                "fixed_in": [],
                "withdrawn": "2024-06-01T00:00:00Z",
            },
        ],
    )
    first, second = client.fetch("vulnerable").vulnerabilities
    assert first == Vulnerability(
        id="PYSEC-2024-1",
        aliases=("CVE-2024-0001", "GHSA-aaaa-bbbb-cccc"),
        summary="Cross-site scripting in the admin.",
        link="https://osv.dev/vulnerability/PYSEC-2024-1",
        fixed_in=("1.2.1", "1.3"),
    )
    assert second.withdrawn == at(2024, 6, 1)


def test_project_status_marker_is_read(fake, client):
    """PEP 792's project-status gives the status and its reason."""
    fake.add("old-thing", project_status={"status": "archived", "reason": "Use new-thing"})
    project = client.fetch("old-thing")
    assert (project.yanked_project_status, project.project_status_reason) == (
        "archived",
        "Use new-thing",
    )
    fake.add("new-thing")
    assert client.fetch("new-thing").yanked_project_status == ""


def test_not_on_pypi_is_not_found(fake, client):
    """A 404 is NotFound saying the project is not on PyPI; it is not retryable."""
    with pytest.raises(NotFound, match="not on PyPI") as raised:
        client.fetch("never-published")
    assert raised.value.retryable is False


def test_other_spelling_of_the_name_is_redirected_once(fake, client):
    """PyPI's 301 to the project's own spelling is followed on the same host."""
    fake.add("Django-Widgets")
    project = client.fetch("django_widgets")
    assert project.name == "Django-Widgets"
    assert [seen.status for seen in fake.seen] == [301, 200]


def test_second_fetch_reuses_the_trimmed_body_on_304(fake, client, budget):
    """A 304 gives the same project from the stored body, which leaves out the description."""
    fake.add("pkg", summary="Kept")
    validators = Validators()
    first = client.fetch("pkg", validators)
    [stored] = validators.entries.values()
    assert "description" not in stored["body"]["info"]
    budget.readings.clear()
    assert client.fetch("pkg", validators) == first
    assert budget.costs == [0]
    assert fake.seen[-1].status == 304


def test_server_error_is_an_upstream_error(fake, client):
    """A 503 is an UpstreamError (retryable)."""
    fake.add("pkg")
    fake.fail(r"/pypi/pkg/json", 503)
    with pytest.raises(UpstreamError) as raised:
        client.fetch("pkg")
    assert raised.value.retryable is True


def test_too_many_requests_is_rate_limited(fake, client):
    """A 429 with Retry-After is RateLimited."""
    fake.add("pkg")
    fake.limit(r"/pypi/pkg/json", status=429, retry_after=10)
    with pytest.raises(RateLimited):
        client.fetch("pkg")


def test_slow_answer_past_the_timeout_is_an_upstream_error(fake, base_url, http, release_later):
    """An answer slower than the client's timeout is an UpstreamError."""
    fake.add("pkg")
    fake.hold(r"/pypi/", release_later())
    with pytest.raises(UpstreamError, match="in time"):
        PyPIClient(http(base_url, timeout=0.2)).fetch("pkg")


def test_malformed_json_is_an_upstream_error(fake, client):
    """A body that is not JSON is an UpstreamError."""
    fake.add("pkg")
    fake.malformed(r"/pypi/pkg/json")
    with pytest.raises(UpstreamError, match="not JSON"):
        client.fetch("pkg")
