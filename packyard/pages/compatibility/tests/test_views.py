"""Tests of the readiness pages: every release, and every package's answer for one release."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from packyard.catalog.models import Package
from packyard.compatibility.services import compatibility_recompute
from tests.factories import GridFactory, GridPackageFactory, PackageFactory, ReleaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("release_cycles")]

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def package_with(title, classifiers=(), requires_dist=(), **fields):
    package = PackageFactory(
        title=title,
        slug=title.lower().replace(" ", "-"),
        pypi_version="1.0",
        requires_dist=list(requires_dist),
        **fields,
    )
    ReleaseFactory(package=package, version="1.0", classifiers=list(classifiers))
    return package


def answered(*packages):
    compatibility_recompute(package_ids=[package.pk for package in packages])


def listed(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/packages/p/[^"]+/">([^<]+)</a>', html)


def test_readiness_lists_releases_with_counts_and_the_rules(client):
    """Every Django and Python release shows its phase and yes/unknown/no counts."""
    answered(
        package_with("Alpha", ["Framework :: Django :: 6.0"]),
        package_with("Bravo", requires_dist=["Django<6"]),
        package_with("Charlie"),
    )

    response = client.get("/readiness/")

    assert response.status_code == 200
    row = re.search(
        r'<a href="/readiness/django/6.0/">Django 6.0</a>.*?</tr>', response.text, re.DOTALL
    )
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(0))
    assert cells == ["2025-12-03", "2027-04-30", "supported", "1", "1", "1"]
    assert "Python 3.13" in response.text
    assert 'id="rules"' in response.text
    assert "pip will not install them together" in response.text


def test_readiness_of_a_release_lists_answers_with_evidence_yes_first(client):
    """A release's page lists packages yes first, then unknown, then no, with evidence."""
    answered(
        package_with("Charlie"),
        package_with("Bravo", requires_dist=["Django<6"]),
        package_with("Alpha", ["Framework :: Django :: 6.0"]),
    )

    response = client.get("/readiness/django/6.0/")

    assert response.status_code == 200
    assert listed(response.text) == ["Alpha", "Charlie", "Bravo"]
    assert "1 package works with it, 1 does not, 1 does not say." in re.sub(
        r"\s+", " ", response.text
    )
    assert "lists the classifier &quot;Framework :: Django :: 6.0&quot;" in response.text
    assert client.get("/readiness/django/9.9/").status_code == 404
    assert client.get("/readiness/ruby/3.3/").status_code == 404


def test_readiness_filters_by_grid_and_answer(client):
    """?grid= keeps a grid's packages; ?answer= keeps one answer; counts follow the grid."""
    alpha = package_with("Alpha", ["Framework :: Django :: 6.0"])
    bravo = package_with("Bravo", requires_dist=["Django<6"])
    charlie = package_with("Charlie", ["Framework :: Django :: 6.0"])
    answered(alpha, bravo, charlie)
    grid = GridFactory(slug="storage", title="Storage")
    GridPackageFactory(grid=grid, package=alpha)
    GridPackageFactory(grid=grid, package=bravo)

    in_grid = client.get("/readiness/django/6.0/", {"grid": "storage"})
    yes_only = client.get("/readiness/django/6.0/", {"grid": "storage", "answer": "yes"})
    overview = client.get("/readiness/", {"grid": "storage"})

    assert listed(in_grid.text) == ["Alpha", "Bravo"]
    assert listed(yes_only.text) == ["Alpha"]
    assert "Readiness of Storage" in overview.text
    assert '<a href="/readiness/django/6.0/?grid=storage">' in overview.text


def test_readiness_names_a_bad_filter(client):
    """An unknown grid or answer answers 400 naming the field, and lists every package."""
    answered(package_with("Alpha"))

    bad_grid = client.get("/readiness/django/6.0/", {"grid": "nope"})
    bad_answer = client.get("/readiness/django/6.0/", {"answer": "maybe"})

    assert bad_grid.status_code == 400
    assert "<strong>grid:</strong> No grid has the slug &#x27;nope&#x27;" in bad_grid.text
    assert listed(bad_grid.text) == ["Alpha"]
    assert bad_answer.status_code == 400
    assert "answer must be yes, no or unknown" in bad_answer.text


def test_readiness_pages_cost_a_fixed_number_of_queries_and_page(client):
    """Readiness pages cost the same for 2 packages and for 40; the list is paged."""
    grid = GridFactory(slug="storage")

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"grid": "storage"}).status_code == 200
        return len(captured)

    def add(count: int) -> None:
        start = Package.objects.count()
        created = [package_with(f"Package {start + n}") for n in range(count)]
        for package in created:
            GridPackageFactory(grid=grid, package=package)
        answered(*created)

    add(2)
    small = (queries("/readiness/"), queries("/readiness/django/6.0/"))
    add(38)
    large = (queries("/readiness/"), queries("/readiness/django/6.0/"))

    assert small == large
    page = client.get("/readiness/django/6.0/", {"grid": "storage"})
    assert len(listed(page.text)) == settings.PAGE_SIZE
    assert "Page 1 of 2" in page.text
