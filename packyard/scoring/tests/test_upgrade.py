"""Tests of the upgrade check: a real 30-line requirements file against a Django release."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from packyard.scoring.models import PackageScore
from packyard.scoring.services import scores_recompute
from tests.factories import FetchedPackageFactory, GridFactory, GridPackageFactory, ReleaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("release_cycles")]

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
REQUIREMENTS = (Path(__file__).parent / "data" / "requirements-30.txt").read_text()


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def listed(slug, *, classifiers=(), requires_dist=(), version="2.0", **fields):
    """Create a directory package whose latest release says the given things."""
    package = FetchedPackageFactory(
        title=slug,
        slug=slug,
        pypi_name=slug,
        pypi_version=version,
        requires_dist=list(requires_dist),
        **fields,
    )
    ReleaseFactory(
        package=package,
        version=version,
        upload_time=NOW - timedelta(days=30),
        classifiers=list(classifiers),
    )
    return package


@pytest.fixture
def directory():
    """Some packages of the real file, in a grid with alternatives."""
    allauth = listed("django-allauth", classifiers=["Framework :: Django :: 6.0"])
    listed("django-crispy-forms", requires_dist=["django>=4.2"])
    listed("django-reversion", requires_dist=["django>=4.2,<6.0"])
    rules = listed("django-rules", classifiers=["Framework :: Django :: 6.0"], stars=900)
    guardian = listed(
        "django-guardian", archived_at=NOW - timedelta(days=90), replaced_by=rules, version="2.4.0"
    )
    other = listed("django-permissions-plus", requires_dist=["Django<5"])
    grid = GridFactory(slug="permissions", title="Permissions")
    for package in (guardian, rules, other, allauth):
        GridPackageFactory(grid=grid, package=package)
    from packyard.catalog.models import Package

    scores_recompute(package_ids=list(Package.objects.values_list("pk", flat=True)))


def rows(html: str) -> dict[str, str]:
    """Return each table row's text by its requirement."""
    body = re.search(
        r'<table class="striped upgrade-table">.*?<tbody>(.*?)</tbody>', html, re.DOTALL
    )
    assert body is not None
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL):
        text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", row))).strip()
        requirement = re.search(r"<code>(.*?)</code>", row).group(1)
        found[unescape(requirement)] = text
    return found


def test_the_form_offers_django_releases_with_the_newest_supported_chosen(client):
    """GET shows the form; the newest supported Django release is chosen."""
    response = client.get("/upgrade/")

    assert response.status_code == 200
    assert '<option value="6.1" selected>Django 6.1 (supported)</option>' in response.text
    assert "Django 5.2 LTS (supported)" in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text


@pytest.mark.usefixtures("directory")
def test_a_real_30_line_requirements_file_against_django_60(client):
    """Every listed package gets its answer with evidence, status, latest release and
    alternatives; the Django pin and unreadable lines are reported; nothing is stored."""
    scores_before = list(PackageScore.objects.order_by("pk").values_list("pk", "overall"))

    response = client.post("/upgrade/", {"requirements": REQUIREMENTS, "django": "6.0"})

    assert response.status_code == 200
    html = response.text
    table = rows(html)
    assert len(table) == 25
    assert table["Django==4.2.16"].startswith(
        "4 Django==4.2.16 ✗ no This line excludes Django 6.0: change it to Django~=6.0.0"
    )
    assert "✓ yes The latest release (2.0) lists the classifier" in table["django-allauth==0.63.6"]
    assert "active" in table["django-allauth==0.63.6"]
    assert "? unknown" in table["django-crispy-forms==2.3"]
    assert (
        "Your line holds you below it; the answer is about 2.0."
        in table["django-crispy-forms==2.3"]
    )
    reversion = table["django_reversion<6,>=5.0"]
    assert '✗ no The latest release (2.0) requires "django>=4.2,<6.0"' in reversion
    guardian = table["django-guardian==2.4.0"]
    assert "Replaced by django-rules archived" in guardian
    assert "django-rules replacement ✓ yes" in guardian
    assert "django-permissions-plus ✗ no" in guardian  # Ranked after: it answers no.
    assert guardian.index("django-rules") < guardian.index("django-permissions-plus")
    assert "django-allauth" not in guardian  # Already in the list, so no alternative.
    assert "Not in this directory" in table["gunicorn==23.0.0"]
    flat = re.sub(r"\s+", " ", unescape(html))
    assert "25 packages read: 1 yes · 1 no · 2 unknown · 20 not in the directory." in flat
    assert "Line 29: <code>django-oldthing=1.0</code> — not a PEP 508 requirement" in unescape(html)
    assert "Line 3: <code>-r base.txt</code> — a pip option, not a package" in unescape(html)
    assert list(PackageScore.objects.order_by("pk").values_list("pk", "overall")) == scores_before


@pytest.mark.usefixtures("directory")
def test_the_check_answers_get_too_and_costs_a_fixed_number_of_queries(client):
    """A GET with the list gives the same table; 3 lines or 30 cost the same queries."""

    def queries(text: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/upgrade/", {"requirements": text, "django": "6.0"})
        assert response.status_code == 200
        return len(captured)

    few = queries("django-allauth\ndjango-guardian\ncelery\n")

    assert queries(REQUIREMENTS) == few


def test_empty_or_unknown_input_is_a_form_error(client):
    """No requirements, or a Django release not offered, answer 400 naming the field."""
    empty = client.post("/upgrade/", {"requirements": "", "django": "6.0"})
    unknown = client.post("/upgrade/", {"requirements": "django-q", "django": "9.9"})

    assert empty.status_code == 400
    assert "<strong>Requirements:</strong> This field is required." in empty.text
    assert unknown.status_code == 400
    assert "<strong>Target Django release:</strong> Select a valid choice." in unknown.text


def test_the_form_needs_the_csrf_token():
    """A POST without the CSRF token is refused."""
    response = Client(enforce_csrf_checks=True).post(
        "/upgrade/", {"requirements": "django", "django": "6.0"}
    )

    assert response.status_code == 403
