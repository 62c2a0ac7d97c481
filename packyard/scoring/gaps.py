"""Which facts a score could not read: a score computed with gaps says so instead of a number.

A package never fetched from its code host has no stars, forks, last commit or weekly commits;
its score would be low for want of facts, not for being a poor package. The dimensions mark
each reason that could not read its fact (`Reason.missing`, kept in `PackageScore.reasons`),
so the pages show "not enough data yet (missing: …)" in its place, with what is missing.
"""

from __future__ import annotations

from typing import Any

from packyard.scoring.dimensions import DEFAULT_WEIGHTS


def missing_facts(reasons: dict[str, Any] | None) -> list[str]:
    """Return the facts a score's reasons could not read, in order, each once."""
    missing: list[str] = []
    reasons = reasons if isinstance(reasons, dict) else {}
    # In the dimensions' own order: PostgreSQL's jsonb keeps keys in an order of its own.
    names = [name for name in DEFAULT_WEIGHTS if name in reasons]
    names += sorted(name for name in reasons if name not in DEFAULT_WEIGHTS)
    for dimension in (reasons[name] for name in names):
        if not isinstance(dimension, list):
            continue
        for reason in dimension:
            fact = reason.get("missing") if isinstance(reason, dict) else None
            if fact and fact not in missing:
                missing.append(str(fact))
    return missing
