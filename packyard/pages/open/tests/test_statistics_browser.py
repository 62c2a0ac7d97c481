"""/open/ in chromium on a 390 px phone and a 1280 px desktop: charts drawn, fitting, accessible."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from packyard.compatibility.services import support_snapshot_record
from packyard.pages.open.tests.test_statistics import directory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
BLOCKING = {"critical", "serious"}
CHARTS = [
    "categories",
    "hosts",
    "statuses",
    "support-django",
    "support-python",
    "history-django",
    "history-python",
    "recorded",
    "added",
    "freshness",
    "failures",
]
# For each chart: its box, and how many of its bars or points are drawn with a size.
MEASURE = """svg => {
  const box = svg.getBoundingClientRect();
  const drawn = [...svg.querySelectorAll('rect.mark, circle.mark')].filter(shape => {
    const size = shape.getBoundingClientRect();
    return size.width > 0 && size.height > 0;
  });
  return {left: box.left, right: box.right, width: box.width, height: box.height,
          drawn: drawn.length};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_statistics_charts_are_drawn_fit_the_screen_and_pass_axe(
    live_server, page, tmp_path, width
):
    """Each chart has bars or points of a real size, lies within the viewport, and the page
    neither scrolls sideways nor has a critical or serious axe finding."""
    directory(extra=3)
    for days_ago in (3, 2, 1):
        support_snapshot_record(day=timezone.localdate() - timedelta(days=days_ago))
    viewport = dict(zip(("width", "height"), WIDTHS[width], strict=True))
    page.set_viewport_size(viewport)

    response = page.goto(live_server.url + "/open/")

    assert response is not None
    assert response.status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    for slug in CHARTS:
        chart = page.locator(f'svg[data-chart="{slug}"]')
        box = chart.evaluate(MEASURE)
        assert box["width"] > 0, slug
        assert box["height"] > 0, slug
        assert box["left"] >= 0, slug
        assert box["right"] <= viewport["width"], slug
        assert box["drawn"] > 0, slug
    # Open the tables too, so axe checks them as a reader who opens them sees them.
    for summary in page.locator("figure.chart details summary").all():
        summary.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    results = Axe().run(page)
    blocking = [
        (violation["impact"], violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]
    shots = Path(tmp_path) / "statistics"
    shots.mkdir()
    page.screenshot(path=shots / f"{width}.png", full_page=True)
    assert blocking == [], f"screenshot in {shots}"
