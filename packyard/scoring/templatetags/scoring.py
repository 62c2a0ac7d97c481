"""Template helpers for scores: a score with its trend, the package page's insights, tables."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from html import escape
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from packyard.catalog.models import Package
from packyard.scoring import selectors
from packyard.scoring.dimensions import DEFAULT_WEIGHTS, DIMENSION_TITLES
from packyard.scoring.gaps import missing_facts
from packyard.scoring.models import PackageScore

register = template.Library()

HIGH = 70
MIDDLE = 40
ARROWS = {"up": "↑", "down": "↓", "steady": "→"}
ANSWER_MARKS = {"yes": "✓", "no": "✗", "unknown": "?"}


@register.simple_tag
def scores_for(packages: Iterable[Any]) -> dict[int, PackageScore]:
    """Return the stored scores of a table's packages, by id, in one query."""
    ids = [getattr(package, "pk", None) for package in packages or []]
    return selectors.scores_for(package_ids=[pk for pk in ids if isinstance(pk, int)])


@register.filter
def score_level(value: int | None) -> str:
    """Return "high", "middle" or "low" for a 0-100 score (CSS classes)."""
    if value is None:
        return "none"
    if value >= HIGH:
        return "high"
    return "middle" if value >= MIDDLE else "low"


@register.simple_tag
def score_badge(score: PackageScore | None, overall: int | None = None) -> SafeString:
    """Render a score out of 100 with its trend arrow (nothing computed yet: say so).

    Plain formats, each part escaped: a grid draws one per column.
    """
    if score is None:
        return SafeString('<span class="not-fetched">not scored yet</span>')
    if missing := score.missing:
        # Low for want of facts, not for being poor: no coloured number.
        names = escape(", ".join(missing))
        return SafeString(  # Safe: escaped above.
            f'<span class="score score-unknown" title="Missing: {names}">not enough data yet'
            f'</span><span class="score-missing small muted"> (missing: {names})</span>'
        )
    value = int(score.overall if overall is None else overall)
    return SafeString(  # Safe: a number and fixed words.
        f'<span class="score score-{score_level(value)}" title="Score {value} out of 100">'
        f"{value}</span>{trend_arrow(score)}"
    )


@register.filter
def facts_missing(reasons: Any) -> list[str]:
    """The facts one dimension's stored reasons could not read (see scoring.gaps)."""
    return missing_facts({"dimension": reasons})


@register.filter
def facts_missing_any(reasons: Any) -> bool:
    """Whether a score's stored reasons could not read some fact (see scoring.gaps)."""
    return bool(missing_facts(reasons))


@register.simple_tag
def trend_arrow(score: PackageScore | None) -> SafeString:
    """Render ↑, ↓ or → with the change since the baseline snapshot, for screen readers too."""
    if score is None or not score.trend_direction:
        return SafeString("")
    change = score.trend or 0
    since = f"{score.baseline_on.day} {score.baseline_on:%b %Y}" if score.baseline_on else ""
    words = {
        "up": f"up {change} since {since}",
        "down": f"down {-change} since {since}",
        "steady": f"steady since {since}",
    }[score.trend_direction]
    direction, words = escape(score.trend_direction), escape(words)
    return SafeString(  # Safe: escaped above.
        f' <span class="trend trend-{direction}" title="{words}"><span aria-hidden="true">'
        f'{ARROWS[score.trend_direction]}</span><span class="visually-hidden">{words}</span>'
        "</span>"
    )


@register.simple_tag
@lru_cache(maxsize=16)
def answer_badge(answer: str) -> SafeString:
    """Render a compatibility answer (yes, no, unknown) as a labelled badge.

    Drawn once per answer: a table has a row for every release, a grid a list per column.
    """
    return format_html(
        '<span class="answer answer-{}"><span aria-hidden="true">{} </span>{}</span>',
        answer,
        ANSWER_MARKS.get(answer, "?"),
        answer,
    )


@register.simple_tag
def compatibility_rows(rows: Iterable[Any]) -> SafeString:
    """Render the rows of a compatibility table (release, answer, evidence) in one pass.

    A row a template include each cost as much as the rest of the table; here each part is
    escaped where it is made.
    """
    html = []
    today = timezone.localdate()
    for row in rows:
        cycle = row.cycle
        lts = ' <span class="badge">LTS</span>' if cycle.lts else ""
        upcoming = (
            ' <span class="badge">upcoming</span>' if cycle.phase_on(today) == "upcoming" else ""
        )
        html.append(
            "<tr>\n"
            f'  <th scope="row"><a href="{escape(cycle.get_absolute_url())}">'
            f"{escape(str(cycle))}</a>{lts}{upcoming}</th>\n"
            f"  <td>{answer_badge(row.answer)}</td>\n"
            f'  <td class="small">{escape(str(row.evidence))}</td>\n'
            "</tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 - every part is escaped where it is made.


@register.inclusion_tag("scoring/includes/insights.html", takes_context=True)
def package_insights(context: dict[str, Any], package: Package) -> dict[str, Any]:
    """Render the package page's answers: compatibility, maintenance, status, safety, links."""
    return {
        "insights": selectors.package_insights(package=package),
        "package": package,
        "titles": DIMENSION_TITLES,
        "weights": DEFAULT_WEIGHTS,
        "request": context.get("request"),
        "user": context.get("user"),
    }
