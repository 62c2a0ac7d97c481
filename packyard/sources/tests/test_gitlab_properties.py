"""Generated GitLab answers around the documented shapes: typed errors or clean facts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packyard.sources import gitlab

from .strategies import (
    COUNT,
    FLAG,
    NAME,
    NESTED_PATH,
    TEXT,
    TIME,
    assert_clean,
    assert_fields_were,
    maybe_list,
    mostly,
    parsed,
    shaped,
)

pytestmark = pytest.mark.attack

PROJECT = shaped(
    {
        "id": mostly(st.integers(min_value=1, max_value=10**9), COUNT),
        "path_with_namespace": NESTED_PATH,
        "star_count": COUNT,
        "forks_count": COUNT,
        "description": TEXT,
        "archived": FLAG,
        "default_branch": mostly(NAME, TEXT),
        "empty_repo": FLAG,
    }
)


def through(keep, parse):
    return lambda body: parse(keep(body))


@settings(max_examples=400, deadline=None)
@given(PROJECT)
def test_any_project_answer_is_a_project_or_a_typed_error(body):
    """A project answer gives a project of the documented types, or a typed error."""
    project = parsed(through(gitlab._keep_project, gitlab.project_of), body)
    if project is not None:
        assert_clean(project)
        assert project.path.count("/") >= 1
        assert project.empty or project.default_branch
        assert_fields_were(
            body,
            {
                "id": (int,),
                "path_with_namespace": (str,),
                "star_count": (int,),
                "forks_count": (int,),
                "description": (str, type(None)),
                "archived": (bool,),
                "default_branch": (str, type(None)),
                "empty_repo": (bool, type(None)),
            },
        )


@settings(max_examples=300, deadline=None)
@given(maybe_list(shaped({"committed_date": TIME})))
def test_any_commit_page_gives_times_or_a_typed_error(body):
    """Every commit of a page has an aware UTC time, or the page is a typed error."""
    dates = parsed(through(gitlab._keep_commits, gitlab.commit_dates_of), body)
    assert_clean(dates)


@settings(max_examples=300, deadline=None)
@given(maybe_list(shaped({"name": TEXT, "email": TEXT})))
def test_any_contributor_page_gives_names_or_a_typed_error(body):
    """Contributors have non-empty names without NULs, or the page is a typed error."""
    people = parsed(through(gitlab._keep_contributors, gitlab.contributors_of), body)
    if people is not None:
        assert_clean(people)
        assert all(person.login.strip() for person in people)
