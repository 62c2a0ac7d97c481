"""Does a package work with a Django or Python release? Yes, no or unknown, with evidence.

Every answer is about the package's latest release (the highest final, non-yanked version by
PEP 440; when there are only pre-releases, the highest non-yanked pre-release) and reads three
facts of it: its trove classifiers, its ``Requires-Python`` and the Django requirement among
its ``Requires-Dist``. A release cycle is "excluded" by a specifier when none of its versions
(``X.Y.0`` up to its latest patch) satisfies it.

Django release X.Y, in order of precedence (the first rule that applies gives the answer):

1. No release to read (not on PyPI, no release, only yanked releases, release details not
   fetched yet) -> unknown.
2. The Django requirement excludes X.Y -> **no**: pip refuses to install the two together, so
   this wins over a classifier that says otherwise (the evidence names the conflict). When
   Django is required several times (under different environment markers), X.Y is excluded
   only when every requirement excludes it. Requirements under an ``extra`` are read only when
   there is no other.
3. A classifier ``Framework :: Django :: X.Y`` -> **yes**: the maintainers declare it.
4. The Django requirement has an upper bound and admits X.Y (``Django>=4.2,<6.0`` for 5.2)
   -> **yes**: the maintainers capped it above X.Y.
5. Otherwise -> unknown, saying what was seen (the Django releases the classifiers name, an
   open-ended requirement such as ``Django>=3.2`` that allows X.Y without claiming it).

Python release X.Y:

1. No release to read -> unknown.
2. ``Requires-Python`` excludes X.Y -> **no**: the installer enforces it, so it wins over a
   classifier that lists X.Y (the evidence names the conflict).
3. A classifier ``Programming Language :: Python :: X.Y`` -> **yes**.
4. A classifier ``Programming Language :: Python :: N :: Only`` for another major version
   (``3 :: Only`` and Python 2.7) -> **no**.
5. Otherwise -> unknown: an open ``Requires-Python`` (``>=3.8``) allows X.Y without claiming
   it, and the evidence says so.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

DJANGO_CLASSIFIER = "Framework :: Django :: "
PYTHON_CLASSIFIER = "Programming Language :: Python :: "
# Patch releases tried when a cycle's latest patch is not known.
DEFAULT_PATCHES = 40
EXTRA_MARKER = re.compile(r"""\bextra\s*==""")


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Basis(StrEnum):
    """Which fact gave the answer."""

    CLASSIFIER = "classifier"
    REQUIRES_DIST = "requires_dist"
    REQUIRES_PYTHON = "requires_python"
    NO_RELEASE = "no_release"
    NONE = "none"


@dataclass(frozen=True)
class ReleaseEvidence:
    """What a package's latest release says about itself.

    `version` is None when there is no release to read; `missing` then says why.
    """

    version: str | None
    is_prerelease: bool = False
    classifiers: tuple[str, ...] = ()
    requires_python: str = ""
    requires_dist: tuple[str, ...] = ()
    missing: str = ""

    @property
    def described(self) -> str:
        kind = "pre-release" if self.is_prerelease else "release"
        return f"The latest {kind} ({self.version})"


@dataclass(frozen=True)
class Target:
    """A release cycle to answer for: "django" or "python" with its MAJOR.MINOR."""

    product: str
    cycle: str
    latest: str = ""

    @property
    def name(self) -> str:
        return f"{'Django' if self.product == 'django' else 'Python'} {self.cycle}"

    def versions(self) -> tuple[Version, ...]:
        """Return X.Y.0 up to the latest known patch (or DEFAULT_PATCHES when unknown)."""
        return _versions(self.cycle, self.latest)


@functools.lru_cache(maxsize=256)
def _versions(cycle: str, latest_text: str) -> tuple[Version, ...]:
    last = DEFAULT_PATCHES
    try:
        latest = Version(latest_text) if latest_text else None
    except InvalidVersion:
        latest = None
    if latest is not None and len(latest.release) >= 3:
        last = max(latest.release[2], 0) + 5
    return tuple(Version(f"{cycle}.{patch}") for patch in range(last + 1))


@dataclass(frozen=True)
class Verdict:
    answer: Answer
    basis: Basis
    evidence: str


@dataclass(frozen=True)
class DjangoRequirement:
    """The Django requirements of a release, as written and as parsed."""

    texts: tuple[str, ...] = ()
    specifiers: tuple[SpecifierSet, ...] = field(default=())
    optional: bool = False


def _excludes(specifier: SpecifierSet, target: Target) -> bool:
    return _excludes_text(str(specifier), target)


# Packages share a few specifiers (">=3.10", "Django>=4.2"): each pair is worked out once.
@functools.lru_cache(maxsize=8192)
def _excludes_text(specifier: str, target: Target) -> bool:
    parsed = SpecifierSet(specifier)
    return not any(parsed.contains(version, prereleases=False) for version in target.versions())


def _has_upper_bound(specifier: SpecifierSet) -> bool:
    return any(spec.operator in {"<", "<=", "==", "~=", "==="} for spec in specifier)


def django_requirement(requires_dist: Iterable[str]) -> DjangoRequirement:
    """Return the requirements on Django; those under an extra only when there is no other."""
    return _django_requirement(tuple(requires_dist))


@functools.lru_cache(maxsize=4096)
def _django_requirement(requires_dist: tuple[str, ...]) -> DjangoRequirement:
    required: list[tuple[str, SpecifierSet]] = []
    optional: list[tuple[str, SpecifierSet]] = []
    for text in requires_dist:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) != "django":
            continue
        marker = str(requirement.marker) if requirement.marker else ""
        bucket = optional if EXTRA_MARKER.search(marker) else required
        bucket.append((text.strip(), requirement.specifier))
    chosen, is_optional = (required, False) if required else (optional, True)
    return DjangoRequirement(
        texts=tuple(text for text, _ in chosen),
        specifiers=tuple(specifier for _, specifier in chosen),
        optional=is_optional,
    )


def _cycles_named(classifiers: Iterable[str], prefix: str) -> list[str]:
    names = []
    for classifier in classifiers:
        if classifier.startswith(prefix):
            rest = classifier.removeprefix(prefix).strip()
            if re.fullmatch(r"\d+\.\d+", rest):
                names.append(rest)
    return sorted(set(names), key=lambda name: tuple(int(part) for part in name.split(".")))


def _quoted(texts: Sequence[str]) -> str:
    return " and ".join(f'"{text}"' for text in texts)


def django_verdict(evidence: ReleaseEvidence, target: Target) -> Verdict:
    """Answer whether the latest release works with a Django release (see the module rules)."""
    if evidence.version is None:
        return Verdict(Answer.UNKNOWN, Basis.NO_RELEASE, evidence.missing or "No release.")
    release = evidence.described
    named = _cycles_named(evidence.classifiers, DJANGO_CLASSIFIER)
    declared = target.cycle in named
    requirement = django_requirement(evidence.requires_dist)
    optional = " (optional, under an extra)" if requirement.optional else ""
    if requirement.specifiers and all(
        _excludes(specifier, target) for specifier in requirement.specifiers
    ):
        conflict = (
            f", although a classifier lists Django {target.cycle} (pip follows the requirement)"
            if declared
            else ""
        )
        return Verdict(
            Answer.NO,
            Basis.REQUIRES_DIST,
            f"{release} requires {_quoted(requirement.texts)}{optional}, which excludes "
            f"{target.name}{conflict}.",
        )
    if declared:
        return Verdict(
            Answer.YES,
            Basis.CLASSIFIER,
            f'{release} lists the classifier "{DJANGO_CLASSIFIER}{target.cycle}".',
        )
    capped = [
        text
        for text, specifier in zip(requirement.texts, requirement.specifiers, strict=True)
        if _has_upper_bound(specifier) and not _excludes(specifier, target)
    ]
    if capped:
        return Verdict(
            Answer.YES,
            Basis.REQUIRES_DIST,
            f"{release} requires {_quoted(capped)}{optional}: its upper bound admits "
            f"{target.name}.",
        )
    seen = []
    if named:
        seen.append(f"its classifiers name Django {', '.join(named)} but not {target.cycle}")
    else:
        seen.append("no classifier names a Django release")
    if requirement.texts:
        seen.append(
            f"its requirement {_quoted(requirement.texts)}{optional} allows {target.name} "
            "without claiming it"
        )
    else:
        seen.append("it does not declare a Django requirement")
    return Verdict(Answer.UNKNOWN, Basis.NONE, f"{release}: {'; '.join(seen)}.")


def python_verdict(evidence: ReleaseEvidence, target: Target) -> Verdict:
    """Answer whether the latest release works with a Python release (see the module rules)."""
    if evidence.version is None:
        return Verdict(Answer.UNKNOWN, Basis.NO_RELEASE, evidence.missing or "No release.")
    release = evidence.described
    named = _cycles_named(evidence.classifiers, PYTHON_CLASSIFIER)
    declared = target.cycle in named
    specifier: SpecifierSet | None = None
    unreadable = ""
    if evidence.requires_python.strip():
        try:
            specifier = SpecifierSet(evidence.requires_python)
        except InvalidSpecifier:
            unreadable = f'its Requires-Python "{evidence.requires_python}" cannot be read'
    if specifier is not None and _excludes(specifier, target):
        conflict = (
            f", although a classifier lists Python {target.cycle} (the installer follows "
            "Requires-Python)"
            if declared
            else ""
        )
        return Verdict(
            Answer.NO,
            Basis.REQUIRES_PYTHON,
            f'{release} has Requires-Python "{evidence.requires_python}", which excludes '
            f"{target.name}{conflict}.",
        )
    if declared:
        return Verdict(
            Answer.YES,
            Basis.CLASSIFIER,
            f'{release} lists the classifier "{PYTHON_CLASSIFIER}{target.cycle}".',
        )
    major = target.cycle.split(".", 1)[0]
    only = [
        classifier
        for classifier in evidence.classifiers
        if classifier.startswith(PYTHON_CLASSIFIER)
        and classifier.endswith(":: Only")
        and classifier.removeprefix(PYTHON_CLASSIFIER).split(" ", 1)[0] != major
    ]
    if only:
        return Verdict(
            Answer.NO,
            Basis.CLASSIFIER,
            f'{release} lists the classifier "{only[0]}", which rules out {target.name}.',
        )
    seen = []
    if named:
        seen.append(f"its classifiers name Python {', '.join(named)} but not {target.cycle}")
    else:
        seen.append("no classifier names a Python release")
    if specifier is not None:
        seen.append(
            f'its Requires-Python "{evidence.requires_python}" allows {target.name} '
            "without claiming it"
        )
    elif unreadable:
        seen.append(unreadable)
    else:
        seen.append("it has no Requires-Python")
    return Verdict(Answer.UNKNOWN, Basis.NONE, f"{release}: {'; '.join(seen)}.")


def verdict(evidence: ReleaseEvidence, target: Target) -> Verdict:
    """Answer for a Django or a Python release."""
    if target.product == "django":
        return django_verdict(evidence, target)
    return python_verdict(evidence, target)


def requirement_admits(specifier: SpecifierSet, target: Target) -> bool:
    """Tell whether a requirement's specifier admits some version of a release cycle."""
    return not _excludes(specifier, target)
