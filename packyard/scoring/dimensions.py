"""Score dimensions, each 0-100 with the reasons that made it, and the overall blend.

Every dimension is a list of reasons, each worth some points out of a maximum; the points add
up to the dimension's score (rounded, kept within 0-100), so the score page can explain every
point. Missing facts earn nothing and say so; they are never read as zero activity.

Maintenance (release and commit recency, release cadence):
  latest release 40 (full within 6 months, nothing after 2 years, linear between; half when
  the latest is a pre-release) + last commit 30 (full within 30 days, nothing after a year)
  + releases in the last 12 months 20 (1: 10, 2: 15, 3 or more: 20) + weeks with commits in
  the last 52 10 (full from 12 weeks).
Adoption (logarithmic, so a small well-kept package is not crushed): stars 45 (full at 10,000),
  forks 15 (full at 1,000), packages of the directory that require it 25 (full at 20),
  "I use this" 15 (full at 100). Each part earns weight x ln(1 + n) / ln(1 + full). When no
  "I use this" counts are available the other parts are scaled up to 100.
Compatibility: Django 60 and Python 40, shared equally among the currently supported releases
  of each: "yes" earns the share, "unknown" a quarter of it, "no" nothing.
Documentation: a documentation link 40, a description of 40 characters or more 25 (shorter:
  12), a changelog link 25, a stated licence 10.
Status: starts at 100; archived (by the host or on PyPI) -60, deprecated (by staff or on PyPI)
  -70, quarantined on PyPI -100, repository missing -40, needs a maintainer -25, "Development
  Status :: 7 - Inactive" -30, each known advisory affecting the latest release -15 (at most
  -45); never below 0.

Overall: the weighted mean of the five, with weights maintenance 30, adoption 25,
compatibility 20, documentation 10, status 15 (readers of a grid may choose others).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_WEIGHTS: dict[str, int] = {
    "maintenance": 30,
    "adoption": 25,
    "compatibility": 20,
    "documentation": 10,
    "status": 15,
}
DIMENSION_TITLES = {
    "maintenance": "Maintenance",
    "adoption": "Adoption",
    "compatibility": "Compatibility",
    "documentation": "Documentation",
    "status": "Status",
}
MAX_WEIGHT = 100

RELEASE_FRESH = timedelta(days=183)
RELEASE_STALE = timedelta(days=730)
COMMIT_FRESH = timedelta(days=30)
COMMIT_STALE = timedelta(days=365)
ACTIVE_WEEKS_FOR_FULL = 12
CADENCE_POINTS = {0: 0.0, 1: 10.0, 2: 15.0}
CADENCE_FULL = 20.0

ADOPTION_PARTS = {"stars": (45.0, 10_000), "forks": (15.0, 1_000), "dependents": (25.0, 20)}
USAGE_PART = (15.0, 100)

DJANGO_SHARE = 60.0
PYTHON_SHARE = 40.0
UNKNOWN_FRACTION = 0.25

DESCRIPTION_FULL_LENGTH = 40
LICENCE_UNKNOWN = {"", "unknown", "none", "n/a"}

ARCHIVED = 60.0
DEPRECATED = 70.0
QUARANTINED = 100.0
REPOSITORY_MISSING = 40.0
NEEDS_MAINTAINER = 25.0
INACTIVE = 30.0
PER_ADVISORY = 15.0
MOST_FOR_ADVISORIES = 45.0


@dataclass(frozen=True)
class Reason:
    """Points earned (or lost, when negative) out of a maximum, with why."""

    text: str
    points: float
    out_of: float
    # The fact this reason could not read because it was never fetched ("stars"), if any: a
    # score with such gaps says "not enough data yet" (packyard.scoring.gaps).
    missing: str = ""

    def as_dict(self) -> dict[str, object]:
        kept: dict[str, object] = {
            "text": self.text,
            "points": round(self.points, 1),
            "out_of": round(self.out_of, 1),
        }
        if self.missing:
            kept["missing"] = self.missing
        return kept


@dataclass(frozen=True)
class Dimension:
    name: str
    reasons: tuple[Reason, ...]

    @property
    def score(self) -> int:
        return max(0, min(100, round(sum(reason.points for reason in self.reasons))))


@dataclass(frozen=True)
class ReleaseFact:
    version: str
    upload_time: datetime | None
    yanked: bool = False
    is_prerelease: bool = False


@dataclass(frozen=True)
class ScoreInputs:
    """Everything a score is computed from, read from the catalogue and derived tables."""

    now: datetime
    latest: ReleaseFact | None = None
    missing_release: str = "No release on PyPI."
    releases: Sequence[ReleaseFact] = ()
    licence: str = ""
    development_status: str = ""
    last_commit_at: datetime | None = None
    commits_over_52: Sequence[int] | None = None
    stars: int | None = None
    forks: int | None = None
    dependents: int = 0
    usage: int | None = None
    # Supported releases and this package's answer: (product, cycle, answer, basis).
    support: Sequence[tuple[str, str, str, str]] = ()
    documentation_url: str = ""
    description: str = ""
    changelog_url: str = ""
    archived_at: datetime | None = None
    deprecated_at: datetime | None = None
    replaced_by: str = ""
    pypi_project_status: str = ""
    repo_missing_since: datetime | None = None
    needs_maintainer: bool = False
    advisories: Sequence[str] = field(default=())


def _days(delta: timedelta) -> int:
    return max(0, delta.days)


def _linear(age: timedelta, fresh: timedelta, stale: timedelta) -> float:
    """Return 1 within `fresh`, 0 from `stale`, and a straight line between."""
    if age <= fresh:
        return 1.0
    if age >= stale:
        return 0.0
    return (stale - age) / (stale - fresh)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def maintenance(inputs: ScoreInputs) -> Dimension:
    """Score release and commit recency and release cadence."""
    reasons = []
    latest = inputs.latest
    if latest is None:
        reasons.append(Reason(f"Latest release: none to read. {inputs.missing_release}", 0, 40))
    elif latest.upload_time is None:
        reasons.append(Reason(f"Latest release {latest.version}: upload time unknown.", 0, 40))
    else:
        age = inputs.now - latest.upload_time
        share = _linear(age, RELEASE_FRESH, RELEASE_STALE)
        note = ""
        if latest.is_prerelease:
            share /= 2
            note = " It is a pre-release (only pre-releases exist): half marks."
        reasons.append(
            Reason(
                f"Latest release {latest.version} was uploaded {_plural(_days(age), 'day')} ago "
                f"(full marks within 6 months, none after 2 years).{note}",
                40 * share,
                40,
            )
        )
    if inputs.last_commit_at is None:
        reasons.append(
            Reason("Last commit: not known (not fetched from the code host).", 0, 30, "last commit")
        )
    else:
        age = inputs.now - inputs.last_commit_at
        reasons.append(
            Reason(
                f"Last commit {_plural(_days(age), 'day')} ago (full marks within 30 days, "
                "none after a year).",
                30 * _linear(age, COMMIT_FRESH, COMMIT_STALE),
                30,
            )
        )
    year_ago = inputs.now - timedelta(days=365)
    recent = [
        release
        for release in inputs.releases
        if not release.yanked and release.upload_time and release.upload_time >= year_ago
    ]
    count = len(recent)
    reasons.append(
        Reason(
            f"{_plural(count, 'release')} in the last 12 months (1: 10 points, 2: 15, "
            "3 or more: 20).",
            CADENCE_POINTS.get(count, CADENCE_FULL),
            CADENCE_FULL,
        )
    )
    if inputs.commits_over_52 is None:
        reasons.append(Reason("Weekly commits: not known (not fetched).", 0, 10, "weekly commits"))
    else:
        active = sum(1 for week in inputs.commits_over_52 if week > 0)
        reasons.append(
            Reason(
                f"Commits in {active} of the last 52 weeks (full marks from "
                f"{ACTIVE_WEEKS_FOR_FULL}).",
                10 * min(1.0, active / ACTIVE_WEEKS_FOR_FULL),
                10,
            )
        )
    return Dimension("maintenance", tuple(reasons))


def _log_share(count: int, full_at: int) -> float:
    return min(1.0, math.log1p(max(count, 0)) / math.log1p(full_at))


def adoption(inputs: ScoreInputs) -> Dimension:
    """Score stars, forks, dependents in the directory and "I use this", on a log scale."""
    parts = dict(ADOPTION_PARTS)
    if inputs.usage is not None:
        parts["usage"] = USAGE_PART
    scale = 100 / sum(weight for weight, _ in parts.values())
    reasons = []
    counts: dict[str, tuple[int | None, str]] = {
        "stars": (inputs.stars, "star"),
        "forks": (inputs.forks, "fork"),
        "dependents": (inputs.dependents, "package"),
        "usage": (inputs.usage, "person"),
    }
    for name, (weight, full_at) in parts.items():
        count, word = counts[name]
        out_of = weight * scale
        if count is None:
            text = f"{word.title()}s: not known (not fetched)."
            reasons.append(Reason(text, 0, out_of, missing=f"{word}s"))
            continue
        text = {
            "stars": f"{_plural(count, 'star')} (full marks at {full_at:,}).",
            "forks": f"{_plural(count, 'fork')} (full marks at {full_at:,}).",
            "dependents": (
                f"Used by {_plural(count, 'package')} in this directory (full marks at {full_at})."
            ),
            "usage": (
                f'{count:,} {"person" if count == 1 else "people"} said "I use this" '
                f"(full marks at {full_at})."
            ),
        }[name]
        reasons.append(Reason(text, out_of * _log_share(count, full_at), out_of))
    if inputs.usage is None:
        reasons.append(
            Reason(
                '"I use this" counts are not available, so the other parts are scaled to 100.',
                0,
                0,
            )
        )
    return Dimension("adoption", tuple(reasons))


def compatibility(inputs: ScoreInputs) -> Dimension:
    """Score support of the currently supported Django and Python releases."""
    by_product: dict[str, list[tuple[str, str, str]]] = {"django": [], "python": []}
    for product, cycle, answer, basis in inputs.support:
        by_product.setdefault(product, []).append((cycle, answer, basis))
    shares = {"django": DJANGO_SHARE, "python": PYTHON_SHARE}
    present = {product: share for product, share in shares.items() if by_product.get(product)}
    if not present:
        return Dimension(
            "compatibility", (Reason("No supported Django or Python release is known.", 0, 100),)
        )
    scale = 100 / sum(present.values())
    reasons = []
    for product, share in present.items():
        cycles = by_product[product]
        each = share * scale / len(cycles)
        label = "Django" if product == "django" else "Python"
        for cycle, answer, basis in cycles:
            fraction = {"yes": 1.0, "unknown": UNKNOWN_FRACTION}.get(answer, 0.0)
            how = f" ({basis.replace('_', '-')})" if basis not in {"none", "no_release"} else ""
            rule = {
                "yes": "full share",
                "unknown": "a quarter of the share",
                "no": "nothing",
            }.get(answer, "nothing")
            reasons.append(
                Reason(
                    f"{label} {cycle} (supported): {answer}{how}, {rule}.", each * fraction, each
                )
            )
    return Dimension("compatibility", tuple(reasons))


def documentation(inputs: ScoreInputs) -> Dimension:
    """Score the documentation link, description, changelog and stated licence."""
    reasons = [
        Reason("A documentation link.", 40, 40)
        if inputs.documentation_url
        else Reason("No documentation link.", 0, 40)
    ]
    length = len(inputs.description.strip())
    if length >= DESCRIPTION_FULL_LENGTH:
        reasons.append(Reason(f"A description ({_plural(length, 'character')}).", 25, 25))
    elif length:
        reasons.append(
            Reason(
                f"A short description ({_plural(length, 'character')}; "
                f"{DESCRIPTION_FULL_LENGTH} or more for full marks).",
                12,
                25,
            )
        )
    else:
        reasons.append(Reason("No description.", 0, 25))
    reasons.append(
        Reason("A changelog link.", 25, 25)
        if inputs.changelog_url
        else Reason("No changelog link.", 0, 25)
    )
    if inputs.latest is None:
        reasons.append(Reason("Licence: no release to read it from.", 0, 10))
    elif inputs.licence.strip().lower() in LICENCE_UNKNOWN:
        reasons.append(
            Reason(
                f"Licence: the latest release ({inputs.latest.version}) does not state one.", 0, 10
            )
        )
    else:
        reasons.append(Reason(f"Licence stated: {inputs.licence.strip()[:80]}.", 10, 10))
    return Dimension("documentation", tuple(reasons))


def status(inputs: ScoreInputs) -> Dimension:
    """Start at 100 and take off points for what makes a package risky to adopt now."""
    reasons = [Reason("Every package starts at 100.", 100, 100)]
    pypi_status = inputs.pypi_project_status.lower()
    replacement = f" Replaced by {inputs.replaced_by}." if inputs.replaced_by else ""
    if inputs.archived_at is not None:
        reasons.append(
            Reason(
                f"Archived by its code host on {inputs.archived_at:%Y-%m-%d}: it gets no changes.",
                -ARCHIVED,
                0,
            )
        )
    elif pypi_status == "archived":
        reasons.append(Reason("Archived on PyPI (project status): no new releases.", -ARCHIVED, 0))
    if inputs.deprecated_at is not None:
        reasons.append(
            Reason(
                f"Deprecated since {inputs.deprecated_at:%Y-%m-%d}.{replacement}", -DEPRECATED, 0
            )
        )
    elif pypi_status == "deprecated":
        reasons.append(Reason(f"Deprecated on PyPI (project status).{replacement}", -DEPRECATED, 0))
    if pypi_status == "quarantined":
        reasons.append(
            Reason("Quarantined on PyPI: the project cannot be installed.", -QUARANTINED, 0)
        )
    if inputs.repo_missing_since is not None:
        reasons.append(
            Reason(
                f"Repository missing since {inputs.repo_missing_since:%Y-%m-%d}.",
                -REPOSITORY_MISSING,
                0,
            )
        )
    if inputs.needs_maintainer:
        reasons.append(Reason("Needs a maintainer.", -NEEDS_MAINTAINER, 0))
    if inputs.development_status.lower() == "inactive":
        reasons.append(
            Reason('The latest release says "Development Status :: 7 - Inactive".', -INACTIVE, 0)
        )
    if inputs.advisories:
        lost = min(MOST_FOR_ADVISORIES, PER_ADVISORY * len(inputs.advisories))
        reasons.append(
            Reason(
                f"{_plural(len(inputs.advisories), 'known advisory')} affect"
                f"{'s' if len(inputs.advisories) == 1 else ''} the latest release: "
                f"{', '.join(inputs.advisories)} (15 each, at most 45).",
                -lost,
                0,
            )
        )
    if len(reasons) == 1:
        reasons.append(
            Reason(
                "Nothing takes points off: not archived, not deprecated, repository found, "
                "no known advisory.",
                0,
                0,
            )
        )
    total = sum(reason.points for reason in reasons)
    if total < 0:
        reasons.append(Reason("A score never goes below 0.", -total, 0))
    return Dimension("status", tuple(reasons))


def all_dimensions(inputs: ScoreInputs) -> dict[str, Dimension]:
    """Return the five dimensions, in the order pages show them."""
    return {
        "maintenance": maintenance(inputs),
        "adoption": adoption(inputs),
        "compatibility": compatibility(inputs),
        "documentation": documentation(inputs),
        "status": status(inputs),
    }


def blend(scores: Mapping[str, int], weights: Mapping[str, int] | None = None) -> int:
    """Return the weighted mean of the dimension scores (default weights when all are 0)."""
    chosen = dict(weights or DEFAULT_WEIGHTS)
    total = sum(chosen.get(name, 0) for name in DEFAULT_WEIGHTS)
    if total <= 0:
        chosen, total = dict(DEFAULT_WEIGHTS), sum(DEFAULT_WEIGHTS.values())
    mean = sum(scores[name] * chosen.get(name, 0) for name in DEFAULT_WEIGHTS) / total
    return max(0, min(100, round(mean)))
