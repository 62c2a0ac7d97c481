"""A grid's scoring rows as HTML (score, its parts, support, status, advisories, dependents).

Each column's `extra` is the scoring layer's `ColumnScore`: its stored score and the overall
under the reader's weights. The markup is the one `grids/includes/grid_extra_rows.html`
rendered, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

# The standard library's escape: Django's is the same one behind a lazy-string check that
# costs more than the escaping, thousands of times a page.
from html import escape
from typing import Any

from django.utils.text import capfirst

from packyard.core.templatetags.packyard import safe_url
from packyard.core.urls import address_around_slug
from packyard.grids.selectors import Column
from packyard.pages.grids.rows import RowSpec
from packyard.scoring.models import DIMENSIONS
from packyard.scoring.templatetags.scoring import answer_badge, score_badge, score_level

NONE = "—"


def _note(heading: str, note: str) -> str:
    return f'{heading}<div class="muted small">{note}</div>'


def _score(column: Column) -> Any:
    return column.extra.score if column.extra is not None else None


@lru_cache(maxsize=4096)
def _support_html(answers: tuple[tuple[str, str], ...]) -> str:
    """Draw a support list, releases in a row with the same answer on one line ("6.0, 5.2 ✓
    yes"): a grid's cell stays short. Most packages of a grid share one, so each is drawn once.
    """
    if not answers:
        return '<span class="muted">unknown</span>'
    lines: list[tuple[list[str], str]] = []
    for cycle, answer in answers:
        if lines and lines[-1][1] == answer:
            lines[-1][0].append(escape(cycle))
        else:
            lines.append(([escape(cycle)], answer))
    return "".join(
        f"<div>{', '.join(cycles)} {answer_badge(answer)}</div>" for cycles, answer in lines
    )


def _support(kind: str) -> Callable[[Column], str]:
    def cell(column: Column) -> str:
        score = _score(column)
        answers = score.support.get(kind, []) if score is not None else []
        return _support_html(tuple((str(cycle), str(answer)) for cycle, answer in answers))

    return cell


_DIMENSION_TITLES = {name: escape(capfirst(name)) for name in DIMENSIONS}


def _parts(column: Column) -> str:
    score = _score(column)
    if score is None:
        return NONE
    items = "".join(
        f"<li>{_DIMENSION_TITLES[name]} "
        f'<span class="score score-{score_level(value)}">{value}</span></li>'
        for name, value in score.dimensions.items()
    )
    return f'<ul class="dimension-list compact">{items}</ul>'


def _status(column: Column) -> str:
    package = column.package
    score = _score(column)
    needs_maintainer = score is not None and score.needs_maintainer
    parts = []
    if package.replaced_by:
        replacement = package.replaced_by
        parts.append(
            f'<div>Replaced by <a href="{escape(replacement.get_absolute_url())}">'
            f"{escape(replacement.title)}</a></div>"
        )
    if package.is_deprecated:
        parts.append('<div><span class="badge badge-warn">deprecated</span></div>')
    elif package.pypi_project_status:
        parts.append(
            f'<div><span class="badge badge-warn">{escape(package.pypi_project_status)} '
            "on PyPI</span></div>"
        )
    if package.is_archived:
        parts.append('<div><span class="badge badge-warn">archived</span></div>')
    if package.is_repo_missing:
        parts.append('<div><span class="badge badge-warn">repository missing</span></div>')
    if needs_maintainer:
        parts.append('<div><span class="badge badge-warn">needs a maintainer</span></div>')
    return "".join(parts) or '<span class="muted">active</span>'


def _advisory(advisory: dict[str, Any]) -> str:
    fixed_in = advisory.get("fixed_in")
    versions = ", ".join(escape(str(version)) for version in fixed_in or [])
    fixed = f' <span class="muted">fixed in {versions}</span>' if fixed_in else ""
    summary = escape(str(advisory.get("summary", "")))
    return (
        f'<li><a href="{escape(safe_url(advisory.get("link")))}" rel="nofollow noopener" '
        f'title="{summary}">{escape(str(advisory.get("id", "")))}</a>'
        f"{fixed}</li>"
    )


def _advisories(column: Column) -> str:
    score = _score(column)
    if score is not None and score.advisories:
        items = "".join(_advisory(advisory) for advisory in score.advisories)
        return f'<ul class="advisories compact">{items}</ul>'
    if score is not None and score.latest_version:
        return '<span class="muted">none known</span>'
    return f'<span class="muted">{NONE}</span>'


def extra_specs(*, weights_custom: bool) -> list[RowSpec]:
    """Return the scoring rows, after the catalogue's standard rows.

    Under the reader's own weights the score row is made on every page; under the default
    ones it is kept with the column, as the others are.
    """
    before, after = address_around_slug("scoring:package_score")

    def score_cell(column: Column) -> str:
        score = _score(column)
        if not score:
            return '<span class="not-fetched">not scored yet</span>'
        url = f"{before}{escape(column.package.slug)}{after}"
        badge = score_badge(score, column.extra.overall)
        return f'<a href="{url}" class="score-link">{badge}</a>'

    score_heading = "Score" + (
        '<div class="muted small">your weights</div>' if weights_custom else ""
    )
    small = ' class="small"'
    return [
        RowSpec(score_heading, score_cell, tr=' class="score-row"', kept=not weights_custom),
        RowSpec(
            _note(
                "Score parts",
                "maintenance, adoption, compatibility, documentation, status",
            ),
            _parts,
            small,
        ),
        RowSpec(_note("Django support", "supported releases"), _support("django"), small),
        RowSpec(_note("Python support", "supported releases"), _support("python"), small),
        RowSpec("Status", _status, small),
        RowSpec(_note("Vulnerabilities", "affecting the latest release"), _advisories, small),
        RowSpec(
            _note("Used by", "packages in this directory"),
            lambda column: str(score.dependents_count) if (score := _score(column)) else NONE,
        ),
    ]
