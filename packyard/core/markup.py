"""The small Markdown subset that grid cells and descriptions may use, rendered safely.

Markdown is parsed by markdown-it-py with raw HTML turned off, and the result goes through
nh3 (the Ammonia sanitiser) with an allow-list, so user text never carries script or style.
Links get ``rel="nofollow ugc noopener"``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache, lru_cache, wraps

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "del", "s", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# Texts a page shows on every request (a grid's description, its features' titles) are
# rendered once per process: rendering is a function of the text alone. Longer texts, and
# more of them, are rendered each time, so memory stays bounded.
KEPT_TEXTS = 4096
KEPT_LENGTH = 4000


def _kept(render: Callable[[str], str]) -> Callable[[str], str]:
    cached = lru_cache(maxsize=KEPT_TEXTS)(render)

    @wraps(render)
    def kept(text: str) -> str:
        if not text:
            return ""
        return cached(text) if len(text) <= KEPT_LENGTH else render(text)

    return kept


@cache
def _parser() -> MarkdownIt:
    # Images are off: a cell is text, and `![alt](url)` then keeps its words as a link.
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
        .enable("strikethrough")
        .disable("image")
    )


@_kept
def render_markdown(text: str) -> str:
    """Render user-written Markdown to sanitised HTML."""
    if not text or not text.strip():
        return ""
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    ).strip()


SPACES = re.compile(r"\s+")


@_kept
def markdown_text(text: str) -> str:
    """Return the words of user-written Markdown as plain text, on one line (for a summary).

    The text is rendered and then stripped of every tag by nh3, so no mark or tag survives and
    entities are decoded; what is returned is not safe HTML and must be escaped where shown.
    """
    rendered = render_markdown(text)
    if not rendered:
        return ""
    words = nh3.clean(rendered.replace("</p>", "</p> ").replace("<br>", " "), tags=set())
    return SPACES.sub(" ", html.unescape(words)).strip()


# A cell whose whole text is one of these (any case, spaces around) is drawn as a mark, as on
# djangopackages.org: a tick, a cross or a question mark, coloured, with its words for screen
# readers and a tooltip, so colour is never the only sign.
CELL_MARKS = {
    **dict.fromkeys(
        ("+", "yes"),
        '<span class="cell-mark cell-yes" role="img" aria-label="Yes" title="Yes">✓</span>',
    ),
    **dict.fromkeys(
        ("-", "no"),
        '<span class="cell-mark cell-no" role="img" aria-label="No" title="No">✗</span>',
    ),
    "?": (
        '<span class="cell-mark cell-unknown" role="img" aria-label="Unknown" '
        'title="Unknown">?</span>'
    ),
}
# The longest text that can be a mark, with spaces around: longer cells skip the look-up.
MARK_TEXT_LIMIT = max(len(text) for text in CELL_MARKS) + 8


def cell_mark(text: str) -> str | None:
    """Return the mark a cell's whole text stands for (`+`, `yes`, `-`, `no`, `?`), or None."""
    if len(text) > MARK_TEXT_LIMIT:
        return None
    return CELL_MARKS.get(text.strip().lower())


def render_cell(text: str) -> str:
    """Render a grid cell: a mark for `+`/`yes`/`-`/`no`/`?`, else its sanitised Markdown."""
    return cell_mark(text) or render_markdown(text)


@cache
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")


INLINE_TAGS = frozenset({"em", "strong", "code", "a", "del", "s"})


@_kept
def render_inline(text: str) -> str:
    """Render one line of Markdown (a feature's title) without a paragraph, sanitised.

    Only inline marks survive (emphasis, code, links, strikethrough); block syntax stays text.
    """
    if not text or not text.strip():
        return ""
    html = _inline_parser().renderInline(text)
    return nh3.clean(
        html,
        tags=set(INLINE_TAGS),
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    ).strip()
