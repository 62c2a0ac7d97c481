"""Writes to grids: the grid, its packages, features and cells.

Every one of them records a change in the grid's history (`packyard.history`) in the same
transaction, with who made it (`actor`; None for imports) and the values before and after.
One module a purpose; callers import from here (`from packyard.grids import services`).
"""

from __future__ import annotations

from packyard.grids.services.columns import grid_columns_keep
from packyard.grids.services.common import Actor, element_html
from packyard.grids.services.features import (
    ELEMENT_MAX_LENGTH,
    FEATURE_FIELDS,
    CellChanged,
    element_set,
    feature_create,
    feature_delete,
    feature_move,
    feature_update,
    features_reorder,
)
from packyard.grids.services.grids import GRID_FIELDS, grid_create, grid_update
from packyard.grids.services.memberships import grid_add_package, grid_remove_package
from packyard.grids.services.revert import grid_change_revert

__all__ = [
    "ELEMENT_MAX_LENGTH",
    "FEATURE_FIELDS",
    "GRID_FIELDS",
    "Actor",
    "CellChanged",
    "element_html",
    "element_set",
    "feature_create",
    "feature_delete",
    "feature_move",
    "feature_update",
    "features_reorder",
    "grid_add_package",
    "grid_change_revert",
    "grid_columns_keep",
    "grid_create",
    "grid_remove_package",
    "grid_update",
]
