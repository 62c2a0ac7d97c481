"""Generated Bitbucket answers around the documented shapes: typed errors or clean facts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packyard.sources import bitbucket

from .strategies import (
    ANY_JSON,
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
        "description": TEXT,
        "mainbranch": mostly(shaped({"name": mostly(NAME, TEXT)}), st.none()),
        "archived": mostly(st.none(), FLAG),
    }
)
USER = shaped(
    {
        "nickname": TEXT,
        "display_name": TEXT,
        "type": mostly(st.sampled_from(["user", "app_user"])),
    }
)
AUTHOR = shaped(
    {"raw": mostly(st.just("Ann <ann@example.com>"), TEXT), "user": mostly(USER, st.none())}
)
PAGE = shaped(
    {
        "values": maybe_list(shaped({"date": TIME, "author": AUTHOR})),
        "next": mostly(st.none(), st.just("https://api.bitbucket.org/2.0/next"), ANY_JSON),
    }
)


def through(keep, parse):
    return lambda body: parse(keep(body))


@settings(max_examples=400, deadline=None)
@given(REPOSITORY)
def test_any_repository_answer_is_a_summary_or_a_typed_error(body):
    """A repository answer gives a summary of the documented types, or a typed error."""
    summary = parsed(through(bitbucket._keep_repository, bitbucket.summary_of), body)
    if summary is not None:
        assert_clean(summary)
        assert summary.path.count("/") == 1
        assert_fields_were(
            body,
            {
                "full_name": (str,),
                "description": (str, type(None)),
                "mainbranch": (dict, type(None)),
                "archived": (bool, type(None)),
            },
        )


@settings(max_examples=400, deadline=None)
@given(PAGE)
def test_any_commit_page_gives_dated_commits_or_a_typed_error(body):
    """Every commit of a page has an aware UTC time and a clean author, or a typed error."""
    commits = parsed(through(bitbucket._keep_commits, bitbucket.commits_of), body)
    assert_clean(commits)
