"""Badges: /badges/<slug>/score.svg and /badges/<slug>/django.svg."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from packyard.pages.open.badges import text_width
from packyard.pages.open.tests.conftest import score
from tests.factories import FetchedPackageFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def parsed(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    return ET.fromstring(response.content)  # noqa: S314 - our own answer, in a test.


def texts(svg: ET.Element) -> list[str]:
    return [text.text or "" for text in svg.iter(f"{SVG}text")]


def test_the_score_badge_shows_the_score_coloured_as_the_site_colours_a_high_score(client, orbit):
    """A score of 82 reads "packyard score | 82/100", its value on the site's green."""
    svg = parsed(client.get("/badges/django-orbit/score.svg"))

    assert texts(svg) == ["packyard score", "82/100"]
    assert svg.find(f"{SVG}title").text == "django-orbit: Packyard score 82 out of 100"
    value_box = svg.findall(f".//{SVG}rect")[2]
    assert value_box.get("fill") == "#dcefe2"


@pytest.mark.parametrize(("overall", "fill"), [(55, "#fdf3d7"), (12, "#fbe1de")])
def test_middle_and_low_scores_take_the_sites_amber_and_red(client, overall, fill):
    """55 is amber, 12 is red, as the score badge on the site's pages."""
    score(FetchedPackageFactory(slug="scored"), overall)

    svg = parsed(client.get("/badges/scored/score.svg"))

    assert texts(svg)[1] == f"{overall}/100"
    assert svg.findall(f".//{SVG}rect")[2].get("fill") == fill


def test_a_package_without_a_score_or_with_missing_facts_says_not_enough_data(client):
    """No score, or a score computed without some facts: "not enough data", in grey."""
    FetchedPackageFactory(slug="unscored")
    gappy = FetchedPackageFactory(slug="gappy")
    score(gappy, 20, reasons={"adoption": [{"text": "Stars unknown", "missing": "stars"}]})

    for slug in ("unscored", "gappy"):
        svg = parsed(client.get(f"/badges/{slug}/score.svg"))
        assert texts(svg) == ["packyard score", "not enough data"]


def test_the_django_badge_lists_the_supported_releases_the_package_works_with(client, orbit):
    """Answers yes for 4.2, 5.1 (ended), 5.2 and 6.0: the badge reads "4.2 | 5.2 | 6.0"."""
    svg = parsed(client.get("/badges/django-orbit/django.svg"))

    assert texts(svg) == ["django", "4.2 | 5.2 | 6.0"]


def test_the_django_badge_says_unknown_without_answers(client):
    """A package never answered for: "unknown"."""
    FetchedPackageFactory(slug="unknown-support")

    assert texts(parsed(client.get("/badges/unknown-support/django.svg")))[1] == "unknown"


def test_the_badge_is_as_wide_as_its_texts(client, orbit):
    """The width is the label's and the value's, each padded: a longer value, a wider badge."""
    score_svg = parsed(client.get("/badges/django-orbit/score.svg"))
    django_svg = parsed(client.get("/badges/django-orbit/django.svg"))

    widths = [int(svg.get("width")) for svg in (score_svg, django_svg)]
    assert widths == [
        round(text_width("packyard score") + 10) + round(text_width("82/100") + 10),
        round(text_width("django") + 10) + round(text_width("4.2 | 5.2 | 6.0") + 10),
    ]


def test_a_hostile_package_name_is_escaped_in_the_badge(client):
    """A title with markup and quotes stays text: the SVG parses, the title reads as typed."""
    hostile = '<script>alert("x")</script> & \'co'
    FetchedPackageFactory(slug="hostile", title=hostile)

    response = client.get("/badges/hostile/score.svg")
    svg = parsed(response)

    assert b"<script>" not in response.content
    assert svg.find(f"{SVG}title").text == f"{hostile}: not scored"
    assert not list(svg.iter(f"{SVG}script"))


@pytest.mark.parametrize("badge", ["score", "django"])
def test_an_unknown_package_has_no_badge(client, badge):
    """A slug no package has: 404."""
    assert client.get(f"/badges/nobody/{badge}.svg").status_code == 404


@pytest.mark.parametrize("badge", ["score", "django"])
def test_a_badge_costs_three_queries(client, orbit, django_assert_num_queries, badge):
    """The data version, the package with its score, its answers for Django."""
    with django_assert_num_queries(3):
        response = client.get(f"/badges/django-orbit/{badge}.svg")
    assert response.status_code == 200


@pytest.mark.parametrize("badge", ["score", "django"])
def test_a_badge_carries_a_validator_and_answers_304(client, orbit, badge, time_machine):
    """Like every page: an ETag, public caching rules, and 304 to a matching If-None-Match."""
    time_machine.move_to("2026-12-04 12:00:00+00:00", tick=False)
    first = client.get(f"/badges/django-orbit/{badge}.svg")
    assert first["Cache-Control"].startswith("public")

    again = client.get(
        f"/badges/django-orbit/{badge}.svg", headers={"If-None-Match": first["ETag"]}
    )

    assert again.status_code == 304
