"""Generated Forgejo answers around the documented shapes: typed errors or clean facts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packyard.sources import forgejo

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
        "stars_count": COUNT,
        "forks_count": COUNT,
        "description": TEXT,
        "archived": FLAG,
        "archived_at": mostly(st.just("1970-01-01T00:00:00Z"), TIME),
        "default_branch": mostly(NAME, TEXT),
        "empty": FLAG,
    }
)
SIGNATURE = shaped({"name": TEXT, "date": TIME})
COMMIT = shaped(
    {
        "created": TIME,
        "commit": shaped({"author": SIGNATURE, "committer": SIGNATURE}),
        "author": mostly(shaped({"login": mostly(NAME, TEXT)}), st.none()),
    }
)


def through(keep, parse):
    return lambda body: parse(keep(body))


@settings(max_examples=400, deadline=None)
@given(REPOSITORY)
def test_any_repository_answer_is_a_summary_or_a_typed_error(body):
    """A repository answer gives a summary of the documented types, or a typed error."""
    summary = parsed(through(forgejo._keep_repository, forgejo.summary_of), body)
    if summary is not None:
        assert_clean(summary)
        assert summary.path.count("/") == 1
        assert summary.archived_at is None or summary.archived
        assert_fields_were(
            body,
            {
                "full_name": (str,),
                "stars_count": (int,),
                "forks_count": (int,),
                "description": (str, type(None)),
                "archived": (bool,),
                "default_branch": (str, type(None)),
                "empty": (bool, type(None)),
            },
        )


@settings(max_examples=300, deadline=None)
@given(maybe_list(COMMIT))
def test_any_commit_page_gives_dated_commits_or_a_typed_error(body):
    """Every commit of a page has an aware UTC time and a clean author, or a typed error."""
    commits = parsed(through(forgejo._keep_commits, forgejo.commits_of), body)
    assert_clean(commits)
