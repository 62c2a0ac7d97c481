"""The geometry of the statistics page's charts."""

from __future__ import annotations

import itertools

from packyard.pages.open import charts


def test_a_long_run_of_months_names_only_the_columns_whose_labels_fit():
    """Sixty months: every column drawn, labels spaced so they do not overlap, the last named."""
    months = [(f"{2020 + n // 12}-{n % 12 + 1:02}", n) for n in range(60)]

    chart = charts.column_chart(
        slug="added", title="Added", description="", items=months, headers=("Month", "Added")
    )

    assert len(chart.marks) == 60
    labels = [text for text in chart.texts if text.anchor == "middle"]
    assert labels[-1].text == "2024-12"
    assert 2 <= len(labels) < 60
    room = len("2024-12") * charts.CHARACTER_WIDTH
    gaps = [right.x - left.x for left, right in itertools.pairwise(labels)]
    assert min(gaps) >= room
    assert all(mark.x + mark.width <= charts.WIDTH - charts.RIGHT + 0.1 for mark in chart.marks)


def test_a_line_puts_a_share_of_one_at_the_top_and_nothing_at_the_bottom():
    chart = charts.line_chart(
        slug="s",
        title="S",
        description="",
        names=["1.0", "2.0", "3.0"],
        series=[charts.Series("S", [(0.0, "none"), (1.0, "all"), (0.5, "half")])],
        headers=("Release",),
        rows=[],
    )

    ys = [mark.y for mark in chart.marks]
    assert ys == [charts.TOP + charts.PLOT_HEIGHT, charts.TOP, charts.TOP + charts.PLOT_HEIGHT / 2]
    (line,) = chart.lines
    assert line.path == " ".join(
        f"{'L' if index else 'M'}{mark.x:.1f},{mark.y:.1f}"
        for index, mark in enumerate(chart.marks)
    )


def test_bars_of_nothing_but_zeros_are_drawn_empty_without_failing():
    chart = charts.bar_chart(
        slug="z", title="Z", description="", items=[("a", 0), ("b", 0)], whole=0
    )

    assert [mark.width for mark in chart.marks] == [0.0, 0.0]
    assert chart.rows == [("a", "0", "0%"), ("b", "0", "0%")]


def test_the_longest_bar_leaves_room_for_a_long_value_inside_the_drawing():
    """ "123,456 (100%)" is written after the longest bar, within the viewBox."""
    chart = charts.bar_chart(
        slug="big", title="Big", description="", items=[("a", 123_456), ("b", 3)], whole=123_456
    )

    value = next(text for text in chart.texts if text.text == "123,456 (100%)")
    assert value.x + len(value.text) * charts.CHARACTER_WIDTH <= charts.WIDTH
    assert chart.marks[0].width > charts.WIDTH / 2
