"""/llms.txt (llmstxt.org) and what robots.txt says to agents."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_llms_txt_is_plain_text_in_the_llmstxt_format(client):
    """An H1 with the site's name, a blockquote summary, then sections of links."""
    response = client.get("/llms.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[0] == "# Packyard"
    assert lines[2].startswith("> Packyard is an open directory of Django packages")
    assert [line for line in lines if line.startswith("## ")] == [
        "## API",
        "## For agents",
        "## Bulk data",
        "## Citing a package",
        "## Optional",
    ]


def test_llms_txt_links_the_apis_the_dump_the_sitemap_and_says_how_to_cite(client):
    """Absolute links to API v4, v5, its schema and docs, MCP, the dump, the sitemap; a citation."""
    text = client.get("/llms.txt").text
    links = dict(re.findall(r"^- \[([^\]]+)\]\(([^)]+)\)", text, flags=re.MULTILINE))
    site = settings.SITE_URL

    assert links["API v4"] == f"{site}/api/v4/"
    assert links["API v5"] == f"{site}/api/v5/"
    assert links["API v5 schema"] == f"{site}/api/v5/schema/"
    assert links["API v5 docs"] == f"{site}/api/v5/docs/"
    assert links["MCP server"] == f"{site}/mcp/"
    assert links["Dump"] == f"{site}/dump/"
    assert links["Sitemap"] == f"{site}/sitemap.xml"
    assert links["Package page"] == f"{site}/packages/p/django-example/"
    assert "cite it by its title and that address" in text


def test_robots_txt_names_llms_txt_and_the_dump_and_keeps_no_agent_out(client):
    """robots.txt points at /llms.txt and /dump/; its only group is for every agent."""
    text = client.get("/robots.txt").text

    assert "/llms.txt" in text
    assert "Allow: /dump/" in text
    assert re.findall(r"^User-agent: (.*)$", text, flags=re.MULTILINE) == ["*"]
    assert "Disallow: /\n" not in text
