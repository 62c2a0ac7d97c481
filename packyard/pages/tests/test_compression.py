"""Brotli only for answers that hold no secret; padded gzip for the others (BREACH)."""

from __future__ import annotations

import gzip

import brotli
import pytest
from django.urls import reverse

from tests.factories import FetchedPackageFactory, member

pytestmark = pytest.mark.django_db

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


@pytest.fixture
def alpha():
    return FetchedPackageFactory(title="alpha", slug="alpha", description="The first package")


def test_an_anonymous_page_without_a_form_is_sent_in_brotli(client, alpha):
    response = client.get("/packages/p/alpha/", headers=BROWSER)
    assert response["Content-Encoding"] == "br"
    assert "The first package" in brotli.decompress(response.content).decode()
    assert int(response["Content-Length"]) == len(response.content)


def test_a_signed_in_page_is_sent_in_padded_gzip(client, alpha):
    """Signed-in pages hold the person's CSRF token: gzip, with Django's random padding, so
    the same page differs in length from one answer to the next."""
    client.force_login(member("ada"))
    lengths = set()
    for _ in range(5):
        response = client.get("/packages/p/alpha/", headers=BROWSER)
        assert response["Content-Encoding"] == "gzip"
        assert "The first package" in gzip.decompress(response.content).decode()
        lengths.add(len(response.content))
    assert len(lengths) > 1


def test_an_anonymous_form_with_a_csrf_token_is_sent_in_gzip(client):
    response = client.get(reverse("account_login"), headers=BROWSER)
    assert response["Content-Encoding"] == "gzip"
    assert "csrfmiddlewaretoken" in gzip.decompress(response.content).decode()


def test_a_client_without_brotli_or_gzip_gets_plain_bytes(client, alpha):
    response = client.get("/packages/p/alpha/", headers={"Accept-Encoding": "identity"})
    assert not response.has_header("Content-Encoding")
    assert "The first package" in response.content.decode()


@pytest.mark.parametrize(
    ("accepted", "encoding"),
    [("br;q=0, gzip", "gzip"), ("gzip, br;q=0.5", "br"), ("x-br, gzip", "gzip"), ("BR", "br")],
)
def test_brotli_is_sent_only_to_a_client_that_takes_it(client, alpha, accepted, encoding):
    response = client.get("/packages/p/alpha/", headers={"Accept-Encoding": accepted})
    assert response["Content-Encoding"] == encoding
