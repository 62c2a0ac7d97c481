"""What the MCP tools say to input they cannot take (`packyard.api.mcp.records`)."""

import pytest

from packyard.api.mcp import records
from tests.factories import PackageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"query": "  "}, "the query is empty"),
        ({"query": "forms", "limit": 0}, "limit is between 1 and 50"),
        ({"query": "forms", "limit": 51}, "limit is between 1 and 50"),
    ],
)
def test_a_search_without_words_or_with_a_bad_limit_says_so(arguments, words):
    """An empty query or a limit outside 1-50 is refused with the reason."""
    with pytest.raises(records.ToolInputError, match=words):
        records.search_packages(**arguments)


def test_a_comparison_names_every_unknown_slug_and_takes_each_package_once():
    """Unknown slugs are all named; a slug given twice counts once, so one package is too few."""
    PackageFactory(slug="alpha")

    with pytest.raises(records.ToolInputError, match="'nope', 'gone'"):
        records.compare_packages(slugs=["alpha", "nope", "gone"])
    with pytest.raises(records.ToolInputError, match="got 1"):
        records.compare_packages(slugs=["alpha", "alpha"])
    with pytest.raises(records.ToolInputError, match="got 11"):
        records.compare_packages(slugs=[f"p{number}" for number in range(11)])


def test_the_upgrade_check_refuses_empty_or_huge_text_and_reads_django_x_y():
    """Empty or over-long text is refused; "Django 5.2" names the 5.2 release as "5.2" does."""
    with pytest.raises(records.ToolInputError, match="the text is empty"):
        records.check_upgrade(requirements=" \n", django="5.2")
    with pytest.raises(records.ToolInputError, match="longer than 50000"):
        records.check_upgrade(requirements="x\n" * 30_000, django="5.2")

    report = records.check_upgrade(requirements="django>=5.2\n", django="Django 5.2")

    assert report["django"]["cycle"] == "5.2"
    assert report["requirements"][0]["pin_admits_target"] is True
