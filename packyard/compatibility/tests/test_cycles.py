"""Tests of release cycles: endoflife.date's JSON shape and `manage.py import_releases`."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from packyard.compatibility.cycles import CycleDataError, parse_cycles, product_from_name
from packyard.compatibility.models import PackageCompatibility, ReleaseCycle
from tests.factories import PackageFactory, ReleaseFactory

DJANGO_7 = {
    "cycle": "7.0",
    "releaseDate": "2027-12-01",
    "support": "2028-08-31",
    "eol": "2029-04-30",
    "latest": "7.0.0",
    "latestReleaseDate": "2027-12-01",
    "lts": False,
}


def test_records_are_read_with_dates_and_booleans():
    """A date or a boolean end of life, LTS as a date or a flag, and extra keys are read."""
    cycles = parse_cycles(
        [
            DJANGO_7,
            {"cycle": "1.8", "releaseDate": "2015-04-01", "eol": True, "lts": "2015-04-01"},
        ]
    )

    assert cycles[0].cycle == "7.0"
    assert (cycles[0].major, cycles[0].minor) == (7, 0)
    assert cycles[0].eol == date(2029, 4, 30)
    assert cycles[0].eol_reached is None
    assert cycles[1].eol is None
    assert cycles[1].eol_reached is True
    assert cycles[1].lts is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cycle": "7.0"}, "expected a JSON list"),
        ([{"releaseDate": "2027-12-01"}], "record 1: 'cycle' is missing"),
        ([DJANGO_7, {"cycle": "seven"}], "record 2: 'cycle' 'seven' is not MAJOR.MINOR"),
        ([{"cycle": "7.0", "eol": "soon"}], "record 1 (7.0) 'eol': 'soon' is not a date"),
        ([DJANGO_7, DJANGO_7], "record 2: cycle 7.0 appears twice"),
    ],
)
def test_bad_records_are_named(data, message):
    """A record that cannot be read raises an error naming the record and the field."""
    with pytest.raises(CycleDataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_cycles(data)


def test_product_is_guessed_from_the_name():
    """django.json and python.json (file or URL) say which product the cycles are of."""
    assert product_from_name("data/django.json") == "django"
    assert product_from_name("https://endoflife.date/api/python.json") == "python"
    assert product_from_name("cycles.json") is None


def test_the_shipped_cycles_are_loaded_by_the_migration(release_cycles):
    """Django 6.0 and Python 3.13 ship with Packyard, with their dates and LTS."""
    django_60 = ReleaseCycle.objects.get(product="django", cycle="6.0")
    django_52 = ReleaseCycle.objects.get(product="django", cycle="5.2")

    assert django_60.release_date == date(2025, 12, 3)
    assert django_52.lts is True
    assert ReleaseCycle.objects.filter(product="python", cycle="3.13").exists()


def test_supported_cycles_on_a_day(release_cycles):
    """On 27 November 2026 Django 6.1, 6.0 and 5.2 and Python 3.11 to 3.15 are supported."""
    day = date(2026, 11, 27)
    supported = ReleaseCycle.objects.supported_on(day).order_by("product", "-major", "-minor")

    assert [str(cycle) for cycle in supported] == [
        "Django 6.1",
        "Django 6.0",
        "Django 5.2",
        "Python 3.15",
        "Python 3.14",
        "Python 3.13",
        "Python 3.12",
        "Python 3.11",
    ]
    assert release_cycles[("django", "4.2")].phase_on(day) == "end of life"


@pytest.mark.django_db
def test_import_releases_from_a_file_adds_cycles_and_answers_packages(tmp_path, release_cycles):
    """A django.json file adds a new cycle, updates one, and every package is answered for it."""
    package = PackageFactory(requires_dist=["Django>=5.2,<8"])
    ReleaseFactory(package=package, version="1.0", classifiers=[])
    changed_60 = {"cycle": "6.0", "releaseDate": "2025-12-03", "eol": "2027-05-31", "lts": False}
    path = tmp_path / "django.json"
    path.write_text(json.dumps([DJANGO_7, changed_60]))

    call_command("import_releases", str(path), stdout=(out := _Output()))

    assert "1 added, 1 updated, 0 unchanged" in out.text
    assert ReleaseCycle.objects.get(product="django", cycle="6.0").eol == date(2027, 5, 31)
    answer = PackageCompatibility.objects.get(package=package, cycle__cycle="7.0")
    assert answer.answer == "yes"
    assert "upper bound admits Django 7.0" in answer.evidence


@pytest.mark.django_db
def test_import_releases_from_the_configured_host(httpserver, settings, release_cycles):
    """A URL on RELEASE_CYCLES_URL's host is fetched with the project's HTTP client."""
    settings.RELEASE_CYCLES_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/api/python.json").respond_with_json(
        [{"cycle": "3.16", "releaseDate": "2027-10-01", "eol": "2032-10-31", "latest": "3.16.0"}]
    )

    call_command("import_releases", httpserver.url_for("/api/python.json"), stdout=_Output())

    assert ReleaseCycle.objects.get(product="python", cycle="3.16").eol == date(2032, 10, 31)
    request = httpserver.log[0][0]
    assert request.headers["User-Agent"].startswith("Packyard/")


@pytest.mark.django_db
def test_import_releases_refuses_other_hosts_and_bad_data(tmp_path, settings, httpserver):
    """Another host, an HTTP error, bad JSON or an unknown product stop with a clear message."""
    settings.RELEASE_CYCLES_URL = httpserver.url_for("/").rstrip("/")
    with pytest.raises(CommandError, match="not on the configured host"):
        call_command("import_releases", "https://example.org/api/django.json")

    httpserver.expect_request("/api/django.json").respond_with_data("gone", status=404)
    with pytest.raises(CommandError, match="HTTP 404"):
        call_command("import_releases", httpserver.url_for("/api/django.json"))

    bad = tmp_path / "django.json"
    bad.write_text('[{"cycle": "7.0", "releaseDate": "someday"}]')
    with pytest.raises(CommandError, match=r"record 1 \(7.0\) 'releaseDate'"):
        call_command("import_releases", str(bad))
    assert not ReleaseCycle.objects.filter(cycle="7.0").exists()

    unnamed = tmp_path / "cycles.json"
    unnamed.write_text("[]")
    with pytest.raises(CommandError, match="--product django or --product python"):
        call_command("import_releases", str(unnamed))


class _Output:
    """A stand-in for stdout that keeps what a command wrote."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass
