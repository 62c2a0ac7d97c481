"""Script written into every field people (and code hosts) write runs nowhere, in a real browser.

Each payload is stored in every such field: package texts, fetched descriptions and PyPI
summaries, categories, grids, features, grid cells, profiles, sites using a package, flags and
proposals; then every page that shows them is opened in Debian's chromium (as a visitor and as
staff, who see the moderation queue). A payload that runs calls `window.__xss(...)` or opens a
dialog; both are recorded, and none may happen. The text must still be shown, escaped.
"""

from __future__ import annotations

import pytest
from django.test import Client

from packyard.accounts.models import DeprecationProposal, Flag, FlagTopic, SiteEntry
from packyard.catalog.models import Category
from tests.factories import (
    ElementFactory,
    FeatureFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    ProfileFactory,
    staff,
)

pytestmark = [pytest.mark.browser, pytest.mark.attack, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>__xss('script')</script>",
    "<img src=x onerror=\"__xss('img')\">",
    '"><svg onload="__xss(\'svg\')">',
    "'><details open ontoggle=__xss('details')>",
    "[link](javascript:__xss('markdown-link'))",
    "![i](x\" onerror=\"__xss('markdown-image'))",
    '<a href="javascript:__xss(\'anchor\')" id="xss-anchor">click</a>',
    "<iframe srcdoc=\"<script>parent.__xss('iframe')</script>\"></iframe>",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"__xss('mxss')\">",
    "{{ 7|add:7 }}{% now 'Y' %}",
]
HOOK = """
window.__ran = [];
window.__xss = (name) => window.__ran.push(name);
"""


def stored_everywhere(payload: str, number: int):
    """A directory whose every person-written field holds `payload`; return what to visit."""
    category = Category.objects.create(
        title=f"Cat {number} {payload}"[:50],
        slug=f"cat-{number}",
        title_plural=payload[:50],
        description=payload,
    )
    package = FetchedPackageFactory(
        title=f"pkg {number} {payload}"[:100],
        slug=f"pkg-{number}",
        category=category,
        description=payload,
        pypi_summary=payload,
        pypi_keywords=payload[:500],
    )
    grid = GridFactory(
        title=f"grid {number} {payload}"[:100], slug=f"grid-{number}", description=payload
    )
    membership = GridPackageFactory(grid=grid, package=package)
    feature = FeatureFactory(grid=grid, title=payload[:100], description=payload)
    ElementFactory(grid_package=membership, feature=feature, text=payload)
    person = ProfileFactory(github_login=f"person-{number}", name=payload[:100], bio=payload[:500])
    SiteEntry.objects.create(
        package=package,
        name=payload[:100],
        url="https://example.com/",
        status="accepted",
        submitted_by=person.user,
    )
    Flag.objects.create(
        package=package, topic=FlagTopic.choices[0][0], reason=payload, reporter=person.user
    )
    DeprecationProposal.objects.create(package=package, reason=payload, proposer=person.user)
    return [
        "/",
        "/packages/",
        f"/packages/p/{package.slug}/",
        f"/packages/p/{package.slug}/score/",
        f"/packages/p/{package.slug}/history/",
        f"/categories/{category.slug}/",
        "/packages/latest/",
        "/grids/",
        f"/grids/g/{grid.slug}/",
        f"/profiles/{person.github_login}/",
        f"/search/?q={package.slug}",
    ]


def test_no_stored_payload_runs_on_any_page(live_server, page):
    addresses = []
    for number, payload in enumerate(PAYLOADS):
        addresses += stored_everywhere(payload, number)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(HOOK)
    boss = staff("boss")
    ran = {}

    def visit(path: str) -> None:
        response = page.goto(live_server.url + path)
        assert response is not None, path
        assert response.status < 500, path
        anchors = page.locator("#xss-anchor")
        if anchors.count():
            anchors.first.click()  # A javascript: link must not survive to be clicked.
        found = page.evaluate("window.__ran")
        if found:
            ran[path] = found

    for path in addresses:
        visit(path)
    # Same tab, now as staff: the moderation queue shows every flag and proposal.
    client = Client()
    client.force_login(boss)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    for path in ["/moderation/", *addresses[:3]]:
        visit(path)

    assert ran == {}
    assert dialogs == []
    page.goto(live_server.url + "/packages/p/pkg-1/")
    assert "onerror=" in page.locator("main").inner_text()  # Shown as text, not dropped.
