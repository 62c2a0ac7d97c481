"""A grid's feature cells as HTML, built in Python once per row rather than by the template.

A grid of 500 packages by 30 features has 15,000 cells; through `{% include %}`, `{% can %}`
and `{% url %}` each cost the template engine about 100 µs. Here the edit permission is
decided once per page, each row's cell address is reversed once, and each title is escaped
once, so a cell costs a string format. The markup is the one `grids/includes/cell.html`
had, byte for byte; the cell editor's `#cell` answer uses `cell_td` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The standard library's escape, as Django's does it without its lazy-string check.
from html import escape

from django.utils.safestring import SafeString, mark_safe

from packyard.catalog.models import Package
from packyard.core.urls import address_around_slug
from packyard.grids.feature_cells import row_cells
from packyard.grids.models import Element, Feature, Grid
from packyard.grids.selectors import Column

# A package slug no real slug equals, split out of the reversed address of a row's cells.


@dataclass(frozen=True)
class FeatureRow:
    """A feature with its row's cells, as HTML in the order of the columns."""

    feature: Feature
    cells: SafeString


def _td(*, html: str, url: str, label: str) -> str:
    """Return one cell; `url` and `label` are escaped already, `url` is empty when read-only.

    Each cell ends its line, as the template it replaces did.
    """
    if not url:
        return f"<td>{html}</td>\n"
    return (
        f'<td class="cell editable">{html} <a class="edit-link small" href="{url}" '
        f'hx-get="{url}" hx-target="closest td" hx-swap="outerHTML" '
        f'aria-label="{label}">edit</a></td>\n'
    )


def _cell_url_parts(grid: Grid, feature: Feature) -> tuple[str, str]:
    return address_around_slug("grids:cell", grid.slug, feature.pk)


def feature_rows(
    *, grid: Grid, features: Sequence[Feature], columns: Sequence[Column], may_edit: bool
) -> list[FeatureRow]:
    """Return each feature's row of cells; with `may_edit`, each cell has its edit link."""
    # Each column's key in a feature's kept row (`row_cells`).
    keys = [str(column.membership_id) for column in columns]
    if may_edit:
        slugs = [escape(column.package.slug) for column in columns]
        titles = [escape(column.package.title) for column in columns]
    rows = []
    for feature in features:
        cells_of = row_cells(feature.cells)
        if may_edit:
            before, after = _cell_url_parts(grid, feature)
            label = f"Edit {escape(feature.title)} for "
            # `_td`'s markup, inlined: this loop runs once per cell of the grid.
            cells = [
                f'<td class="cell editable">{cells_of.get(key, "")} <a class="edit-link small" '
                f'href="{before}{slug}{after}" hx-get="{before}{slug}{after}" '
                f'hx-target="closest td" hx-swap="outerHTML" '
                f'aria-label="{label}{title}">edit</a></td>\n'
                for key, slug, title in zip(keys, slugs, titles, strict=True)
            ]
        else:
            cells = [f"<td>{cells_of.get(key, '')}</td>\n" for key in keys]
        # Stored HTML is sanitised when written (core.markup); the rest is escaped above.
        rows.append(FeatureRow(feature=feature, cells=SafeString("".join(cells))))
    return rows


def cell_td(
    *, grid: Grid, feature: Feature, package: Package, element: Element | None, may_edit: bool
) -> SafeString:
    """Return one cell as the grid shows it (the answer to an inline edit)."""
    before, after = _cell_url_parts(grid, feature) if may_edit else ("", "")
    html = _td(
        html=element.text_html if element is not None else "",
        url=f"{before}{escape(package.slug)}{after}" if may_edit else "",
        label=f"Edit {escape(feature.title)} for {escape(package.title)}",
    )
    return mark_safe(html)  # noqa: S308 - as in feature_rows.
