"""Records of djangopackages.org's API v4, read and checked field by field.

Shapes: https://djangopackages.org/api/v4/ (packages, grids, categories). A record that does
not fit raises `RecordError` naming the field and the reason, so an import can report it and
go on with the next one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from packyard.core.repositories import InvalidRepositoryURL, parse_repository_url

_TRAILING_ID = re.compile(r"/(\d+)/?(?:\?.*)?$")


class RecordError(ValueError):
    """A record that cannot be imported, with the field at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class CategoryRecord:
    id: int
    title: str
    slug: str
    description: str
    title_plural: str
    show_pypi: bool
    created: datetime
    modified: datetime


@dataclass(frozen=True)
class GridRecord:
    id: int
    title: str
    slug: str
    description: str
    is_locked: bool
    header: bool
    package_ids: tuple[int, ...]
    created: datetime
    modified: datetime


@dataclass(frozen=True)
class PackageRecord:
    id: int
    category_id: int
    grid_ids: tuple[int, ...]
    title: str
    slug: str
    last_updated: datetime | None
    last_fetched: datetime | None
    repo_url: str
    pypi_version: str | None
    created: datetime
    modified: datetime
    repo_forks: int | None
    repo_description: str
    pypi_url: str
    documentation_url: str | None
    repo_watchers: int | None
    commits_over_52: tuple[int, ...]
    participants: tuple[str, ...]


def _require(data: Mapping[str, Any], field: str) -> Any:
    if field not in data:
        raise RecordError(field, "missing")
    return data[field]


def _id(data: Mapping[str, Any], field: str = "id") -> int:
    value = _require(data, field)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RecordError(field, f"expected a positive whole number, got {value!r}")
    return value


def _text(data: Mapping[str, Any], field: str, *, required: bool = False, max_length: int) -> str:
    value = _require(data, field)
    if value is None and not required:
        value = ""
    if not isinstance(value, str):
        raise RecordError(field, f"expected text, got {type(value).__name__}")
    if required and not value.strip():
        raise RecordError(field, "must not be empty")
    if len(value) > max_length:
        raise RecordError(field, f"longer than {max_length} characters")
    return value


def _optional_text(data: Mapping[str, Any], field: str, *, max_length: int) -> str | None:
    if data.get(field) is None:
        _require(data, field)
        return None
    return _text(data, field, max_length=max_length)


def _slug(data: Mapping[str, Any], field: str = "slug", *, max_length: int = 100) -> str:
    value = _text(data, field, required=True, max_length=max_length)
    # ASCII only, as Django's <slug:> URL converter reads it, so every page can link to it.
    if not re.fullmatch(r"[-a-zA-Z0-9_]+", value):
        raise RecordError(field, f"{value!r} is not a slug")
    return value


def _bool(data: Mapping[str, Any], field: str) -> bool:
    value = _require(data, field)
    if not isinstance(value, bool):
        raise RecordError(field, f"expected true or false, got {value!r}")
    return value


COUNT_MAX = 2_147_483_647  # The largest value a PositiveIntegerField holds on every database.


def _count(data: Mapping[str, Any], field: str) -> int | None:
    value = _require(data, field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
        raise RecordError(field, f"expected a count from 0 to {COUNT_MAX}, got {value!r}")
    return value


def _datetime(data: Mapping[str, Any], field: str, *, optional: bool = False) -> datetime | None:
    value = _require(data, field)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise RecordError(field, f"expected an ISO 8601 date and time, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(field, f"{value!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise RecordError(field, f"{value!r} has no UTC offset")
    return moment


def _required_datetime(data: Mapping[str, Any], field: str) -> datetime:
    moment = _datetime(data, field)
    assert moment is not None  # noqa: S101 - _datetime returns None only when optional.
    return moment


def _linked_id(value: Any, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _TRAILING_ID.search(value) if isinstance(value, str) else None
    if not match:
        raise RecordError(field, f"{value!r} is not a link to a record")
    return int(match.group(1))


def _linked_ids(data: Mapping[str, Any], field: str) -> tuple[int, ...]:
    value = _require(data, field)
    if not isinstance(value, list):
        raise RecordError(field, "expected a list of links")
    return tuple(dict.fromkeys(_linked_id(item, field) for item in value))


def _web_address(value: str | None, field: str) -> str | None:
    """Refuse an address that is not http or https (a `javascript:` link, a file path)."""
    if value and not value.strip().lower().startswith(("http://", "https://")):
        raise RecordError(field, f"{value[:80]!r} is not an http or https address")
    return value


def _repository_address(value: str) -> str:
    """Accept a web address, or any spelling of a repository on a supported host (ssh too)."""
    try:
        parse_repository_url(value)
    except InvalidRepositoryURL:
        return _web_address(value, "repo_url") or ""
    return value


def parse_category(data: Mapping[str, Any]) -> CategoryRecord:
    """Read a v4 category record."""
    return CategoryRecord(
        id=_id(data),
        title=_text(data, "title", required=True, max_length=50),
        slug=_slug(data, max_length=50),
        description=_text(data, "description", max_length=10_000),
        title_plural=_text(data, "title_plural", max_length=50),
        show_pypi=_bool(data, "show_pypi"),
        created=_required_datetime(data, "created"),
        modified=_required_datetime(data, "modified"),
    )


def parse_grid(data: Mapping[str, Any]) -> GridRecord:
    """Read a v4 grid record."""
    return GridRecord(
        id=_id(data),
        title=_text(data, "title", required=True, max_length=100),
        slug=_slug(data),
        description=_text(data, "description", max_length=10_000),
        is_locked=_bool(data, "is_locked"),
        header=_bool(data, "header"),
        package_ids=_linked_ids(data, "packages"),
        created=_required_datetime(data, "created"),
        modified=_required_datetime(data, "modified"),
    )


def parse_package(data: Mapping[str, Any]) -> PackageRecord:
    """Read a v4 package record."""
    commits = _require(data, "commits_over_52")
    if commits is None:
        commits = []
    if not isinstance(commits, list) or len(commits) not in {0, 52}:
        raise RecordError("commits_over_52", "expected 52 weekly counts or an empty list")
    if any(isinstance(week, bool) or not isinstance(week, int) or week < 0 for week in commits):
        raise RecordError("commits_over_52", "every week must be a count of 0 or more")
    participants = _require(data, "participants")
    if participants is None:
        participants = []
    if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
        raise RecordError("participants", "expected a list of logins")
    version = _optional_text(data, "pypi_version", max_length=100)
    return PackageRecord(
        id=_id(data),
        category_id=_linked_id(_require(data, "category"), "category"),
        grid_ids=_linked_ids(data, "grids"),
        title=_text(data, "title", required=True, max_length=100),
        slug=_slug(data),
        last_updated=_datetime(data, "last_updated", optional=True),
        last_fetched=_datetime(data, "last_fetched", optional=True),
        repo_url=_repository_address(_text(data, "repo_url", max_length=500)),
        pypi_version=version,
        created=_required_datetime(data, "created"),
        modified=_required_datetime(data, "modified"),
        repo_forks=_count(data, "repo_forks"),
        repo_description=_text(data, "repo_description", max_length=100_000),
        pypi_url=_web_address(_text(data, "pypi_url", max_length=500), "pypi_url") or "",
        documentation_url=_web_address(
            _optional_text(data, "documentation_url", max_length=500), "documentation_url"
        ),
        repo_watchers=_count(data, "repo_watchers"),
        commits_over_52=tuple(commits),
        participants=tuple(participants),
    )
