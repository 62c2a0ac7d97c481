"""Addresses reversed once per process: `reverse_kept` and the `{% url %}` every template uses
give what Django's `reverse` gives, for the URLconf and script prefix in force."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from packyard.core.urls import reverse_kept


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_the_url_tag_gives_what_django_reverses():
    assert render("{% url 'home' %}") == reverse("home")
    assert render("{% url 'catalog:package' 'django-a' %}") == reverse(
        "catalog:package", args=["django-a"]
    )
    assert render("{% url 'catalog:package' slug=slug %}", slug="django-b") == reverse(
        "catalog:package", kwargs={"slug": "django-b"}
    )


def test_the_url_tag_escapes_and_keeps_its_as_form():
    """A slug is never HTML; `as` sets a variable and prints nothing, and an address that does
    not exist is an empty variable, as Django's tag does."""
    assert render("{% url 'catalog:package' 'a' as link %}[{{ link }}]") == "[/packages/p/a/]"
    assert render("{% url 'nothing:here' as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'nothing:here' %}")


def test_an_argument_that_is_not_a_string_or_a_number_is_reversed_each_time():
    class Slug:
        def __init__(self, text: str) -> None:
            self.text = text

        def __str__(self) -> str:
            return self.text

    slug = Slug("first")
    assert render("{% url 'catalog:package' slug %}", slug=slug) == "/packages/p/first/"
    slug.text = "second"
    assert render("{% url 'catalog:package' slug %}", slug=slug) == "/packages/p/second/"


def test_a_kept_address_follows_the_script_prefix_and_the_urlconf():
    """Served under a prefix, or with another URLconf (tests, bench/web_urls.py), the answer
    is that one's, never an address kept for another."""
    assert reverse_kept("catalog:package", slug="a") == "/packages/p/a/"
    set_script_prefix("/directory/")
    try:
        assert reverse_kept("catalog:package", slug="a") == "/directory/packages/p/a/"
        assert render("{% url 'home' %}") == "/directory/"
    finally:
        clear_script_prefix()
    with override_settings(ROOT_URLCONF="bench.web_urls"):
        assert render("{% url 'home' %}") == "/"
    with (
        override_settings(ROOT_URLCONF="packyard.core.tests.urls_empty"),
        pytest.raises(NoReverseMatch),
    ):
        render("{% url 'home' %}")


def test_a_malformed_url_tag_is_djangos_syntax_error():
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")
