"""Read a pasted requirements.txt or pyproject dependency list into requirements (PEP 508).

Accepted, line by line: ``name[extras] specifier ; marker`` (requirements.txt), with comments,
``\\`` line continuations and per-line options such as ``--hash=...``; ``name @ URL``;
``-e``/VCS URLs with ``#egg=name``; a quoted entry of a pyproject list (``"django>=4.2",``).
A whole ``pyproject.toml`` is read with its ``[project] dependencies`` and
``optional-dependencies``. pip options (``-r``, ``-c``, ``--index-url``...) are skipped and
listed; a line PEP 508 cannot read is listed as unreadable with the reason. Nothing is fatal.

requirements.txt format: https://pip.pypa.io/en/stable/reference/requirements-file-format/
Dependency specifiers (PEP 508): https://packaging.python.org/en/latest/specifications/dependency-specifiers/
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

MAX_LINES = 1000
OPTION = re.compile(r"^(-[a-zA-Z]|--[a-z][a-z-]*)(\s|=|$)")
TRAILING_OPTION = re.compile(r"\s+--?[a-z][a-z-]*(=\S*|\s+\S+)?(?=\s|$)")
EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
URL_START = re.compile(r"^(git|hg|svn|bzr)\+|^https?://|^file:")


@dataclass(frozen=True)
class Line:
    number: int
    text: str


@dataclass(frozen=True)
class ParsedRequirement:
    line: Line
    name: str  # normalised (PEP 503)
    requirement: Requirement

    @property
    def display_name(self) -> str:
        return self.requirement.name


@dataclass(frozen=True)
class Unreadable:
    line: Line
    reason: str


@dataclass
class ParsedRequirements:
    requirements: list[ParsedRequirement] = field(default_factory=list)
    skipped: list[Unreadable] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


def _logical_lines(text: str) -> list[Line]:
    """Join backslash continuations and drop comments; keep the first physical line number."""
    lines: list[Line] = []
    buffer = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        stripped = raw.rstrip()
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        lines.append(Line(start, buffer))
        buffer = ""
    if buffer:
        lines.append(Line(start, buffer))
    return lines


def _strip_comment(text: str) -> str:
    # pip treats "#" as a comment at the start or after whitespace; a URL's "#egg=" stays.
    return re.split(r"(?:^|\s)#", text, maxsplit=1)[0].strip()


def _from_toml(text: str) -> list[str] | None:
    """Return the dependency strings of a pyproject.toml or a TOML `dependencies = [...]`."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    project = document.get("project")
    table = project if isinstance(project, dict) else document
    found: list[str] = []
    dependencies = table.get("dependencies")
    if isinstance(dependencies, list):
        found.extend(item for item in dependencies if isinstance(item, str))
    optional = table.get("optional-dependencies")
    if isinstance(optional, dict):
        for items in optional.values():
            if isinstance(items, list):
                found.extend(item for item in items if isinstance(item, str))
    return found if found or "dependencies" in table else None


def _toml_lines(text: str, items: list[str]) -> list[Line]:
    """Number each TOML list item by the line it is written on."""
    physical = text.splitlines()
    lines = []
    for item in items:
        number = next((index for index, raw in enumerate(physical, start=1) if item in raw), 0)
        lines.append(Line(number, item))
    return lines


def _read(line: Line, result: ParsedRequirements) -> None:
    text = _strip_comment(line.text)
    if not text or text in {"[", "]", "],"} or re.fullmatch(r"[\w.-]+\s*=\s*\[", text):
        return
    if re.fullmatch(r"\[[\w.\- \"']+\]", text):  # A TOML table header.
        return
    quoted = re.fullmatch(r"""(["'])(.*)\1\s*,?""", text)
    if quoted:
        text = quoted.group(2).strip()
    editable = False
    if text.startswith(("-e ", "--editable ", "--editable=")):
        editable = True
        text = re.sub(r"^(-e|--editable)[\s=]+", "", text)
    elif OPTION.match(text):
        result.skipped.append(Unreadable(line, "a pip option, not a package"))
        return
    if editable or URL_START.match(text):
        egg = EGG.search(text)
        if egg is None:
            result.unreadable.append(
                Unreadable(line, "a URL or local path without #egg=NAME: the package is unknown")
            )
            return
        text = f"{egg.group(1)} @ {text.split('#', 1)[0]}" if "://" in text else egg.group(1)
    text = TRAILING_OPTION.sub("", f" {text}").strip() if " --" in f" {text}" else text
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        reason = str(error).splitlines()[0]
        result.unreadable.append(Unreadable(line, f"not a PEP 508 requirement: {reason}"))
        return
    result.requirements.append(
        ParsedRequirement(
            line=line, name=canonicalize_name(requirement.name), requirement=requirement
        )
    )


def parse_requirements(text: str) -> ParsedRequirements:
    """Read every line; a package listed twice is kept once (its first line)."""
    result = ParsedRequirements()
    listed = _from_toml(text) if ("[project]" in text or "dependencies" in text) else None
    lines = _toml_lines(text, listed) if listed is not None else _logical_lines(text)
    for line in lines[:MAX_LINES]:
        _read(line, result)
    if len(lines) > MAX_LINES:
        result.skipped.append(
            Unreadable(Line(MAX_LINES + 1, "…"), f"only the first {MAX_LINES} lines are read")
        )
    seen: set[str] = set()
    unique = []
    for item in result.requirements:
        if item.name not in seen:
            seen.add(item.name)
            unique.append(item)
    result.requirements = unique
    return result
