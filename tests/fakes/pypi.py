"""A fake PyPI JSON API (``/pypi/{name}/json``), shaped as `packyard.sources.pypi` links."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request

from tests.fakes.base import JSON, FakeUpstream, Reply


def normalise_name(name: str) -> str:
    """Return a project name as PyPI compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pypi_file(
    uploaded: datetime,
    *,
    filename: str = "package-1.0.tar.gz",
    packagetype: str = "sdist",
    yanked: bool = False,
    yanked_reason: str | None = None,
) -> JSON:
    """Return one file of a release as the JSON API lists it."""
    moment = uploaded.astimezone(UTC)
    return {
        "filename": filename,
        "packagetype": packagetype,
        "python_version": "source" if packagetype == "sdist" else "py3",
        "size": 1234,
        "digests": {"sha256": hashlib.sha256(filename.encode()).hexdigest()},
        "upload_time": moment.replace(tzinfo=None).isoformat(timespec="seconds"),
        "upload_time_iso_8601": moment.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "url": f"https://files.example/{filename}",
        "yanked": yanked,
        "yanked_reason": yanked_reason,
    }


class FakePyPI(FakeUpstream):
    """PyPI's JSON API: ``/pypi/{name}/json``; other spellings of a name redirect to its own."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.projects: dict[str, JSON] = {}

    def add(
        self,
        name: str,
        *,
        version: str = "1.0",
        releases: dict[str, list[JSON]] | None = None,
        vulnerabilities: list[JSON] | None = None,
        project_status: dict[str, str] | None = None,
        **info: JSON,
    ) -> JSON:
        """Add a project; `info` fields override the defaults of its ``info``."""
        now = self.clock()
        body: dict[str, JSON] = {
            "info": {
                "name": name,
                "version": version,
                "summary": f"{name} does things",
                "description": "A long description. " * 200,
                "keywords": "",
                "license": None,
                "license_expression": None,
                "classifiers": [],
                "requires_python": ">=3.10",
                "requires_dist": None,
                "project_urls": None,
                "docs_url": None,
                "yanked": False,
                **info,
            },
            "last_serial": 1,
            "releases": (
                releases
                if releases is not None
                else {
                    version: [
                        pypi_file(now - timedelta(days=1), filename=f"{name}-{version}.tar.gz")
                    ]
                }
            ),
            "urls": [],
            "vulnerabilities": vulnerabilities or [],
        }
        if project_status is not None:
            body["project-status"] = project_status
        with self._lock:
            self.projects[normalise_name(name)] = body
        return body

    def delete(self, name: str) -> None:
        with self._lock:
            self.projects.pop(normalise_name(name), None)

    def route(self, request: Request, path: str) -> Reply:
        match = re.fullmatch(r"/pypi/([^/]+)/json/?", path)
        body = self.projects.get(normalise_name(match.group(1))) if match else None
        if match is None or body is None:
            return Reply(404, {"message": "Not Found"})
        canonical = body["info"]["name"]
        if match.group(1) != canonical:
            return Reply(301, None, {"Location": f"/pypi/{canonical}/json"})
        return Reply(200, body)
