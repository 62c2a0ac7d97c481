"""Security advisories: OSV records, and which of them affect a package's latest release.

Two sources are merged. PyPI's JSON API lists the advisories known for a project's latest
release (stored on the package by the refresh); an OSV export (`manage.py import_osv`, OSV's
PyPI ``all.zip`` or its JSON files) gives every advisory with the versions and ranges it
affects, read here by PEP 440. The same advisory under several ids (PYSEC, GHSA, CVE) is
shown once: records whose id or aliases overlap are merged, PyPI's first.

OSV schema (``affected[].ranges[].events`` with ``introduced``, ``fixed``, ``last_affected``
and ``limit``; ``affected[].versions``): https://ossf.github.io/osv-schema/
OSV's PyPI export: https://google.github.io/osv.dev/data/#data-dumps
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

OSV_LINK = "https://osv.dev/vulnerability/{id}"


class AdvisoryDataError(ValueError):
    """An OSV record that cannot be read; the message names the record and field."""


@dataclass(frozen=True)
class AffectedRange:
    """The versions of one PyPI project an advisory affects."""

    name: str
    ranges: tuple[dict[str, Any], ...] = ()
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class OsvRecord:
    advisory_id: str
    aliases: tuple[str, ...]
    summary: str
    link: str
    published: datetime | None
    modified: datetime | None
    withdrawn: datetime | None
    affected: tuple[AffectedRange, ...]


@dataclass
class AdvisoryView:
    """An advisory as pages show it."""

    id: str
    summary: str
    link: str
    aliases: list[str] = field(default_factory=list)
    fixed_in: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "summary": self.summary,
            "link": self.link,
            "aliases": self.aliases,
            "fixed_in": self.fixed_in,
            "sources": self.sources,
        }


def _timestamp(value: object, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise AdvisoryDataError(f"{where}: expected an RFC 3339 time, not {value!r}")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise AdvisoryDataError(f"{where}: {value!r} is not an RFC 3339 time") from error


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _link(record: Mapping[str, Any], advisory_id: str) -> str:
    references = record.get("references")
    if isinstance(references, list):
        for kind in ("ADVISORY", "WEB"):
            for reference in references:
                if (
                    isinstance(reference, dict)
                    and reference.get("type") == kind
                    and isinstance(reference.get("url"), str)
                    and reference["url"].startswith("https://")
                ):
                    return str(reference["url"])[:500]
    return OSV_LINK.format(id=advisory_id)


def parse_osv(record: object, *, where: str = "record") -> OsvRecord:
    """Read one OSV record, keeping only what it says about PyPI projects."""
    if not isinstance(record, dict):
        raise AdvisoryDataError(f"{where}: expected a JSON object")
    advisory_id = record.get("id")
    if not isinstance(advisory_id, str) or not advisory_id.strip():
        raise AdvisoryDataError(f"{where}: 'id' is missing")
    advisory_id = advisory_id.strip()[:100]
    where = f"{where} ({advisory_id})"
    affected = []
    for entry in record.get("affected") or []:
        if not isinstance(entry, dict):
            continue
        package = entry.get("package") or {}
        if not isinstance(package, dict) or package.get("ecosystem") != "PyPI":
            continue
        name = package.get("name")
        if not isinstance(name, str) or not name.strip():
            raise AdvisoryDataError(f"{where}: an affected package has no 'name'")
        ranges = tuple(
            item
            for item in entry.get("ranges") or []
            if isinstance(item, dict) and item.get("type") in {"ECOSYSTEM", "SEMVER"}
        )
        affected.append(
            AffectedRange(
                name=canonicalize_name(name),
                ranges=ranges,
                versions=_strings(entry.get("versions")),
            )
        )
    summary = record.get("summary") or record.get("details") or ""
    return OsvRecord(
        advisory_id=advisory_id,
        aliases=_strings(record.get("aliases")),
        summary=str(summary).strip().splitlines()[0][:500] if str(summary).strip() else "",
        link=_link(record, advisory_id),
        published=_timestamp(record.get("published"), f"{where} 'published'"),
        modified=_timestamp(record.get("modified"), f"{where} 'modified'"),
        withdrawn=_timestamp(record.get("withdrawn"), f"{where} 'withdrawn'"),
        affected=tuple(affected),
    )


def _version(text: object) -> Version | None:
    if not isinstance(text, str):
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(version: Version, events: Sequence[Mapping[str, Any]]) -> bool:
    """Apply OSV's evaluation of one range's events to a version."""
    ordered: list[tuple[Version, str]] = []
    for event in events:
        for kind in ("introduced", "fixed", "last_affected", "limit"):
            if kind in event:
                value = event[kind]
                at = Version("0") if value == "0" else _version(value)
                if at is not None:
                    ordered.append((at, kind))
    ordered.sort(key=lambda item: item[0])
    affected = False
    for at, kind in ordered:
        if kind == "introduced" and version >= at:
            affected = True
        elif (kind == "fixed" and version >= at) or (kind == "last_affected" and version > at):
            affected = False
    limits = [at for at, kind in ordered if kind == "limit"]
    return affected and not any(version >= limit for limit in limits)


def affects(affected: AffectedRange, version_text: str) -> bool:
    """Tell whether an advisory's affected entry covers a version."""
    if version_text in affected.versions:
        return True
    version = _version(version_text)
    if version is None:
        return False
    return any(_in_range(version, item.get("events") or []) for item in affected.ranges)


def fixed_versions(affected: AffectedRange) -> list[str]:
    """Return the versions that fix the advisory, lowest first."""
    fixed = {
        str(event["fixed"])
        for item in affected.ranges
        for event in item.get("events") or []
        if isinstance(event, dict) and isinstance(event.get("fixed"), str)
    }
    return sorted(fixed, key=lambda text: _version(text) or Version("0"))


def from_pypi(entries: Iterable[Mapping[str, Any]]) -> Iterator[AdvisoryView]:
    """Read PyPI's vulnerabilities of the latest release, leaving out withdrawn ones."""
    for entry in entries:
        advisory_id = str(entry.get("id") or "").strip()
        if not advisory_id or entry.get("withdrawn"):
            continue
        link = str(entry.get("link") or "")
        yield AdvisoryView(
            id=advisory_id,
            summary=str(entry.get("summary") or "").strip().splitlines()[0][:500]
            if str(entry.get("summary") or "").strip()
            else "",
            link=link if link.startswith("https://") else OSV_LINK.format(id=advisory_id),
            aliases=[str(alias) for alias in entry.get("aliases") or []],
            fixed_in=[str(version) for version in entry.get("fixed_in") or []],
            sources=["PyPI"],
        )


def merge(advisories: Iterable[AdvisoryView]) -> list[AdvisoryView]:
    """Merge advisories whose id or aliases overlap, keeping the first one's id and link."""
    merged: list[AdvisoryView] = []
    for advisory in advisories:
        names = {advisory.id, *advisory.aliases}
        match = next(
            (kept for kept in merged if names & {kept.id, *kept.aliases}),
            None,
        )
        if match is None:
            merged.append(advisory)
            continue
        for alias in [advisory.id, *advisory.aliases]:
            if alias != match.id and alias not in match.aliases:
                match.aliases.append(alias)
        for version in advisory.fixed_in:
            if version not in match.fixed_in:
                match.fixed_in.append(version)
        for source in advisory.sources:
            if source not in match.sources:
                match.sources.append(source)
        if not match.summary:
            match.summary = advisory.summary
    return sorted(merged, key=lambda advisory: advisory.id)


def read_osv_files(path: Path) -> Iterator[tuple[str, object]]:
    """Yield (where, JSON) for each record of an OSV zip, JSON file or folder of JSON files.

    A JSON file may hold one record or a list of them. A file that is not JSON yields an
    AdvisoryDataError in place of its JSON, so the caller can name it and go on.
    """
    if path.is_dir():
        for child in sorted(path.rglob("*.json")):
            yield from _records(child.name, child.read_bytes())
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                if name.endswith(".json"):
                    yield from _records(name, archive.read(name))
    else:
        yield from _records(path.name, path.read_bytes())


def _records(name: str, content: bytes) -> Iterator[tuple[str, object]]:
    try:
        data = json.loads(content)
    except ValueError as error:
        yield name, AdvisoryDataError(f"{name}: not JSON ({error})")
        return
    if isinstance(data, list):
        for index, item in enumerate(data, start=1):
            yield f"{name} record {index}", item
    else:
        yield name, data
