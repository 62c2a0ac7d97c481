"""Social cards (/cards/packages/<slug>.png, /cards/grids/<slug>.png) and the meta tags."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from PIL import Image

from packyard.pages.open.cards import font, wrap
from tests.factories import FetchedPackageFactory

pytestmark = pytest.mark.django_db


def image_of(response) -> Image.Image:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


def meta(html: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert found, f"no {key} meta tag"
    return found.group(1)


def test_a_package_card_is_a_1200_by_630_png(client, orbit):
    """The card is the size Open Graph and Twitter show large: 1200 x 630."""
    image = image_of(client.get("/cards/packages/django-orbit.png"))

    assert image.format == "PNG"
    assert image.size == (1200, 630)


def test_a_package_without_facts_still_has_a_card(client):
    """No description, stars, score or answers: a card all the same."""
    FetchedPackageFactory(slug="bare", description="", stars=None)

    assert image_of(client.get("/cards/packages/bare.png")).size == (1200, 630)


def test_a_grid_card_is_a_1200_by_630_png(client, orbit_grid):
    """A grid's card, for its page's og:image."""
    assert image_of(client.get("/cards/grids/orbits.png")).size == (1200, 630)


@pytest.mark.parametrize("path", ["/cards/packages/nobody.png", "/cards/grids/nobody.png"])
def test_an_unknown_slug_has_no_card(client, path):
    """A slug no package or grid has: 404."""
    assert client.get(path).status_code == 404


def test_a_long_summary_is_wrapped_into_three_lines_the_last_cut(client):
    """Words are wrapped to the card's width; what does not fit in three lines ends in "…"."""
    lines = wrap("word " * 200, font(34), 1056, lines=3)

    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(font(34).getlength(line) <= 1056 for line in lines)


def test_a_card_costs_a_fixed_number_of_queries(
    client, orbit, orbit_grid, django_assert_num_queries
):
    """Package card: the data version, the package with its score, its answers (3).
    Grid card: the data version, the grid with its count, its leading packages (3)."""
    with django_assert_num_queries(3):
        client.get("/cards/packages/django-orbit.png")
    with django_assert_num_queries(3):
        client.get("/cards/grids/orbits.png")


@pytest.mark.parametrize("path", ["/cards/packages/django-orbit.png", "/cards/grids/orbits.png"])
def test_a_card_carries_a_validator_and_answers_304(client, orbit_grid, path, time_machine):
    """Like every page: an ETag, public caching rules, 304 to a matching If-None-Match."""
    time_machine.move_to("2026-12-04 12:00:00+00:00", tick=False)
    first = client.get(path)
    assert first["Cache-Control"].startswith("public")

    assert client.get(path, headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_the_package_page_carries_open_graph_and_twitter_tags(client, orbit):
    """og:title, og:description, og:url and og:image (absolute, the card), summary_large_image."""
    html = client.get("/packages/p/django-orbit/").text

    assert meta(html, "og:title") == "django-orbit"
    assert meta(html, "og:description").startswith("Keeps satellites of your models")
    assert meta(html, "og:url") == f"{settings.SITE_URL}/packages/p/django-orbit/"
    assert meta(html, "og:image") == f"{settings.SITE_URL}/cards/packages/django-orbit.png"
    assert meta(html, "og:image").startswith(("http://", "https://"))
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == meta(html, "og:image")


def test_the_grid_page_carries_open_graph_and_twitter_tags(client, orbit_grid):
    """The grid's page points at the grid's card, by an absolute address."""
    html = client.get("/grids/g/orbits/").text

    assert meta(html, "og:title") == "Orbits"
    assert meta(html, "og:description") == "Packages in orbit."  # Its words, not its Markdown.
    assert meta(html, "og:url") == f"{settings.SITE_URL}/grids/g/orbits/"
    assert meta(html, "og:image") == f"{settings.SITE_URL}/cards/grids/orbits.png"
    assert meta(html, "twitter:card") == "summary_large_image"


def test_the_package_page_offers_the_badges_markdown(client, orbit):
    """A "Badges" section shows both badges and the Markdown to embed them, with absolute links."""
    html = client.get("/packages/p/django-orbit/").text

    assert 'id="badges-heading">Badges</h2>' in html
    assert '<img src="/badges/django-orbit/score.svg"' in html
    site, page = settings.SITE_URL, f"{settings.SITE_URL}/packages/p/django-orbit/"
    assert f"[![Packyard score]({site}/badges/django-orbit/score.svg)]({page})" in html
    assert f"[![Django]({site}/badges/django-orbit/django.svg)]({page})" in html
    assert 'data-copy="badge-markdown"' in html
