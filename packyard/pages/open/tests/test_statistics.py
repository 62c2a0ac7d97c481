"""/open/: the directory in numbers, with server-drawn SVG charts and their tables."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from packyard.catalog.models import Category, Package
from packyard.compatibility.cycles import PRODUCTS, shipped_cycles
from packyard.compatibility.models import PackageCompatibility, ReleaseCycle
from packyard.compatibility.rules import Basis
from packyard.compatibility.services import release_cycles_import, support_snapshot_record
from packyard.core.repositories import RepositoryHost
from packyard.refresh.models import FetchState, FetchStatus, Source
from tests.factories import GridFactory, PackageFactory, UserFactory

pytestmark = pytest.mark.django_db


def answer(package, product: str, cycle: str, value: str) -> None:
    PackageCompatibility.objects.create(
        package=package,
        cycle=ReleaseCycle.objects.get(product=product, cycle=cycle),
        answer=value,
        basis=Basis.CLASSIFIER,
        evidence="Trove classifiers.",
    )


def two_months_ago() -> datetime:
    """Return a moment in the month before last (45 days before the 1st of this month)."""
    first = timezone.localdate().replace(day=1)
    day = first - timedelta(days=45)
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def directory(extra: int = 0) -> list[Package]:
    """Five packages in two categories, on two hosts, each status, added over three months;
    `extra` more plain packages on GitHub in the first category."""
    # The migrations load the shipped release cycles; a transactional test has flushed them.
    for product in PRODUCTS:
        release_cycles_import(product=product, cycles=shipped_cycles(product))
    themes = Category.objects.create(title="Themes", slug="themes", title_plural="Themes")
    now = timezone.now()
    packages = [PackageFactory(title=f"stats-{n}") for n in range(4)]
    packages.append(
        PackageFactory(
            title="stats-lab",
            category=themes,
            repo_host=RepositoryHost.GITLAB,
            repo_url="https://gitlab.com/owner/stats-lab",
            repo_key="gitlab.com/owner/stats-lab",
        )
    )
    packages += [PackageFactory(title=f"stats-extra-{n}") for n in range(extra)]
    Package.objects.filter(pk=packages[1].pk).update(archived_at=now)
    Package.objects.filter(pk=packages[2].pk).update(deprecated_at=now)
    Package.objects.filter(pk=packages[3].pk).update(repo_missing_since=now)
    Package.objects.update(created=datetime(2026, 1, 15, tzinfo=UTC))
    Package.objects.filter(pk=packages[0].pk).update(created=datetime(2025, 11, 3, tzinfo=UTC))
    for package in packages[:3]:
        answer(package, "django", "5.2", "yes")
    answer(packages[3], "django", "5.2", "no")
    # Package 0 was known to work with 5.2 two months before the others.
    PackageCompatibility.objects.filter(package=packages[0]).update(computed_at=two_months_ago())
    answer(packages[0], "python", "3.13", "yes")
    # Facts: package 0 fresh on both sources; 1 stale; 2 failing on GitHub; 4 rate limited
    # on PyPI; 3 missing; the extras never fetched.
    fresh, old = now - timedelta(hours=1), now - timedelta(days=3)
    for source in (Source.REPOSITORY, Source.PYPI):
        FetchState.objects.create(package=packages[0], source=source, last_success_at=fresh)
    FetchState.objects.create(package=packages[1], source=Source.REPOSITORY, last_success_at=old)
    FetchState.objects.create(
        package=packages[2], source=Source.REPOSITORY, status=FetchStatus.FAILING
    )
    FetchState.objects.create(
        package=packages[3], source=Source.REPOSITORY, status=FetchStatus.MISSING
    )
    FetchState.objects.create(
        package=packages[4], source=Source.PYPI, status=FetchStatus.RATE_LIMITED
    )
    GridFactory(title="Stats grid", slug="stats-grid")
    UserFactory.create_batch(3)
    UserFactory(username="gone", is_active=False)
    return packages


def chart(text: str, slug: str) -> str:
    found = re.search(rf'<svg [^>]*data-chart="{slug}".*?</svg>', text, re.DOTALL)
    assert found, slug
    return found.group(0)


def marks(svg: str) -> list[str]:
    """Return the label of each bar or point of a chart, in order."""
    return re.findall(r"<(?:rect|circle) [^>]*><title>([^<]*)</title>", svg)


def table(text: str, slug: str) -> list[list[str]]:
    """Return the rows of a chart's table of numbers, each as its cells' text."""
    figure = re.search(rf'<figure [^>]*id="chart-{slug}".*?</figure>', text, re.DOTALL)
    assert figure, slug
    body = re.search(r"<tbody>(.*?)</tbody>", figure.group(0), re.DOTALL)
    assert body
    return [
        re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL)
    ]


def table_headers(text: str, slug: str) -> list[str]:
    figure = re.search(rf'<figure [^>]*id="chart-{slug}".*?</figure>', text, re.DOTALL)
    assert figure, slug
    return re.findall(r"<th scope=\"col\"[^>]*>([^<]*)</th>", figure.group(0))


def test_statistics_show_the_totals_of_packages_grids_and_people(client):
    """Five packages, one grid, three active people (not the one whose account is closed)."""
    directory()

    response = client.get("/open/")

    assert response.status_code == 200
    text = response.text
    assert '<dd data-total="packages">5</dd>' in text
    assert '<dd data-total="grids">1</dd>' in text
    assert '<dd data-total="people">3</dd>' in text
    # Only package 0 has every source fetched within the 12 hours.
    assert '<dd data-total="fresh">20%</dd>' in text


def test_each_bar_chart_has_one_bar_per_group_with_its_count(client):
    """Categories, hosts and statuses: one bar each, named with its count and share."""
    directory()

    text = client.get("/open/").text

    assert marks(chart(text, "categories")) == ["App: 4 (80%)", "Themes: 1 (20%)"]
    assert marks(chart(text, "hosts")) == ["GitHub: 4 (80%)", "GitLab: 1 (20%)"]
    assert marks(chart(text, "statuses")) == [
        "Maintained: 2 (40%)",
        "Archived: 1 (20%)",
        "Deprecated: 1 (20%)",
        "Repository missing: 1 (20%)",
    ]
    assert table(text, "statuses")[0] == ["Maintained", "2", "40%"]


def test_bars_are_as_long_as_their_counts(client):
    """The longest bar stands for the largest count; the others are in proportion."""
    directory()

    svg = chart(client.get("/open/").text, "categories")

    widths = [float(width) for width in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(4 * widths[1], abs=0.5)
    assert widths[1] > 0


def test_packages_added_per_month_has_a_column_for_every_month_even_empty_ones(client):
    """November 2025 to January 2026: three columns, December's empty."""
    directory()

    text = client.get("/open/").text

    assert marks(chart(text, "added")) == ["2025-11: 1", "2025-12: 0", "2026-01: 4"]
    assert table(text, "added") == [["2025-11", "1"], ["2025-12", "0"], ["2026-01", "4"]]


def test_support_charts_have_a_point_per_release_with_the_share_that_works(client):
    """Every Django release is a point, oldest first; 3 of 5 packages work with 5.2."""
    directory()

    text = client.get("/open/").text

    django = marks(chart(text, "support-django"))
    assert len(django) == ReleaseCycle.objects.filter(product="django").count()
    assert django[0].startswith("Django 1.11: 0%")
    assert "Django 5.2: 60% (3 packages)" in django
    python = marks(chart(text, "support-python"))
    assert len(python) == ReleaseCycle.objects.filter(product="python").count()
    assert "Python 3.13: 20% (1 package)" in python
    row = next(row for row in table(text, "support-django") if row[0] == "5.2")
    assert row == ["5.2", "2025-04", "3", "1", "0", "60%"]
    assert re.search(r'<path class="line" d="M[\d.,]+( L[\d.,]+)+"', chart(text, "support-django"))


def test_support_recorded_month_by_month_adds_up_to_the_answers_now(client):
    """Django 5.2: one package working two months ago, three this month; each supported
    release is a line with a point a month, and the table says the same."""
    directory()
    today = timezone.localdate()
    supported = ReleaseCycle.objects.supported_on(today).filter(product="django").count()
    first = today.replace(day=1)
    months = [day.strftime("%Y-%m") for day in (two_months_ago(), first - timedelta(days=1), first)]

    text = client.get("/open/").text

    svg = chart(text, "recorded")
    points = [label for label in marks(svg) if label.startswith("Django 5.2,")]
    assert points == [
        f"Django 5.2, {months[0]}: 1 package",
        f"Django 5.2, {months[1]}: 1 package",
        f"Django 5.2, {months[2]}: 3 packages",
    ]
    assert len(marks(svg)) == supported * 3
    assert svg.count('<path class="line"') == supported * 2  # A line and its legend's sample.
    rows = table(text, "recorded")
    column = table_headers(text, "recorded").index("Django 5.2")
    assert [row[column] for row in rows] == ["1", "1", "3"]


def test_support_over_time_is_drawn_from_the_daily_record(client):
    """Two days recorded: Django 5.2 worked for one package of five, then for three; each
    release supported today is a line, and a release not recorded on a day is a gap."""
    packages = directory()
    today = timezone.localdate()
    days = [today - timedelta(days=2), today - timedelta(days=1)]
    PackageCompatibility.objects.filter(package__in=packages[1:3]).update(answer="unknown")
    support_snapshot_record(day=days[0])
    PackageCompatibility.objects.filter(package__in=packages[1:3]).update(answer="yes")
    support_snapshot_record(day=days[1])
    supported = ReleaseCycle.objects.supported_on(today).filter(product="django").count()

    text = client.get("/open/").text

    svg = chart(text, "history-django")
    names = [day.isoformat() for day in days]
    assert [label for label in marks(svg) if label.startswith("Django 5.2,")] == [
        f"Django 5.2, {names[0]}: 20% (1 package of 5)",
        f"Django 5.2, {names[1]}: 60% (3 packages of 5)",
    ]
    assert len(marks(svg)) == supported * 2
    column = table_headers(text, "history-django").index("Django 5.2")
    assert [row[column] for row in table(text, "history-django")] == ["20%", "60%"]
    assert f"as recorded each day since {names[0]}" in text
    assert "Python 3.13, " + names[1] + ": 20% (1 package of 5)" in marks(
        chart(text, "history-python")
    )


def test_support_over_time_is_left_out_until_a_day_is_recorded(client):
    """No daily record yet: no empty drawing, and the stand-in from the answers' times stays."""
    directory()

    text = client.get("/open/").text

    assert 'data-chart="history-django"' not in text
    assert 'data-chart="recorded"' in text


def test_freshness_and_failures_by_host(client):
    """Fresh, older and never fetched packages; failures counted on their host or on PyPI."""
    directory(extra=2)

    text = client.get("/open/").text

    assert marks(chart(text, "freshness")) == [
        "Fetched in the last 12 hours: 1 (14%)",
        "Fetched longer ago: 4 (57%)",
        "Never fetched: 2 (29%)",
    ]
    assert marks(chart(text, "failures")) == [
        "GitHub: 2",
        "GitLab: 0",
        "Bitbucket: 0",
        "Forgejo: 0",
        "PyPI: 1",
    ]
    assert table(text, "failures")[0] == ["GitHub", "1", "0", "1", "2"]
    assert table(text, "failures")[-1] == ["PyPI", "0", "1", "0", "1"]


def test_every_chart_is_named_and_has_its_numbers_in_a_table(client):
    """Each SVG is an image named by its title and description, with a table of numbers."""
    directory()

    text = client.get("/open/").text

    svgs = re.findall(r"<svg [^>]*>", text)
    assert len(svgs) == 9
    for svg in svgs:
        assert 'role="img"' in svg
        assert 'width="100%"' in svg
        assert re.search(r'viewBox="0 0 400 [\d.]+"', svg)
        assert re.search(r'aria-labelledby="[\w-]+-title [\w-]+-desc"', svg)
    assert text.count("<details>") == 9
    assert text.count('<table class="striped">') == 9


def test_an_empty_directory_says_there_is_nothing_to_count(client):
    """With no package, the page still answers, with zeros and no empty drawings."""
    Package.objects.all().delete()

    response = client.get("/open/")

    assert response.status_code == 200
    assert '<dd data-total="packages">0</dd>' in response.text
    assert "Nothing to count yet." in response.text


@pytest.mark.parametrize("extra", [0, 40])
def test_statistics_cost_the_same_queries_whatever_the_size(
    client, django_assert_num_queries, extra
):
    """The data version, then twelve reads, for 5 packages and for 45 (a day recorded)."""
    directory(extra=extra)
    support_snapshot_record(day=timezone.localdate() - timedelta(days=1))

    with django_assert_num_queries(13):
        response = client.get("/open/")

    assert f'<dd data-total="packages">{5 + extra}</dd>' in response.text


def test_the_footer_links_the_statistics(client):
    response = client.get("/")

    assert '<a href="/open/">Statistics</a>' in response.text
