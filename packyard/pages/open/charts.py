"""Server-drawn SVG charts: the geometry of bars, columns and lines, and their numbers.

A chart is drawn in a viewBox of `WIDTH` units and scaled to the width of its column (CSS
`width: 100%`), so it fits a 360 px phone; its text stays readable as the viewBox is narrow.
Each chart carries its numbers as a table (`headers`, `rows`) for a text alternative, and
each bar or point its own `label` (an SVG <title>: a tooltip, and a name for screen readers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 400
# Horizontal bars: a label line, then the bar, in each row.
ROW_HEIGHT = 46
BAR_HEIGHT = 18
LABEL_GAP = 4
# Columns and lines: room for the axis labels below and the scale on the left.
PLOT_HEIGHT = 160
TOP = 16
BOTTOM = 28
LEFT = 48
RIGHT = 12
POINT_RADIUS = 4
# Lines of a chart with several: solid, dashed, dotted, dash-dotted; a legend row for each.
DASHES = ("", "8 4", "2 3", "8 3 2 3")
LEGEND_ROW = 22
# Text is drawn 15 units high (site.css); a character is about 9 units wide.
CHARACTER_WIDTH = 9


@dataclass(frozen=True)
class Mark:
    """A bar (a rectangle) or a point (a circle at x, y) with what it stands for."""

    label: str
    x: float
    y: float
    width: float = 0.0
    height: float = 0.0

    @property
    def radius(self) -> float:
        return self.width / 2


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Rule:
    """A straight line: an axis or a grid line."""

    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Line:
    """A line through points (an SVG path), solid or dashed ("6 4": 6 drawn, 4 blank)."""

    path: str
    dash: str = ""


@dataclass(frozen=True)
class Chart:
    """An SVG chart: its name, its shapes, and its numbers as a table."""

    slug: str
    title: str
    description: str
    kind: str  # "bars", "columns" or "line"
    height: float
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    marks: list[Mark] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    width: int = WIDTH

    @property
    def is_empty(self) -> bool:
        return not self.marks


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def bar_chart(
    *,
    slug: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, int]],
    headers: tuple[str, ...] = ("", "Packages"),
    whole: int | None = None,
) -> Chart:
    """Draw one horizontal bar per item, longest for the largest count.

    With `whole`, each count is also given as a share of it.
    """
    largest = max((count for _, count in items), default=0)
    values = [
        f"{count:,}" if whole is None else f"{count:,} ({_percent(count, whole)})"
        for _, count in items
    ]
    # The longest bar leaves room on its right for the longest value.
    room = WIDTH - max((len(value) for value in values), default=0) * CHARACTER_WIDTH - LABEL_GAP
    marks: list[Mark] = []
    texts: list[Text] = []
    rows: list[tuple[str, ...]] = []
    for index, ((name, count), value) in enumerate(zip(items, values, strict=True)):
        top = index * ROW_HEIGHT
        length = room * count / largest if largest else 0.0
        bar_top = top + ROW_HEIGHT - BAR_HEIGHT - LABEL_GAP * 2
        marks.append(Mark(f"{name}: {value}", 0.0, bar_top, round(length, 1), BAR_HEIGHT))
        texts.append(Text(0.0, bar_top - LABEL_GAP, name))
        texts.append(Text(round(length, 1) + LABEL_GAP, bar_top + BAR_HEIGHT - 4, value))
        rows.append(
            (name, f"{count:,}") if whole is None else (name, f"{count:,}", _percent(count, whole))
        )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        kind="bars",
        height=max(len(items), 1) * ROW_HEIGHT,
        headers=headers if whole is None else (*headers, "Share"),
        rows=rows,
        marks=marks,
        texts=texts,
    )


def _plot_rules(top_label: str, bottom_label: str = "0") -> tuple[list[Rule], list[Text]]:
    bottom = TOP + PLOT_HEIGHT
    rules = [
        Rule(LEFT, bottom, WIDTH - RIGHT, bottom),
        Rule(LEFT, TOP, WIDTH - RIGHT, TOP),
        Rule(LEFT, TOP + PLOT_HEIGHT / 2, WIDTH - RIGHT, TOP + PLOT_HEIGHT / 2),
    ]
    texts = [
        Text(LEFT - LABEL_GAP, TOP + 4, top_label, "end"),
        Text(LEFT - LABEL_GAP, bottom, bottom_label, "end"),
    ]
    return rules, texts


def _axis_labels(names: Sequence[str], centres: Sequence[float]) -> list[Text]:
    """Name as many columns or points under the axis as fit side by side, the last always."""
    if not names:
        return []
    room = max(len(name) for name in names) * CHARACTER_WIDTH + LABEL_GAP * 2
    fit = max(1, int((WIDTH - LEFT - RIGHT) // room))
    step = -(-len(names) // fit)
    chosen = set(range(len(names) - 1, -1, -step))
    y = TOP + PLOT_HEIGHT + BOTTOM - 8
    return [Text(round(centres[i], 1), y, names[i], "middle") for i in sorted(chosen)]


def column_chart(
    *,
    slug: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, int]],
    headers: tuple[str, ...],
) -> Chart:
    """Draw one column per item, left to right, tallest for the largest count."""
    largest = max((count for _, count in items), default=0)
    span = (WIDTH - LEFT - RIGHT) / max(len(items), 1)
    gap = min(4.0, span / 4)
    rules, texts = _plot_rules(f"{largest:,}")
    marks, centres = [], []
    for index, (name, count) in enumerate(items):
        height = PLOT_HEIGHT * count / largest if largest else 0.0
        left = LEFT + index * span + gap / 2
        marks.append(
            Mark(
                f"{name}: {count:,}",
                round(left, 1),
                round(TOP + PLOT_HEIGHT - height, 1),
                round(span - gap, 1),
                round(height, 1),
            )
        )
        centres.append(left + (span - gap) / 2)
    return Chart(
        slug=slug,
        title=title,
        description=description,
        kind="columns",
        height=TOP + PLOT_HEIGHT + BOTTOM,
        headers=headers,
        rows=[(name, f"{count:,}") for name, count in items],
        marks=marks,
        texts=texts + _axis_labels([name for name, _ in items], centres),
        rules=rules,
    )


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its name and, left to right, each point's share (0 to 1)
    and label. A share of None is a gap: no point there (a release not out yet that day)."""

    name: str
    points: Sequence[tuple[float | None, str]]


def line_chart(
    *,
    slug: str,
    title: str,
    description: str,
    names: Sequence[str],
    series: Sequence[Series],
    headers: tuple[str, ...],
    rows: list[tuple[str, ...]],
) -> Chart:
    """Draw a line through shares (0 to 1) for each series, one point per name, left to right.

    With more than one series, each line has its own dash pattern (so they differ without
    colour) and a legend under the axis names it.
    """
    span = (WIDTH - LEFT - RIGHT) / max(len(names), 1)
    centres = [round(LEFT + index * span + span / 2, 1) for index in range(len(names))]
    rules, texts = _plot_rules("100%", "0%")
    marks: list[Mark] = []
    lines: list[Line] = []
    legend_top = TOP + PLOT_HEIGHT + BOTTOM
    for number, line in enumerate(series):
        points = [
            Mark(label, x, round(TOP + PLOT_HEIGHT * (1 - share), 1), POINT_RADIUS * 2)
            for x, (share, label) in zip(centres, line.points, strict=False)
            if share is not None
        ]
        marks += points
        dash = DASHES[number % len(DASHES)] if len(series) > 1 else ""
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{mark.x:.1f},{mark.y:.1f}" for i, mark in enumerate(points)
        )
        lines.append(Line(path=path, dash=dash))
        if len(series) > 1:
            y = legend_top + number * LEGEND_ROW + LEGEND_ROW / 2
            lines.append(Line(path=f"M{LEFT:.1f},{y:.1f} L{LEFT + 32:.1f},{y:.1f}", dash=dash))
            texts.append(Text(LEFT + 32 + LABEL_GAP * 2, y + 5, line.name))
    legend = len(series) * LEGEND_ROW if len(series) > 1 else 0
    return Chart(
        slug=slug,
        title=title,
        description=description,
        kind="line",
        height=legend_top + legend,
        headers=headers,
        rows=rows,
        marks=marks,
        texts=texts + _axis_labels(names, centres),
        rules=rules,
        lines=lines,
    )
