"""The small Markdown subset that grid cells and descriptions may use, rendered safely.

Markdown is parsed by markdown-it-py with raw HTML turned off, and the result goes through
nh3 (the Ammonia sanitiser) with an allow-list, so user text never carries script or style.
Links get ``rel="nofollow ugc noopener"``.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "del", "s", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@cache
def _parser() -> MarkdownIt:
    # Images are off: a cell is text, and `![alt](url)` then keeps its words as a link.
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
        .enable("strikethrough")
        .disable("image")
    )


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
