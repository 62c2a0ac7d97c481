"""Records of djangopackages.org's API v4 are read field by field, and bad ones say which field."""

import datetime as dt
import json
from pathlib import Path

import pytest

from packyard.importer.records import (
    CategoryRecord,
    GridRecord,
    PackageRecord,
    RecordError,
    parse_category,
    parse_grid,
    parse_package,
)

DEMO = Path(__file__).resolve().parents[1] / "demo"
NEW_YORK_WINTER = dt.timezone(dt.timedelta(hours=-5))
NEW_YORK_SUMMER = dt.timezone(dt.timedelta(hours=-4))


def demo_records(name):
    """Return the records of one demo file."""
    with (DEMO / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def demo_record(name, **match):
    """Return the first demo record whose fields equal `match`."""
    return next(
        record
        for record in demo_records(name)
        if all(record[key] == value for key, value in match.items())
    )


@pytest.fixture
def package_data():
    """A real package record, as djangopackages.org served it."""
    return demo_record("packages.jsonl", slug="servertail")


@pytest.fixture
def grid_data():
    """A demo grid record."""
    return demo_record("grids.jsonl", slug="permissions")


@pytest.fixture
def category_data():
    """A demo category record."""
    return demo_record("categories.jsonl", slug="apps")


# --- Real records -------------------------------------------------------------------------------


def test_a_real_package_record_parses(package_data):
    """A record from djangopackages.org reads into a PackageRecord with every field."""
    record = parse_package(package_data)

    assert isinstance(record, PackageRecord)
    assert record.id == 13
    assert record.category_id == 3
    assert record.grid_ids == (2,)
    assert record.title == "servertail"
    assert record.slug == "servertail"
    assert record.repo_url == "https://github.com/ericflo/servertail"
    assert record.pypi_version is None
    assert record.documentation_url is None
    assert record.repo_watchers == 49
    assert record.repo_forks == 4
    assert record.commits_over_52 == (0,) * 52
    assert record.participants == ("ericflo", "adamkirkwood")
    assert record.last_updated == dt.datetime(2010, 8, 21, 20, 26, 7, tzinfo=NEW_YORK_SUMMER)
    assert record.last_fetched == dt.datetime(2026, 2, 15, 13, 4, 50, 19375, tzinfo=NEW_YORK_WINTER)


def test_every_demo_package_record_parses():
    """All 111 demo package records are valid."""
    records = [parse_package(data) for data in demo_records("packages.jsonl")]

    assert len(records) == 111
    assert len({record.id for record in records}) == 111


def test_an_unfetched_package_record_parses():
    """A record whose host is not fetched has no commit date and empty lists."""
    record = parse_package(demo_record("packages.jsonl", slug="sorethumb"))

    assert record.repo_url == "http://code.google.com/p/sorethumb/"
    assert record.last_updated is None
    assert record.commits_over_52 == ()
    assert record.participants == ()


def test_a_grid_record_parses(grid_data):
    """A grid record reads with its package ids."""
    record = parse_grid(grid_data)

    assert isinstance(record, GridRecord)
    assert record.slug == "permissions"
    assert record.is_locked is True
    assert record.header is True
    assert record.package_ids == (3105, 367, 3149, 559, 4300, 3172)


def test_a_category_record_parses(category_data):
    """A category record reads with its plural title and PyPI flag."""
    record = parse_category(category_data)

    assert isinstance(record, CategoryRecord)
    assert (record.id, record.title, record.title_plural, record.slug) == (1, "App", "Apps", "apps")
    assert record.show_pypi is True


@pytest.mark.parametrize(
    "link",
    [
        "https://djangopackages.org/api/v4/categories/2/",
        "https://djangopackages.org/api/v4/categories/2",
        "https://djangopackages.org/api/v4/categories/2/?format=api",
        2,
    ],
)
def test_category_links_in_every_served_shape_give_the_id(package_data, link):
    """A link as served to JSON, to the browsable page, or a bare id gives the record id."""
    package_data["category"] = link

    assert parse_package(package_data).category_id == 2


def test_repeated_grid_links_count_once(package_data):
    """A grid linked twice is one membership."""
    link = "https://djangopackages.org/api/v4/grids/7/"
    package_data["grids"] = [link, link, "https://djangopackages.org/api/v4/grids/8/?format=api"]

    assert parse_package(package_data).grid_ids == (7, 8)


def test_null_lists_and_counts_read_as_empty(package_data):
    """Null participants and weeks read as empty lists; null counts stay unknown, not 0."""
    package_data.update(participants=None, commits_over_52=None, repo_watchers=None)

    record = parse_package(package_data)

    assert record.participants == ()
    assert record.commits_over_52 == ()
    assert record.repo_watchers is None


def test_null_description_reads_as_empty_text(package_data):
    """A null description reads as "" (the service serves "" for empty text)."""
    package_data["repo_description"] = None

    assert parse_package(package_data).repo_description == ""


# --- Bad records --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": None}, "id"),
        ({"id": 0}, "id"),
        ({"id": "13"}, "id"),
        ({"id": True}, "id"),
        ({"title": 42}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"slug": "not a slug"}, "slug"),
        ({"slug": "slash/slug"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"slug": "café-tools"}, "slug"),
        ({"slug": "x" * 101}, "slug"),
        ({"category": "https://djangopackages.org/api/v4/categories/"}, "category"),
        ({"category": "https://djangopackages.org/api/v4/categories/apps/"}, "category"),
        ({"category": None}, "category"),
        ({"category": 0}, "category"),
        ({"grids": "https://djangopackages.org/api/v4/grids/2/"}, "grids"),
        ({"grids": ["https://djangopackages.org/api/v4/grids/"]}, "grids"),
        ({"commits_over_52": [0] * 51}, "commits_over_52"),
        ({"commits_over_52": [0] * 53}, "commits_over_52"),
        ({"commits_over_52": [0] * 51 + [-1]}, "commits_over_52"),
        ({"commits_over_52": [0] * 51 + ["3"]}, "commits_over_52"),
        ({"commits_over_52": [0] * 51 + [True]}, "commits_over_52"),
        ({"commits_over_52": "0,0,0"}, "commits_over_52"),
        ({"participants": "ericflo"}, "participants"),
        ({"participants": ["ericflo", 7]}, "participants"),
        ({"repo_watchers": -1}, "repo_watchers"),
        ({"repo_watchers": "49"}, "repo_watchers"),
        ({"repo_watchers": 4.5}, "repo_watchers"),
        ({"repo_forks": -4}, "repo_forks"),
        ({"created": "2010-08-16T04:30:33.799947"}, "created"),
        ({"modified": "2026-01-28"}, "modified"),
        ({"created": "yesterday"}, "created"),
        ({"created": None}, "created"),
        ({"created": 1281947433}, "created"),
        ({"last_updated": "2010-08-21T20:26:07"}, "last_updated"),
        ({"last_fetched": "soon"}, "last_fetched"),
        ({"repo_url": ["https://github.com/ericflo/servertail"]}, "repo_url"),
        ({"repo_url": "https://github.com/" + "x" * 500}, "repo_url"),
        ({"pypi_version": 1.0}, "pypi_version"),
        ({"documentation_url": 12}, "documentation_url"),
    ],
)
def test_a_bad_package_field_raises_record_error_naming_it(package_data, change, field):
    """A package record with a malformed field raises RecordError naming that field."""
    package_data.update(change)

    with pytest.raises(RecordError) as raised:
        parse_package(package_data)

    assert raised.value.field == field
    assert raised.value.reason
    assert str(raised.value) == f"{field}: {raised.value.reason}"


@pytest.mark.parametrize(
    "field",
    [
        "id",
        "category",
        "grids",
        "title",
        "slug",
        "last_updated",
        "last_fetched",
        "repo_url",
        "pypi_version",
        "created",
        "modified",
        "repo_forks",
        "repo_description",
        "pypi_url",
        "documentation_url",
        "repo_watchers",
        "commits_over_52",
        "participants",
    ],
)
def test_a_missing_package_field_raises_record_error_naming_it(package_data, field):
    """A package record without one of its fields says that field is missing."""
    del package_data[field]

    with pytest.raises(RecordError) as raised:
        parse_package(package_data)

    assert (raised.value.field, raised.value.reason) == (field, "missing")


def test_record_error_reasons_are_readable(package_data):
    """The reason says what was expected and what came."""
    package_data["created"] = "2010-08-16T04:30:33"

    with pytest.raises(RecordError) as raised:
        parse_package(package_data)

    assert raised.value.reason == "'2010-08-16T04:30:33' has no UTC offset"


def test_record_error_is_a_value_error():
    """Callers that catch ValueError also catch a bad record."""
    assert issubclass(RecordError, ValueError)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"packages": "https://djangopackages.org/api/v4/packages/1/"}, "packages"),
        ({"packages": ["https://djangopackages.org/api/v4/packages/x/"]}, "packages"),
        ({"is_locked": "false"}, "is_locked"),
        ({"header": 1}, "header"),
        ({"slug": "Per missions"}, "slug"),
        ({"title": ""}, "title"),
        ({"created": "2012-03-04T10:00:00"}, "created"),
    ],
)
def test_a_bad_grid_field_raises_record_error_naming_it(grid_data, change, field):
    """A grid record with a malformed field raises RecordError naming that field."""
    grid_data.update(change)

    with pytest.raises(RecordError) as raised:
        parse_grid(grid_data)

    assert raised.value.field == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"show_pypi": "yes"}, "show_pypi"),
        ({"title": "x" * 51}, "title"),
        ({"title_plural": 3}, "title_plural"),
        ({"slug": "apps!"}, "slug"),
        ({"slug": "a" * 51}, "slug"),
        ({"id": -1}, "id"),
        ({"modified": "2026-01-28T12:00:00"}, "modified"),
    ],
)
def test_a_bad_category_field_raises_record_error_naming_it(category_data, change, field):
    """A category record with a malformed field raises RecordError naming that field."""
    category_data.update(change)

    with pytest.raises(RecordError) as raised:
        parse_category(category_data)

    assert raised.value.field == field


def test_a_missing_category_field_raises_record_error_naming_it(category_data):
    """A category record without show_pypi says show_pypi is missing."""
    del category_data["show_pypi"]

    with pytest.raises(RecordError) as raised:
        parse_category(category_data)

    assert (raised.value.field, raised.value.reason) == ("show_pypi", "missing")


@pytest.mark.parametrize("field", ["repo_url", "pypi_url", "documentation_url"])
def test_an_address_that_is_not_http_is_refused(package_data, field):
    """A javascript: or file address never becomes a link: the record is refused, naming it."""
    package_data[field] = "javascript:alert(document.cookie)"

    with pytest.raises(RecordError) as raised:
        parse_package(package_data)

    assert raised.value.field == field
