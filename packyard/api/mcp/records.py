"""What the MCP tools answer: API v5's records, built without an HTTP request.

Each function takes plain arguments, reads through the v5 selectors (or the search and the
upgrade check) and returns JSON-ready data; bad input or an unknown slug raises `ToolInputError`
with a sentence for the model to read. Links are absolute, made from `SITE_URL`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.http import Http404
from django.urls import reverse

from packyard.api.v5 import selectors
from packyard.api.v5.params import SearchParams
from packyard.api.v5.search import search_answer
from packyard.api.v5.serializers import (
    GridDetailSerializer,
    PackageDetailSerializer,
    PackageSerializer,
)
from packyard.compatibility.models import PackageCompatibility
from packyard.compatibility.requirements import parse_requirements
from packyard.scoring.upgrades import UpgradeReport, upgrade_report, upgrade_targets
from packyard.search.selectors import SearchQueryError

COMPARE_MIN = 2
COMPARE_MAX = 10
MAX_REQUIREMENTS = 50_000  # characters, as the upgrade-check page takes
SEARCH_LIMIT_MAX = 50


class ToolInputError(ValueError):
    """The arguments name nothing Packyard has, or are not what the tool takes."""


class SiteAddress:
    """Stand in for the request DRF's `reverse` and the v5 search make absolute links with."""

    versioning_scheme = None
    GET: dict[str, str] = {}  # DRF's reverse keeps `format` from here; there is none

    def __init__(self, path: str = "/") -> None:
        self.path = path

    def build_absolute_uri(self, location: str | None = None) -> str:
        return urljoin(f"{settings.SITE_URL}/", location if location is not None else self.path)


def _context() -> dict[str, Any]:
    return {"request": SiteAddress()}


def search_packages(*, query: str, limit: int = 10) -> dict[str, Any]:
    """Return the v5 search's first page for `query`: ranked packages, grids and facets."""
    params = SearchParams(data={"q": query, "page_size": limit})
    if not query.strip():
        raise ToolInputError("Say what to search for: the query is empty.")
    if not 1 <= limit <= SEARCH_LIMIT_MAX:
        raise ToolInputError(f"limit is between 1 and {SEARCH_LIMIT_MAX}.")
    if not params.is_valid():
        raise ToolInputError(_first_error(params.errors))
    path = f"{reverse('apiv5:search')}?{urlencode({'q': query, 'page_size': limit})}"
    try:
        return search_answer(request=SiteAddress(path), params=dict(params.validated_data))  # type: ignore[arg-type]
    except SearchQueryError as error:
        raise ToolInputError(str(error) or "This text cannot be searched.") from error


def _first_error(errors: Any) -> str:
    for field, messages in dict(errors).items():
        return f"{field}: {' '.join(str(message) for message in messages)}"
    return "The arguments are not valid."


def get_package(*, slug: str) -> dict[str, Any]:
    """Return the v5 package record of `slug`."""
    try:
        package = selectors.package_for_v5(slug=slug)
    except Http404 as error:
        raise ToolInputError(f"No package has the slug {slug!r}.") from error
    return dict(PackageDetailSerializer(package, context=_context()).data)


def get_grid(*, slug: str) -> dict[str, Any]:
    """Return the v5 grid record of `slug`: its features, packages and cells."""
    try:
        table = selectors.grid_table_for_v5(slug=slug)
    except Http404 as error:
        raise ToolInputError(f"No grid has the slug {slug!r}.") from error
    return dict(GridDetailSerializer(table).data)


def compare_packages(*, slugs: list[str]) -> dict[str, Any]:
    """Return 2-10 packages side by side: each one's list record and its Django answers."""
    wanted = list(dict.fromkeys(slug.strip() for slug in slugs if slug.strip()))
    if not COMPARE_MIN <= len(wanted) <= COMPARE_MAX:
        raise ToolInputError(
            f"Compare {COMPARE_MIN} to {COMPARE_MAX} different packages (slugs); got {len(wanted)}."
        )
    found = {
        package.slug: package for package in selectors.packages_for_v5().filter(slug__in=wanted)
    }
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        raise ToolInputError(f"No package has the slug {', '.join(repr(s) for s in missing)}.")
    answers: dict[int, dict[str, str]] = {package.pk: {} for package in found.values()}
    for answer in (
        PackageCompatibility.objects.filter(package__in=found.values(), cycle__product="django")
        .select_related("cycle")
        .order_by("-cycle__major", "-cycle__minor")
    ):
        answers[answer.package_id][answer.cycle.cycle] = answer.answer
    packages = []
    for slug in wanted:
        record = dict(PackageSerializer(found[slug], context=_context()).data)
        record["django"] = answers[found[slug].pk]
        packages.append(record)
    return {"packages": packages}


def check_upgrade(*, requirements: str, django: str) -> dict[str, Any]:
    """Return the upgrade check of a pasted requirements text against a Django release."""
    if not requirements.strip():
        raise ToolInputError("Paste a requirements.txt or pyproject.toml: the text is empty.")
    if len(requirements) > MAX_REQUIREMENTS:
        raise ToolInputError(f"The requirements text is longer than {MAX_REQUIREMENTS} characters.")
    targets = {cycle.cycle: cycle for cycle in upgrade_targets()}
    target = targets.get(django.strip().removeprefix("Django").strip())
    if target is None:
        known = ", ".join(targets) or "none yet"
        raise ToolInputError(f"Packyard knows no Django release {django!r}; it knows {known}.")
    report = upgrade_report(parsed=parse_requirements(requirements), target=target)
    return _upgrade_record(report)


def _package_link(slug: str) -> str:
    return SiteAddress().build_absolute_uri(reverse("apiv5:package-detail", kwargs={"slug": slug}))


def _upgrade_record(report: UpgradeReport) -> dict[str, Any]:
    target = report.target
    rows = []
    for row in report.rows:
        item: dict[str, Any] = {
            "line": row.requirement.line.number,
            "name": row.requirement.display_name,
            "specifier": str(row.requirement.requirement.specifier),
            "is_django": row.is_django,
            "in_directory": row.package is not None,
        }
        if row.is_django:
            item["pin_admits_target"] = row.pin_admits_target
        if row.package is not None:
            item |= {
                "package": {
                    "slug": row.package.slug,
                    "title": row.package.title,
                    "url": _package_link(row.package.slug),
                },
                "answer": row.answer.answer if row.answer else "unknown",
                "basis": row.answer.basis if row.answer else "",
                "evidence": row.answer.evidence if row.answer else "",
                "score": row.score.overall if row.score else None,
                "latest_version": row.package.pypi_version,
                "pin_admits_latest": row.pin_admits_latest,
                "retired": row.is_retired,
                "alternatives": [
                    {
                        "slug": alternative.package.slug,
                        "title": alternative.package.title,
                        "answer": alternative.answer.answer if alternative.answer else "unknown",
                        "score": alternative.score.overall if alternative.score else None,
                        "is_replacement": alternative.is_replacement,
                    }
                    for alternative in row.alternatives
                ],
            }
        rows.append(item)
    return {
        "django": {"cycle": target.cycle, "lts": target.lts, "phase": target.phase},
        "counts": report.counts,
        "requirements": rows,
        "skipped": [_unread(item) for item in report.parsed.skipped],
        "unreadable": [_unread(item) for item in report.parsed.unreadable],
    }


def _unread(item: Any) -> dict[str, Any]:
    return {"line": item.line.number, "text": item.line.text, "reason": item.reason}
