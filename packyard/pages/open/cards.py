"""Social cards: 1200 x 630 PNG images that Open Graph and Twitter show for a page.

Drawn with Pillow. The font is DejaVu Sans when the machine has it (it covers most scripts),
else Pillow's own built-in font at the size asked (Pillow 10.1+), so no font file has to be
installed. https://ogp.me/#structured (og:image), https://pillow.readthedocs.io/
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from packyard.grids.selectors import GridSummary
from packyard.pages.open.badges import LEVEL_COLOURS, django_text
from packyard.scoring.selectors import PackageSummary
from packyard.scoring.templatetags.scoring import score_level

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
BACKGROUND = "#f7f8fa"
INK = "#1d2330"
MUTED = "#5b6474"
ACCENT = "#1f6f43"
FONT_FILES = {
    False: Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    True: Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}
SUMMARY_LINES = 3
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def font(size: int, *, bold: bool = False) -> Font:
    """Return a font of a size: DejaVu Sans if installed, else Pillow's built-in one."""
    path = FONT_FILES[bold]
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def fit(text: str, face: Font, width: float) -> str:
    """Cut a text to a width, ending it with "…" when cut."""
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, face: Font, width: float, *, lines: int) -> list[str]:
    """Break a text into at most `lines` lines of a width, the last one cut with "…"."""
    words = text.split()
    wrapped: list[str] = []
    current = ""
    for number, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if face.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            wrapped.append(current)
        current = word
        if len(wrapped) == lines - 1:
            rest = " ".join(words[number:])
            return [*wrapped, fit(rest, face, width)]
    if current:
        wrapped.append(fit(current, face, width))
    return wrapped


@dataclass(frozen=True)
class Pill:
    """A fact drawn as a rounded box: its label, its value and colours (background, text)."""

    label: str
    value: str
    colours: tuple[str, str] = ("#e1e6eb", "#373c44")


def draw_card(
    *, kind: str, title: str, summary: str, pills: Sequence[Pill], site_name: str, address: str
) -> bytes:
    """Draw a card: the site's name, a title, a wrapped summary and a row of facts; a PNG."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    draw.rectangle((0, 0, WIDTH, 12), fill=ACCENT)
    draw.text((MARGIN, 56), f"{site_name} · {kind}", font=font(30, bold=True), fill=ACCENT)
    draw.text(
        (MARGIN, 110), fit(title, font(72, bold=True), inner), font=font(72, bold=True), fill=INK
    )
    y = 220
    for line in wrap(summary, font(34), inner, lines=SUMMARY_LINES):
        draw.text((MARGIN, y), line, font=font(34), fill=MUTED)
        y += 48
    x, top = MARGIN, 440
    for pill in pills:
        label_face, value_face = font(24), font(36, bold=True)
        room = WIDTH - MARGIN - x - 32
        if room < value_face.getlength("0000"):
            break
        value = fit(pill.value, value_face, room)
        box_width = 32 + round(max(label_face.getlength(pill.label), value_face.getlength(value)))
        background, foreground = pill.colours
        draw.rounded_rectangle((x, top, x + box_width, top + 100), radius=14, fill=background)
        draw.text((x + 16, top + 12), pill.label, font=label_face, fill=foreground)
        draw.text((x + 16, top + 44), value, font=value_face, fill=foreground)
        x += box_width + 24
    draw.text((MARGIN, HEIGHT - 60), fit(address, font(24), inner), font=font(24), fill=MUTED)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def package_pills(summary: PackageSummary) -> list[Pill]:
    """Return a package card's facts: score, stars and the Django releases it works with."""
    value = summary.score_value
    stars = summary.package.stars
    django, django_level = django_text(summary)
    return [
        Pill(
            "Score",
            "not enough data" if value is None else f"{value}/100",
            LEVEL_COLOURS[score_level(value)],
        ),
        Pill("Stars", "not fetched" if stars is None else f"{stars:,}"),
        Pill("Django", django, LEVEL_COLOURS[django_level]),
    ]


def grid_pills(summary: GridSummary) -> list[Pill]:
    """Return a grid card's facts: how many packages it compares, and the leading ones."""
    count = summary.package_count
    pills = [Pill("Compares", f"{count} package{'' if count == 1 else 's'}")]
    if summary.leading:
        pills.append(Pill("Most starred", ", ".join(summary.leading[:3])))
    return pills


def plain(markdown: str) -> str:
    """Return Markdown's words without its marks (a grid's description), on one line."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return " ".join(re.sub(r"[*_`#>]+", "", text).split())
