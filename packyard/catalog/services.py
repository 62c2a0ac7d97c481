"""Writes to the catalogue: packages and their releases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from packaging.version import InvalidVersion, Version

from packyard.catalog.models import Package, Release


@dataclass(frozen=True)
class ReleaseFacts:
    """One release as a source reports it.

    `license`, `requires_python` and `classifiers` are None when the source does not give
    them for this release (PyPI's JSON gives them for the latest version only): the stored
    values are then kept.
    """

    version: str
    upload_time: datetime | None
    yanked: bool = False
    yanked_reason: str = ""
    license: str | None = None
    requires_python: str | None = None
    classifiers: tuple[str, ...] | None = None


def _parsed(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


def is_prerelease(version: str) -> bool:
    """Tell whether a version is a pre-release or development release by PEP 440."""
    parsed = _parsed(version)
    return bool(parsed and (parsed.is_prerelease or parsed.is_devrelease))


def latest_release[T: (Release, ReleaseFacts)](releases: Iterable[T]) -> T | None:
    """Return the highest non-yanked final release by PEP 440.

    When a package has only pre-releases, the highest non-yanked pre-release is its latest;
    yanked releases and versions PEP 440 cannot read never are.
    """
    best: tuple[bool, Version, T] | None = None
    for release in releases:
        parsed = _parsed(release.version)
        if release.yanked or parsed is None:
            continue
        final = not (parsed.is_prerelease or parsed.is_devrelease)
        if best is None or (final, parsed) > best[:2]:
            best = (final, parsed, release)
    return best[2] if best else None


def development_status(classifiers: Iterable[str]) -> str:
    """Return the words of the "Development Status" trove classifier ("" when none)."""
    for classifier in classifiers:
        if classifier.startswith("Development Status :: "):
            return classifier.rsplit(" - ", 1)[-1].strip()
    return ""


@transaction.atomic
def package_releases_set(*, package: Package, releases: Iterable[ReleaseFacts]) -> list[Release]:
    """Store every release a source lists and update the package's latest version.

    Releases the source no longer lists are kept: PyPI deletes files, history does not.
    """
    facts = list(releases)
    existing = {release.version: release for release in package.releases.all()}
    to_create: list[Release] = []
    to_update: list[Release] = []
    fields = [
        "upload_time",
        "yanked",
        "yanked_reason",
        "is_prerelease",
        "license",
        "requires_python",
        "classifiers",
        "development_status",
    ]
    for fact in facts:
        values: dict[str, object] = {
            "upload_time": fact.upload_time,
            "yanked": fact.yanked,
            "yanked_reason": fact.yanked_reason,
            "is_prerelease": is_prerelease(fact.version),
        }
        if fact.license is not None:
            values["license"] = fact.license[:300]
        if fact.requires_python is not None:
            values["requires_python"] = fact.requires_python[:200]
        if fact.classifiers is not None:
            values["classifiers"] = list(fact.classifiers)
            values["development_status"] = development_status(fact.classifiers)
        release = existing.get(fact.version)
        if release is None:
            to_create.append(Release(package=package, version=fact.version, **values))
        elif any(getattr(release, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(release, name, value)
            to_update.append(release)
    Release.objects.bulk_create(to_create)
    if to_update:
        Release.objects.bulk_update(to_update, fields)
    stored = list(package.releases.all())
    latest = latest_release(stored)
    version = latest.version if latest else None
    released_at = latest.upload_time if latest else None
    if (package.pypi_version, package.latest_release_at) != (version, released_at):
        package.pypi_version = version
        package.latest_release_at = released_at
        package.save(update_fields=["pypi_version", "latest_release_at"])
    return stored
