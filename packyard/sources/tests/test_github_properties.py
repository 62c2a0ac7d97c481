"""Generated GitHub REST answers around the documented shapes: typed errors or clean facts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packyard.sources import github
from packyard.sources.parsing import DESCRIPTION_LENGTH, WEEKS

from .strategies import (
    COUNT,
    FLAG,
    NAME,
    PATH,
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

REPOSITORY = shaped(
    {
        "full_name": PATH,
        "stargazers_count": COUNT,
        "forks_count": COUNT,
        "description": TEXT,
        "archived": FLAG,
        "default_branch": TEXT,
    }
)
COMMIT = shaped({"commit": shaped({"committer": shaped({"date": TIME})})})
PERSON = shaped({"login": mostly(NAME, TEXT), "type": mostly(st.sampled_from(["User", "Bot"]))})
WEEK = st.integers(min_value=0, max_value=500)
PARTICIPATION = shaped(
    {"all": mostly(st.lists(WEEK, min_size=WEEKS, max_size=WEEKS), maybe_list(COUNT))}
)


def through(keep, parse):
    return lambda body: parse(keep(body))


@settings(max_examples=400, deadline=None)
@given(REPOSITORY)
def test_any_repository_answer_is_a_summary_or_a_typed_error(body):
    """A repository answer gives a summary of the documented types, or a typed error."""
    summary = parsed(through(github._keep_repository, github.summary_of), body)
    if summary is not None:
        assert_clean(summary)
        assert summary.path.count("/") == 1
        assert isinstance(summary.archived, bool)
        assert len(summary.description) <= DESCRIPTION_LENGTH
        assert_fields_were(
            body,
            {
                "full_name": (str,),
                "stargazers_count": (int,),
                "forks_count": (int,),
                "description": (str, type(None)),
                "archived": (bool,),
                "default_branch": (str, type(None)),
            },
        )


@settings(max_examples=300, deadline=None)
@given(maybe_list(COMMIT, max_size=2))
def test_any_commit_list_gives_a_time_or_a_typed_error(body):
    """The newest commit's date is an aware time, None for no commits, or a typed error."""
    newest = parsed(through(github._keep_commits, github.newest_commit_of), body)
    assert_clean(newest)


@settings(max_examples=300, deadline=None)
@given(PARTICIPATION)
def test_any_participation_is_52_counts_or_a_typed_error(body):
    """Participation is exactly 52 counts, or a typed error."""
    weeks = parsed(through(github._keep_participation, github.participation_of), body)
    if weeks is not None:
        assert len(weeks) == WEEKS
        assert_clean(weeks)


@settings(max_examples=300, deadline=None)
@given(maybe_list(PERSON))
def test_any_contributor_page_gives_logins_or_a_typed_error(body):
    """Contributors all have a non-empty login without NULs, or the page is a typed error."""
    people = parsed(through(github._keep_contributors, github.contributors_of), body)
    if people is not None:
        assert_clean(people)
        assert all(person.login for person in people)
