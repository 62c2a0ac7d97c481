"""Shields.io-style flat badges: a grey label on the left, a coloured value on the right.

The layout follows shields.io's "flat" style (https://shields.io/badges, Verdana 11 px, 20 px
high). The text's width is estimated from a table of Verdana's character widths, so no font is
read at run time; every text is escaped, for the badge is served as an image and may be opened
as a document.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from packyard.scoring.selectors import PackageSummary
from packyard.scoring.templatetags.scoring import score_level

LABEL_COLOURS = ("#555", "#fff")
PADDING = 10
# Shields' Verdana 11 px, in pixels: most letters are near the default; these are not.
NARROW = frozenset("fijlrtI.,:;|!'()[]{} ")
WIDE = frozenset("mwMW@%")
DEFAULT_WIDTH = 6.6
WIDTHS = {"narrow": 3.9, "wide": 10.2, "upper": 7.6, "digit": 7.0}

# The site's score badge: (background, text) for each level (static/packyard/site.css).
LEVEL_COLOURS = {
    "high": ("#dcefe2", "#14532d"),
    "middle": ("#fdf3d7", "#5c4300"),
    "low": ("#fbe1de", "#7a1d12"),
    "none": ("#e1e6eb", "#373c44"),
}


@dataclass(frozen=True)
class Badge:
    """A badge's texts and its value's colours (background, text)."""

    label: str
    value: str
    colours: tuple[str, str]
    title: str


def text_width(text: str) -> float:
    """Estimate the width of a text in Verdana 11 px."""
    width = 0.0
    for character in text:
        if character in NARROW:
            width += WIDTHS["narrow"]
        elif character in WIDE:
            width += WIDTHS["wide"]
        elif character.isdigit():
            width += WIDTHS["digit"]
        elif character.isupper():
            width += WIDTHS["upper"]
        else:
            width += DEFAULT_WIDTH
    return width


def score_badge(summary: PackageSummary) -> Badge:
    """Return the badge of a package's score ("not enough data" without one)."""
    value = summary.score_value
    name = summary.package.title
    if value is None:
        return Badge(
            "packyard score", "not enough data", LEVEL_COLOURS["none"], f"{name}: not scored"
        )
    return Badge(
        "packyard score",
        f"{value}/100",
        LEVEL_COLOURS[score_level(value)],
        f"{name}: Packyard score {value} out of 100",
    )


def django_text(summary: PackageSummary) -> tuple[str, str]:
    """Return the supported Django releases a package works with ("4.2 | 5.2") and a level."""
    if supported := summary.django_supported:
        return " | ".join(supported), "high"
    if summary.django and all(row.answer == "no" for row in summary.django):
        return "none supported", "low"
    return "unknown", "none"


def django_badge(summary: PackageSummary) -> Badge:
    """Return the badge of the supported Django releases a package works with."""
    text, level = django_text(summary)
    return Badge("django", text, LEVEL_COLOURS[level], f"{summary.package.title}: Django {text}")


def badge_svg(badge: Badge) -> str:
    """Render a badge as a flat SVG image, its width made from its texts."""
    label_width = round(text_width(badge.label) + PADDING)
    value_width = round(text_width(badge.value) + PADDING)
    width = label_width + value_width
    label, value, title = escape(badge.label), escape(badge.value), escape(badge.title)
    background, foreground = badge.colours
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{label}: {value}">'
        f"<title>{title}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{label_width}" height="20" '
        f'fill="{LABEL_COLOURS[0]}"/>'
        f'<rect x="{label_width}" width="{value_width}" height="20" fill="{background}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        '<g text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{label_width / 2}" y="14" fill="{LABEL_COLOURS[1]}">{label}</text>'
        f'<text x="{label_width + value_width / 2}" y="14" fill="{foreground}">{value}</text>'
        "</g></svg>"
    )
