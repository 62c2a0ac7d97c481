"""A grid page draws `+`/`yes`/`-`/`no`/`?` cells as named ticks, crosses and question marks,
shows the community's feature rows before the standard facts, and renders feature titles'
inline Markdown, sanitised."""

from __future__ import annotations

import re

import pytest

from packyard.pages.grids.tests.test_views import SCRIPT, row_cells
from tests.factories import (
    ElementFactory,
    FeatureFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    member,
)

pytestmark = pytest.mark.django_db

YES = '<span class="cell-mark cell-yes" role="img" aria-label="Yes" title="Yes">✓</span>'
NO = '<span class="cell-mark cell-no" role="img" aria-label="No" title="No">✗</span>'
UNKNOWN = (
    '<span class="cell-mark cell-unknown" role="img" aria-label="Unknown" title="Unknown">?</span>'
)


def grid_with_row(texts: list[str], *, title: str = "Async"):
    grid = GridFactory(slug="queues")
    feature = FeatureFactory(grid=grid, title=title)
    for number, text in enumerate(texts):
        membership = GridPackageFactory(
            grid=grid, package=PackageFactory(title=f"P{number:02}", slug=f"p{number:02}")
        )
        ElementFactory(grid_package=membership, feature=feature, text=text)
    return grid


@pytest.mark.parametrize(
    ("text", "drawn"),
    [
        ("+", YES),
        ("yes", YES),
        (" YES \n", YES),
        ("Yes", YES),
        ("-", NO),
        ("no", NO),
        ("NO", NO),
        ("?", UNKNOWN),
        ("yes, with Redis", "<p>yes, with Redis</p>"),
        ("*yes*", "<p><em>yes</em></p>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("??", "<p>??</p>"),
    ],
)
def test_a_whole_cell_of_plus_yes_minus_no_or_question_is_drawn_as_a_mark(client, text, drawn):
    grid_with_row([text])

    response = client.get("/grids/g/queues/")

    assert row_cells(response, "Async") == [drawn]


def test_feature_rows_come_before_the_standard_facts(client):
    grid_with_row(["+"], title="Retries")

    text = client.get("/grids/g/queues/").text

    headings = re.findall(r'<th scope="row">([^<]+)', text)
    assert headings[:2] == ["Retries", "Description"]
    assert (
        text.index(">Retries</th>")
        < text.index(">Stars</th>")
        < text.index('<th scope="row">Score')
    )


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Runs on `asyncio`", "Runs on <code>asyncio</code>"),
        ("**Fast** _and_ ~~slow~~", "<strong>Fast</strong> <em>and</em> <s>slow</s>"),
        (
            "See [docs](https://example.com)",
            'See <a href="https://example.com" rel="nofollow ugc noopener">docs</a>',
        ),
        (f"Safe {SCRIPT}", "Safe &lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("# Not a heading", "# Not a heading"),
    ],
)
def test_feature_titles_accept_inline_markdown_sanitised(client, title, shown):
    grid_with_row(["yes"], title=title)

    text = client.get("/grids/g/queues/").text

    assert f'<tr class="feature-row"><th scope="row">{shown}</th>' in text
    assert "<script>alert" not in text
    assert "javascript:" not in text.replace("[x](javascript:alert(1))", "")


def test_a_cell_saved_inline_as_a_plus_comes_back_as_a_tick(client):
    """The inline editor's answer draws the mark as the page does."""
    client.force_login(member("alice"))
    grid = grid_with_row(["no"])
    url = f"/grids/g/queues/cells/{grid.features.get().pk}/p00/"

    saved = client.post(url, {"text": " + "}, headers={"HX-Request": "true"})

    assert saved.text.startswith(f'<td class="cell editable">{YES} <a class="edit-link small"')
    assert row_cells(client.get("/grids/g/queues/"), "Async")[0].startswith(YES)
