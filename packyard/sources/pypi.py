"""PyPI: a project's releases and its latest version's metadata from the JSON API.

``GET /pypi/{name}/json`` (conditional with its ETag; PyPI answers a name that is not the
project's own spelling with a 301 to it, followed once on the same host). A 404 is `NotFound`
("not on PyPI"): a fact about the package, not a failure to retry.

- Releases: every key of ``releases``. A release's upload time is the earliest
  ``upload_time_iso_8601`` of its files, timezone-aware in UTC (``upload_time`` has no zone and
  is read as UTC only when the ISO field is missing); a version without files has none. It is
  yanked when every file is, with the first ``yanked_reason`` given; a PEP 440 pre-release or
  development release is marked so. Releases are ordered oldest upload first.
- Licence: ``info.license_expression`` (PEP 639), else ``info.license`` when it is a name and
  not a whole licence text (empty and ``UNKNOWN`` are ignored; a long text gives its first line
  when that line reads like a name), else the ``License ::`` classifiers.
- ``project_urls``: documentation, changelog and source links picked by the well-known labels,
  compared the way the specification normalises them (lower case, punctuation removed).
- ``vulnerabilities`` (those known for the latest release): id, aliases, summary (else
  details), link, fixed_in, withdrawn.
- PEP 792 project status: read from ``project-status`` (``status`` and ``reason``) where the
  answer carries it, as the index API does.

Upstream documentation:

- JSON API (``releases``, ``upload_time_iso_8601``, ``yanked_reason``, ``vulnerabilities``; the
  ``releases`` key is deprecated in favour of the index API and may go one day):
  https://docs.pypi.org/api/json/
- License-Expression (PEP 639): https://packaging.python.org/en/latest/specifications/core-metadata/#license-expression
- Well-known project URL labels: https://packaging.python.org/en/latest/specifications/well-known-project-urls/
- Project status markers (PEP 792): https://packaging.python.org/en/latest/specifications/project-status-markers/
- Pre-releases (PEP 440): https://packaging.python.org/en/latest/specifications/version-specifiers/#pre-releases
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
from django.conf import settings
from packaging.version import InvalidVersion, Version

from packyard.core.http import build_client
from packyard.sources.base import HostSession
from packyard.sources.errors import NotFound, UpstreamError
from packyard.sources.parsing import JSONBody, expect_mapping, parse_timestamp, text, utc_now
from packyard.sources.types import (
    PyPIProject,
    PyPIRelease,
    RateBudget,
    Validators,
    Vulnerability,
)

PYPI_HOST = "pypi.org"

LONG_LICENSE = 100  # Characters past which `license` is a licence text, not a name.
_INFO_FIELDS = (
    "name",
    "version",
    "summary",
    "keywords",
    "license",
    "license_expression",
    "requires_python",
    "classifiers",
    "requires_dist",
    "project_urls",
    "docs_url",
    "project_status",
)
# The JSON type each kept field of `info` must have (null is allowed for every one: PyPI sends
# null where a release's metadata has no such field). Anything else fails the fetch.
_INFO_TYPES: dict[str, type] = {
    "name": str,
    "version": str,
    "summary": str,
    "keywords": str,
    "license": str,
    "license_expression": str,
    "requires_python": str,
    "classifiers": list,
    "requires_dist": list,
    "project_urls": dict,
    "docs_url": str,
    "project_status": dict,
}
SUMMARY_LENGTH = 1000  # Core metadata's Summary is one line; PyPI refuses more than 512.
_FILE_FIELDS = ("upload_time_iso_8601", "upload_time", "yanked", "yanked_reason")
# Labels normalised as the well-known project URLs specification does.
DOCUMENTATION_LABELS = ("documentation", "docs", "doc", "readthedocs", "documentationurl")
CHANGELOG_LABELS = (
    "changelog",
    "changes",
    "changelogs",
    "releasenotes",
    "whatsnew",
    "history",
    "news",
)
SOURCE_LABELS = ("source", "sourcecode", "code", "repository", "repo", "github", "gitlab")


def normalise_label(label: str) -> str:
    """Return a project URL label as the specification compares it: lower case, no punctuation."""
    return re.sub(r"[\s\W_]+", "", label.casefold())


def pick_url(urls: Mapping[str, str], labels: tuple[str, ...]) -> str:
    """Return the URL of the first label found (by preference), or ""."""
    by_label = {normalise_label(label): url for label, url in urls.items()}
    for label in labels:
        if by_label.get(label):
            return by_label[label]
    return ""


def licence(info: Mapping[str, object]) -> str:
    """Return the licence: the expression, else a licence name, else the classifiers."""
    expression = text(info.get("license_expression")).strip()
    if expression:
        return expression
    declared = text(info.get("license")).strip()
    if declared and declared.upper() not in {"UNKNOWN", "NONE", "N/A"}:
        lines = [line.strip() for line in declared.splitlines() if line.strip()]
        if len(lines) == 1 and len(declared) <= LONG_LICENSE:
            return declared
        first = lines[0] if lines else ""
        if first and len(first) <= 80 and not first.lower().startswith(("copyright", "(c)")):
            return first.rstrip(":")
    classifiers = info.get("classifiers")
    names = [
        classifier.split("::")[-1].strip()
        for classifier in (classifiers if isinstance(classifiers, list) else [])
        if isinstance(classifier, str)
        and classifier.startswith("License ::")
        and classifier.strip() != "License :: OSI Approved"
    ]
    return ", ".join(dict.fromkeys(name for name in names if name))


def checked_info(info: dict[str, object]) -> dict[str, object]:
    """Return `info` when each field it has is null or of its documented type, else raise."""
    for name, kind in _INFO_TYPES.items():
        value = info.get(name)
        if value is None:
            continue
        if not isinstance(value, kind):
            raise UpstreamError(f"PyPI's info.{name} is not a {kind.__name__}: {value!r:.80}")
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise UpstreamError(f"PyPI's info.{name} holds an item that is not a string.")
    if not text(info.get("version")).strip():
        raise UpstreamError("PyPI's answer names no version.")
    return info


def _strings(value: object) -> tuple[str, ...]:
    return (
        tuple(text(item) for item in value if isinstance(item, str))
        if isinstance(value, list)
        else ()
    )


def _without_nul(value: object) -> object:
    """Drop NUL characters from the strings in a JSON value (PostgreSQL's jsonb refuses them)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


def _keep_project(body: JSONBody) -> JSONBody:
    """Keep what the facts need: the long description alone can weigh megabytes."""
    body = expect_mapping(body, "The project")
    info = expect_mapping(body.get("info"), "The project's info")
    releases = body.get("releases") if isinstance(body.get("releases"), dict) else {}
    kept = {
        "info": {name: _without_nul(info.get(name)) for name in _INFO_FIELDS if name in info},
        "releases": {
            version: [
                {name: file.get(name) for name in _FILE_FIELDS}
                for file in files
                if isinstance(file, dict)
            ]
            for version, files in releases.items()
            if isinstance(files, list)
        },
        "vulnerabilities": body.get("vulnerabilities") or [],
    }
    if isinstance(body.get("project-status"), dict):
        kept["project-status"] = body["project-status"]
    return kept


def _upload_time(files: list[dict[str, object]]) -> datetime | None:
    times = []
    for file in files:
        # `upload_time` has no zone; PyPI keeps it in UTC, as parse_timestamp reads it.
        moment = parse_timestamp(file.get("upload_time_iso_8601")) or parse_timestamp(
            file.get("upload_time")
        )
        if moment is not None:
            times.append(moment)
    return min(times) if times else None


def _prerelease(version: str) -> bool:
    try:
        return Version(version).is_prerelease
    except InvalidVersion:
        return False


def release_of(version: str, files: list[dict[str, object]]) -> PyPIRelease:
    """Return one release from its version and files."""
    yanked = bool(files) and all(file.get("yanked") is True for file in files)
    reasons = [text(file.get("yanked_reason")).strip() for file in files if file.get("yanked")]
    return PyPIRelease(
        version=version,
        upload_time=_upload_time(files),
        yanked=yanked,
        yanked_reason=next((reason for reason in reasons if reason), "") if yanked else "",
        prerelease=_prerelease(version),
    )


def vulnerability_of(record: Mapping[str, object]) -> Vulnerability:
    """Return one vulnerability from PyPI's OSV record."""
    return Vulnerability(
        id=text(record.get("id")),
        aliases=_strings(record.get("aliases")),
        summary=(text(record.get("summary")) or text(record.get("details"))).strip(),
        link=text(record.get("link")),
        fixed_in=_strings(record.get("fixed_in")),
        withdrawn=parse_timestamp(record.get("withdrawn")),
    )


def _release_order(release: PyPIRelease) -> tuple[datetime, str]:
    return (release.upload_time or datetime.min.replace(tzinfo=UTC), release.version)


class PyPIClient:
    """Fetch projects from PyPI (or a mirror serving the same JSON API)."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        budget: RateBudget | None = None,
        host: str = PYPI_HOST,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.session = HostSession(client, host=host, budget=budget, clock=clock)

    @classmethod
    def build_http(cls, *, base_url: str | None = None) -> httpx.Client:
        """Return an `httpx.Client` for ``PYPI_URL``."""
        return build_client(
            base_url=base_url or settings.PYPI_URL, headers={"Accept": "application/json"}
        )

    @classmethod
    def from_settings(
        cls,
        *,
        budget: RateBudget | None = None,
        base_url: str | None = None,
        http: httpx.Client | None = None,
    ) -> PyPIClient:
        """Return a client for ``PYPI_URL``."""
        return cls(http or cls.build_http(base_url=base_url), budget=budget)

    def fetch(self, name: str, validators: Validators | None = None) -> PyPIProject:
        """Return the project called `name`; raise `NotFound` when it is not on PyPI."""
        try:
            answer = self.session.get(
                f"/pypi/{quote(name.strip(), safe='')}/json",
                validators=validators,
                keep=_keep_project,
            )
        except NotFound as error:
            raise NotFound(f"{name} is not on PyPI.", status=404) from error
        return self.project_of(answer.body)

    @staticmethod
    def project_of(body: Mapping[str, object]) -> PyPIProject:
        """Return a project from the (kept part of the) JSON API's answer.

        Raise `UpstreamError` when a field has the wrong type, so the fetch fails and the
        stored facts are kept, rather than a summary or requirements stored empty.
        """
        info = checked_info(expect_mapping(body.get("info"), "The project's info"))
        raw_releases = body.get("releases")
        releases = sorted(
            (
                release_of(version, [file for file in files if isinstance(file, dict)])
                for version, files in (
                    raw_releases if isinstance(raw_releases, dict) else {}
                ).items()
                if isinstance(files, list)
            ),
            key=_release_order,
        )
        raw_urls = info.get("project_urls")
        urls = {
            text(label): text(url)
            for label, url in (raw_urls if isinstance(raw_urls, dict) else {}).items()
            if isinstance(label, str) and isinstance(url, str) and text(url)
        }
        raw_vulnerabilities = body.get("vulnerabilities")
        status = body.get("project-status") or info.get("project_status")
        status = status if isinstance(status, dict) else {}
        return PyPIProject(
            name=text(info.get("name")),
            version=text(info.get("version")),
            summary=text(info.get("summary")).strip()[:SUMMARY_LENGTH],
            keywords=text(info.get("keywords")).strip(),
            license=licence(info),
            requires_python=text(info.get("requires_python")).strip(),
            classifiers=_strings(info.get("classifiers")),
            requires_dist=_strings(info.get("requires_dist")),
            project_urls=urls,
            documentation_url=pick_url(urls, DOCUMENTATION_LABELS) or text(info.get("docs_url")),
            changelog_url=pick_url(urls, CHANGELOG_LABELS),
            source_url=pick_url(urls, SOURCE_LABELS),
            releases=tuple(releases),
            vulnerabilities=tuple(
                vulnerability_of(record)
                for record in (raw_vulnerabilities if isinstance(raw_vulnerabilities, list) else [])
                if isinstance(record, dict)
            ),
            yanked_project_status=text(status.get("status")),
            project_status_reason=text(status.get("reason")),
        )
