"""A grid's column heads and standard rows as HTML, built in Python once per page.

The standard rows (description, stars, last commit, activity, score, status...) were template
loops with a filter or a tag per cell: about 40 µs a cell, most of a big grid's page. Here each
row is one loop of string formats over the columns, each address is reversed once, and each
package's activity chart, which only changes with its weekly counts, is drawn once per process.
The markup is the one the template rendered, byte for byte.

Most of a column's cells change only with its package's facts: they are kept (`GridColumn`,
`table_rows`) and made again when the package's facts version moves (`packyard.catalog.facts`);
the last commit's "ago" is made for every page, once a minute per moment.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache

# The standard library's escape: Django's is the same one behind a lazy-string check that
# costs more than the escaping, thousands of times a page.
from html import escape

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from packyard.accounts.permissions import Action, can
from packyard.core.caching import code_release
from packyard.core.markup import render_inline
from packyard.core.templatetags.packyard import NOT_FETCHED, ago, ago_at, sparkline
from packyard.core.urls import address_around_slug
from packyard.grids.models import Feature, Grid
from packyard.grids.selectors import Column

NOT_FETCHED_HTML = f'<span class="not-fetched">{NOT_FETCHED}</span>'
UNKNOWN_HTML = '<span class="muted">unknown</span>'
# How many distinct activity charts a process keeps (a few hundred bytes each).
SPARKLINES_KEPT = 20_000


@dataclass(frozen=True)
class Row:
    """One row of the grid: its `<tr>` attributes, its heading cell and its cells."""

    heading: SafeString
    cells: SafeString
    attributes: SafeString


@lru_cache(maxsize=SPARKLINES_KEPT)
def _activity(weeks: tuple[int, ...] | None) -> str:
    return str(sparkline(None if weeks is None else list(weeks), width=104, height=24))


# A description longer than this is cut, with an ellipsis, as Truncator cuts it.
DESCRIPTION_CHARS = 220


def _truncated(text: str, limit: int) -> str:
    """Return Truncator(text).chars(limit), without its cost when the text is short already
    (then Truncator returns the text in NFC, as here)."""
    normalized = unicodedata.normalize("NFC", text)
    return normalized if len(normalized) <= limit else Truncator(text).chars(limit)


def _fact(value: int | None) -> str:
    return NOT_FETCHED_HTML if value is None else f"{value:,}"


@dataclass(frozen=True)
class Clock:
    """The time of the page and the reader's time zone, looked up once for every column."""

    now: datetime
    zone: tzinfo

    @property
    def minute(self) -> datetime:
        """The start of the page's minute, at which relative times are said."""
        return self.now.replace(second=0, microsecond=0)


def _latest_version(column: Column, clock: Clock) -> str:
    package = column.package
    if not package.pypi_version:
        return '<span class="muted">none</span>'
    released = ""
    if package.latest_release_at:
        day = timezone.localtime(package.latest_release_at, clock.zone).date().isoformat()
        released = f'<div class="muted small">{day}</div>'
    return f"{escape(package.pypi_version)}{released}"


def _last_commit(column: Column, clock: Clock) -> str:
    moment = column.package.last_commit_at
    if moment is None:
        return str(ago(moment))
    return _ago_at_minute(moment, clock.minute, clock.zone)


# How many last commits' cells a process keeps: a grid's columns, for the minute they hold.
LAST_COMMITS_KEPT = 4096


@lru_cache(maxsize=LAST_COMMITS_KEPT)
def _ago_at_minute(moment: datetime, minute: datetime, zone: tzinfo) -> str:
    """Return `ago` of a moment at the start of a minute: the same cell for every page of
    that minute (words no finer than minutes; a page may be PAGE_CACHE_SECONDS staler)."""
    return str(ago_at(moment, now=minute, zone=zone))


def _python3(column: Column) -> str:
    if column.python3 is None:
        return UNKNOWN_HTML
    return "yes" if column.python3 else "no"


def _release_field(column: Column, name: str) -> str:
    release = column.latest_release
    return escape((getattr(release, name) if release is not None else "") or "unknown")


STANDARD: list[tuple[str, str, Callable[[Column, Clock], str]]] = [
    # (heading, <td> attributes, the cell's HTML: escaped by the function)
    (
        "Description",
        ' class="description"',
        lambda column, _clock: escape(_truncated(column.package.description, DESCRIPTION_CHARS)),
    ),
    ("Category", "", lambda column, _clock: escape(column.package.category.title)),
    ("Stars", "", lambda column, _clock: _fact(column.package.stars)),
    ("Forks", "", lambda column, _clock: _fact(column.package.forks)),
    ("Last commit", "", _last_commit),
    ("Latest version", "", _latest_version),
    ("Python 3", "", lambda column, _clock: _python3(column)),
    ("Licence", "", lambda column, _clock: _release_field(column, "license")),
    ("Development status", "", lambda column, _clock: _release_field(column, "development_status")),
    (
        "Activity",
        "",
        lambda column, _clock: _activity(
            None
            if column.package.commits_over_52 is None
            else tuple(column.package.commits_over_52)
        ),
    ),
]


def _safe(html: str) -> SafeString:
    return SafeString(html)  # Safe: every part is escaped where it is made.


@dataclass(frozen=True)
class RowSpec:
    """A row of the grid: its heading and how each column's cell is made (HTML, escaped).

    `td` and `tr` are the cells' and the row's attributes, as HTML. A `kept` row's cells are
    kept with their column (`GridColumn`) and made again only when its package's facts change;
    the others are made on every page (a relative date, say).
    """

    heading: str
    cell: Callable[[Column], str]
    td: str = ""
    tr: str = ""
    kept: bool = True


def row_of(
    heading: str,
    columns: Sequence[Column],
    cell: Callable[[Column], str],
    td: str = "",
    tr: str = "",
) -> Row:
    """Return a row headed `heading` whose cells `cell` makes (HTML, escaped by the callers).

    `td` and `tr` are the cells' and the row's attributes, as HTML.
    """
    cells = "".join([f"<td{td}>{cell(column)}</td>" for column in columns])
    return Row(
        heading=_safe(f'<th scope="row">{heading}</th>'), cells=_safe(cells), attributes=_safe(tr)
    )


# Between a column's kept cells. A control character, never in HTML the cells are made of: one
# in user text is dropped from the cell.
KEPT_SEPARATOR = "\x1e"


def kept_format() -> str:
    """Return the format of kept cells: the code's release (any change of it makes them again)
    and the time zone their dates are in."""
    return f"{code_release()} {settings.TIME_ZONE}"


def table_rows(
    *, specs: Sequence[RowSpec], columns: Sequence[Column]
) -> tuple[list[Row], list[tuple[Column, str]]]:
    """Return the rows `specs` describe, each column's kept cells taken from `column.kept`
    when there, and the kept cells made for the other columns (to keep), with their column."""
    kept = [spec for spec in specs if spec.kept]
    made: list[tuple[Column, str]] = []
    by_column: list[list[str]] = []
    for column in columns:
        if column.kept is not None:
            by_column.append(column.kept.split(KEPT_SEPARATOR))
            continue
        cells = [spec.cell(column).replace(KEPT_SEPARATOR, "") for spec in kept]
        made.append((column, KEPT_SEPARATOR.join(cells)))
        by_column.append(cells)
    rows = []
    index = 0
    for spec in specs:
        if spec.kept:
            html = "".join([f"<td{spec.td}>{cells[index]}</td>" for cells in by_column])
            index += 1
            rows.append(
                Row(
                    heading=_safe(f'<th scope="row">{spec.heading}</th>'),
                    cells=_safe(html),
                    attributes=_safe(spec.tr),
                )
            )
        else:
            rows.append(row_of(spec.heading, columns, spec.cell, spec.td, spec.tr))
    return rows, made


def standard_specs() -> list[RowSpec]:
    """Return the catalogue's rows every grid shows, after its features, in order."""
    clock = Clock(now=timezone.now(), zone=timezone.get_current_timezone())

    def at_clock(cell: Callable[[Column, Clock], str]) -> Callable[[Column], str]:
        return lambda column: cell(column, clock)

    return [
        # The last commit's "3 days ago" moves with the clock: made on every page.
        RowSpec(heading, at_clock(cell), td, kept=cell is not _last_commit)
        for heading, td, cell in STANDARD
    ]


def table_body(table: Sequence[Row]) -> SafeString:
    """Return the rows of the table's body, each on its line."""
    return _safe(
        "".join([f"<tr{row.attributes}>{row.heading}{row.cells}</tr>\n    " for row in table])
    )


def column_heads(*, columns: Sequence[Column], marks: Mapping[int, str]) -> SafeString:
    """Return the head row's package cells, each with its badges and buttons."""
    heads = []
    before, after = address_around_slug("catalog:package")
    for column in columns:
        package = column.package
        url = f"{before}{escape(package.slug)}{after}"
        archived = '<span class="badge badge-warn">archived</span>' if package.is_archived else ""
        deprecated = (
            '<span class="badge badge-warn">deprecated</span>' if package.is_deprecated else ""
        )
        heads.append(
            f'\n      <th scope="col" class="package-head">'
            f'<a href="{url}">{escape(package.title)}</a>\n'
            f"        {archived}\n        {deprecated}\n        {marks.get(package.pk, '')}\n"
            "      </th>\n      "
        )
    return _safe("".join(heads))


def feature_headings(
    *, request_user: object, grid: Grid, features: Sequence[Feature]
) -> list[SafeString]:
    """Return each feature row's heading cell, with its edit link for who may edit it."""
    may_edit = can(request_user, Action.EDIT_FEATURE, grid)  # type: ignore[arg-type]
    headings = []
    for feature in features:
        title = escape(feature.title)
        # The same inline Markdown as cells (emphasis, code, links), sanitised.
        shown = render_inline(feature.title) or title
        note = (
            f'<div class="muted small">{escape(feature.description)}</div>'
            if feature.description
            else ""
        )
        edit = ""
        if may_edit:
            url = escape(reverse("grids:feature_edit", args=[grid.slug, feature.pk]))
            edit = (
                f' <a class="edit-link small" href="{url}" '
                f'aria-label="Edit feature {title}">edit</a>'
            )
        headings.append(_safe(f'<th scope="row">{shown}{note}{edit}</th>'))
    return headings
