"""Generated PyPI answers around the documented shape: typed errors only, never junk facts."""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from packyard.sources.errors import SourceError
from packyard.sources.pypi import SUMMARY_LENGTH, PyPIClient
from packyard.sources.types import PyPIProject

pytestmark = pytest.mark.attack

ODD_TEXT = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "Cc", "Cf", "Mn"]),
    max_size=40,
)
HUGE_TEXT = st.integers(min_value=1, max_value=20_000).map(lambda n: "x\x00" * n)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(ODD_TEXT, children, max_size=3)
    ),
    max_leaves=8,
)
# Mostly the documented type (so most answers parse and their facts are checked), sometimes not.
TEXT_VALUE = st.one_of(ODD_TEXT, ODD_TEXT, ODD_TEXT, HUGE_TEXT, st.none(), st.none(), ANY_JSON)
STRINGS_VALUE = st.one_of(
    *[st.lists(ODD_TEXT, max_size=4)] * 4, st.none(), st.lists(ANY_JSON, max_size=3), ANY_JSON
)
INFO_FIELDS: dict[str, st.SearchStrategy[object]] = {
    "name": TEXT_VALUE,
    "version": st.one_of(
        *[st.sampled_from(["1.0", "2.0rc1", "not a version", "1\x00"])] * 6, st.just(""), ANY_JSON
    ),
    "summary": TEXT_VALUE,
    "keywords": TEXT_VALUE,
    "license": TEXT_VALUE,
    "license_expression": TEXT_VALUE,
    "requires_python": TEXT_VALUE,
    "classifiers": STRINGS_VALUE,
    "requires_dist": STRINGS_VALUE,
    "project_urls": st.one_of(
        *[st.dictionaries(ODD_TEXT, ODD_TEXT | ANY_JSON, max_size=3)] * 3, st.none(), ANY_JSON
    ),
    "docs_url": TEXT_VALUE,
}
FILE = st.fixed_dictionaries(
    {},
    optional={
        "upload_time_iso_8601": st.sampled_from(["2026-01-02T03:04:05.000000Z", "nonsense"])
        | ANY_JSON,
        "upload_time": ANY_JSON,
        "yanked": st.booleans() | ANY_JSON,
        "yanked_reason": TEXT_VALUE,
    },
)
BODY = st.fixed_dictionaries(
    {
        "info": st.one_of(
            *[
                st.fixed_dictionaries(
                    {"version": INFO_FIELDS["version"]},
                    optional={k: v for k, v in INFO_FIELDS.items() if k != "version"},
                )
            ]
            * 6,
            ANY_JSON,
        )
    },
    optional={
        "releases": st.dictionaries(ODD_TEXT, st.lists(FILE, max_size=2) | ANY_JSON, max_size=3)
        | ANY_JSON,
        "vulnerabilities": st.lists(
            st.fixed_dictionaries(
                {}, optional={"id": TEXT_VALUE, "aliases": STRINGS_VALUE, "summary": TEXT_VALUE}
            )
            | ANY_JSON,
            max_size=2,
        )
        | ANY_JSON,
        "project-status": st.dictionaries(ODD_TEXT, ANY_JSON, max_size=2) | ANY_JSON,
    },
)


def strings_in(project: PyPIProject) -> list[str]:
    values = [project.name, project.version, project.summary, project.keywords, project.license]
    values += [project.requires_python, *project.classifiers, *project.requires_dist]
    values += [*project.project_urls, *project.project_urls.values(), project.documentation_url]
    return values


@settings(max_examples=1000, deadline=None)
@given(BODY)
def test_any_answer_is_a_project_or_a_typed_error(body):
    """No answer crashes the parser; what it returns has the documented types, clean text."""
    try:
        project = PyPIClient.project_of(body)
    except SourceError:
        event("a typed error")
        return
    event("a project")
    assert project.version.strip()
    assert all(isinstance(value, str) and "\x00" not in value for value in strings_in(project))
    assert all(isinstance(requirement, str) for requirement in project.requires_dist)
    assert len(project.summary) <= SUMMARY_LENGTH
