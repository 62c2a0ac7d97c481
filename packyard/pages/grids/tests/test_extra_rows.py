"""A grid's support lists: releases in a row with the same answer share a line, in order."""

from __future__ import annotations

import re

from packyard.pages.grids.extra_rows import _support_html


def lines(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<div>(.*?)</div>", html)]


def test_releases_in_a_row_with_the_same_answer_share_a_line():
    html = _support_html((("3.14", "yes"), ("3.13", "yes"), ("3.12", "yes")))

    assert lines(html) == ["3.14, 3.13, 3.12 ✓ yes"]


def test_an_answer_that_comes_back_after_another_starts_a_new_line():
    """The releases stay newest first: only neighbours are joined."""
    html = _support_html((("6.1", "yes"), ("6.0", "unknown"), ("5.2", "yes"), ("4.2", "no")))

    assert lines(html) == ["6.1 ✓ yes", "6.0 ? unknown", "5.2 ✓ yes", "4.2 ✗ no"]


def test_no_answers_say_unknown():
    assert _support_html(()) == '<span class="muted">unknown</span>'
