"""Read a release's Requires-Dist into the projects it needs (PEP 508)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

EXTRA_MARKER = re.compile(r"""\bextra\s*==""")


@dataclass(frozen=True)
class Needed:
    """A project a release requires: its normalised name, the text, and whether optional."""

    name: str
    text: str
    optional: bool


def needed_projects(requires_dist: Iterable[str]) -> dict[str, Needed]:
    """Return the projects required, by normalised name (required wins over optional).

    Entries that PEP 508 cannot read are left out.
    """
    needed: dict[str, Needed] = {}
    for text in requires_dist:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        name = canonicalize_name(requirement.name)
        optional = bool(requirement.marker and EXTRA_MARKER.search(str(requirement.marker)))
        known = needed.get(name)
        if known is None or (known.optional and not optional):
            needed[name] = Needed(name=name, text=text.strip()[:300], optional=optional)
    return needed
