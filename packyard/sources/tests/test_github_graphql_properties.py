"""Generated GitHub GraphQL batch answers: per repository a clean summary or a typed error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from packyard.core.repositories import Repository, RepositoryHost
from packyard.sources.base import Halt
from packyard.sources.errors import SourceError
from packyard.sources.github_graphql import Summary, read_batch
from packyard.sources.parsing import DESCRIPTION_LENGTH

from .strategies import (
    ANY_JSON,
    COUNT,
    FLAG,
    NAME,
    PATH,
    TEXT,
    TIME,
    assert_clean,
    mostly,
    shaped,
)

pytestmark = pytest.mark.attack

BATCH = [
    Repository(host=RepositoryHost.GITHUB, domain="github.com", path=f"owner/repo-{index}")
    for index in range(2)
]
TARGET = shaped({"committedDate": TIME, "history": shaped({"totalCount": COUNT})})
BRANCH = mostly(
    shaped({"name": mostly(NAME, TEXT), "target": mostly(TARGET, st.none())}), st.none()
)
NODE = shaped(
    {
        "nameWithOwner": PATH,
        "stargazerCount": COUNT,
        "forkCount": COUNT,
        "description": TEXT,
        "isArchived": FLAG,
        "archivedAt": mostly(st.none(), TIME),
        "defaultBranchRef": BRANCH,
    }
)
ERROR = shaped(
    {
        "type": st.sampled_from(["NOT_FOUND", "FORBIDDEN", "RATE_LIMITED"]) | ANY_JSON,
        "path": st.sampled_from([["r0"], ["r1"], []]) | ANY_JSON,
        "message": TEXT,
    }
)
BODY = mostly(
    st.fixed_dictionaries(
        {"data": mostly(st.fixed_dictionaries({"r0": mostly(NODE), "r1": mostly(NODE)}))},
        optional={"errors": mostly(st.lists(ERROR, max_size=2)), "rateLimit": ANY_JSON},
    )
)


@settings(max_examples=500, deadline=None)
@given(BODY)
def test_any_batch_answer_gives_each_repository_a_summary_or_a_typed_error(body):
    """Every repository of the batch gets a summary of the documented types or a typed error."""
    results = read_batch(
        body, batch=BATCH, halt=Halt(), clock=lambda: datetime(2026, 3, 18, tzinfo=UTC)
    )

    assert set(results) == {repository.key for repository in BATCH}
    for result in results.values():
        if isinstance(result, SourceError):
            event("a typed error")
            continue
        event("a summary")
        assert isinstance(result, Summary)
        assert_clean(result)
        assert result.path.count("/") == 1
        assert len(result.description) <= DESCRIPTION_LENGTH
        assert result.empty == (result.total_commits == 0 and not result.default_branch)
