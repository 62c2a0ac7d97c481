"""Writes of derived data: scores and their snapshots, dependencies, advisories, status.

One module a purpose; callers import from here (`from packyard.scoring import services`).
"""

from __future__ import annotations

from packyard.scoring.services.advisories import AdvisoriesImported, advisories_import
from packyard.scoring.services.scores import (
    BATCH_SIZE,
    scores_daily,
    scores_recompute,
    scores_recompute_all,
    scores_snapshot,
)
from packyard.scoring.services.status import package_status_set

__all__ = [
    "BATCH_SIZE",
    "AdvisoriesImported",
    "advisories_import",
    "package_status_set",
    "scores_daily",
    "scores_recompute",
    "scores_recompute_all",
    "scores_snapshot",
]
