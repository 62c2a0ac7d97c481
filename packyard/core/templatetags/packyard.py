"""Template helpers used on every page: sparklines, "fetched N ago", Markdown, paging links."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from html import escape
from typing import Any, cast

from django import template
from django.http import HttpRequest
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timeuntil

from packyard.core.markup import markdown_text, render_markdown
from packyard.core.urls import reverse_kept_or_not

register = template.Library()


class KeptURLNode(URLNode):
    """Django's `{% url %}`, each address reversed once per process (`core.urls`): a page
    has a dozen links in its header and footer alone, and the answer never changes."""

    def render(self, context: Context) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {key: value.resolve(context) for key, value in self.kwargs.items()}
        name = self.view_name.resolve(context)
        # The current application as Django's node finds it (instance namespaces).
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = ""
        try:
            url = reverse_kept_or_not(name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> KeptURLNode:
    """`{% url %}` as Django's, parsed by Django's: this library is a builtin, so it is the
    `url` every template uses."""
    node = django_url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)


NOT_FETCHED = "not fetched yet"


class _Plural:
    """One unit of `timesince`'s words, plain: Django's are lazy translations, which cost
    most of the call (a grid says "3 weeks ago" a hundred times). The site speaks English."""

    def __init__(self, one: str, many: str) -> None:
        self.one, self.many = one, many

    def __mod__(self, values: dict[str, int]) -> str:
        return (self.one if values["num"] == 1 else self.many) % values


# Typed as the strings they stand in for (timesince only applies `%` to them).
TIME_STRINGS = cast(
    "dict[str, str]",
    {
        unit: _Plural(f"%(num)d {unit}", f"%(num)d {unit}s")
        for unit in ("year", "month", "week", "day", "hour", "minute")
    },
)


@register.filter
def markdown(text: str | None) -> SafeString:
    """Render the Markdown subset to sanitised HTML."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitised by nh3.


@register.filter
def plain_text(text: str | None) -> str:
    """The words of Markdown without its marks, for a summary; escaped where shown."""
    return markdown_text(text or "")


@register.filter
def fact(value: Any) -> Any:
    """Show a fetched number, or say it was never fetched (never shows a missing fact as 0)."""
    if value is None:
        return format_html('<span class="not-fetched">{}</span>', NOT_FETCHED)
    if isinstance(value, int):
        return f"{value:,}"
    return value


@register.simple_tag
def ago(moment: datetime | None, *, empty: str = NOT_FETCHED) -> SafeString:
    """Render a moment as "3 days ago" inside a <time> element with the exact time as title."""
    if moment is None:
        return format_html('<span class="not-fetched">{}</span>', empty)
    return ago_at(moment, now=timezone.now(), zone=timezone.get_current_timezone())


def ago_at(moment: datetime, *, now: datetime, zone: tzinfo) -> SafeString:
    """Render `ago` of a moment, at `now` in time zone `zone` (a grid says it for every column,
    and looks up the time and the active time zone once)."""
    if abs((now - moment).total_seconds()) < 60:
        words = "just now"
    elif moment > now:
        words = f"in {timeuntil(moment, now, time_strings=TIME_STRINGS)}"
    else:
        words = f"{since(moment, now)} ago"
    return _time(moment, words, zone)


# Django's timesince, in the same words: "3\xa0weeks, 2\xa0days" (two adjacent units at most).
_UNITS = ("year", "month", "week", "day", "hour", "minute")
_CHUNKS = (7 * 24 * 60 * 60, 24 * 60 * 60, 60 * 60, 60)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def since(moment: datetime, now: datetime) -> str:
    """Return `timesince(moment, now, time_strings=TIME_STRINGS)`, word for word, without its
    lookups of the active language and its lazy strings (a grid says it for every column).

    Both are aware datetimes, as the site's are.
    """
    if now.tzinfo is not moment.tzinfo:
        now = now.astimezone(moment.tzinfo)
    delta = now - moment
    if delta.days * 24 * 60 * 60 + delta.seconds <= 0:
        return "0\xa0minutes"
    months = (now.year - moment.year) * 12 + (now.month - moment.month)
    if moment.day > now.day or (moment.day == now.day and moment.time() > now.time()):
        months -= 1
    years, months = divmod(months, 12)
    pivot = moment
    if years or months:
        year, month = moment.year + years, moment.month + months
        if month > 12:
            month -= 12
            year += 1
        pivot = datetime(
            year,
            month,
            min(_MONTH_DAYS[month - 1], moment.day),
            moment.hour,
            moment.minute,
            moment.second,
            tzinfo=moment.tzinfo,
        )
    remaining = (now - pivot).total_seconds()
    parts = [years, months]
    for chunk in _CHUNKS:
        count = int(remaining // chunk)
        parts.append(count)
        remaining -= chunk * count
    first = next((index for index, value in enumerate(parts) if value), None)
    if first is None:
        return "0\xa0minutes"
    words = []
    for unit, value in zip(_UNITS[first : first + 2], parts[first : first + 2], strict=True):
        if not value:
            break
        words.append(f"{value}\xa0{unit}{'' if value == 1 else 's'}")
    return ", ".join(words)


@register.simple_tag
def next_try(moment: datetime | None) -> SafeString:
    """Render when a failed fetch is tried again: "in 25 minutes", or "due now" once past."""
    if moment is None:
        return format_html("{}", "not planned")
    now = timezone.now()
    if moment <= now + timedelta(seconds=59):
        return _time(moment, "due now, with the next round")
    return _time(moment, f"in {timeuntil(moment, now, time_strings=TIME_STRINGS)}")


def _time(moment: datetime, words: str, zone: tzinfo | None = None) -> SafeString:
    # Plain formats, each part escaped: a grid says when for every column.
    return SafeString(  # Safe: every part is escaped here.
        f"{_time_open(moment, zone or timezone.get_current_timezone())}{escape(words)}</time>"
    )


# How many moments' <time> tags a process keeps (a grid's last commits, a list's dates).
TIME_TAGS_KEPT = 20_000


@lru_cache(maxsize=TIME_TAGS_KEPT)
def _time_open(moment: datetime, zone: tzinfo) -> str:
    """Return the opening <time> tag of a moment in a time zone: only the words move."""
    local = timezone.localtime(moment, zone)
    return (
        f'<time datetime="{escape(moment.isoformat())}" '
        f'title="{escape(local.strftime("%Y-%m-%d %H:%M %Z"))}">'
    )


@register.simple_tag
def sparkline(weeks: list[int] | None, width: int = 156, height: int = 28) -> SafeString:
    """Draw 52 weekly commit counts as an inline SVG bar chart with an accessible label."""
    if weeks is None:
        return format_html('<span class="not-fetched">{}</span>', NOT_FETCHED)
    if not weeks:
        return format_html('<span class="muted">{}</span>', "no activity data")
    peak = max(weeks) or 1
    bar = width / len(weeks)
    stroke = max(bar - 0.6, 0.6)  # A bar's width; the rest of its week is the gap.
    gap = max(bar - stroke, 0.0)
    quiet: list[list[int]] = []  # Runs of weeks without commits: [first week, weeks].
    active: list[str] = []
    for index, count in enumerate(weeks):
        # Every week has its bar; a week without commits a low grey one, so 52 always show.
        # An active week's bar is a vertical stroke from the baseline, as wide as the bar:
        # half the bytes of a rectangle, which matters in a grid of a hundred packages.
        if count == 0:
            if quiet and sum(quiet[-1]) == index:
                quiet[-1][1] += 1
            else:
                quiet.append([index, 1])
            continue
        bar_height = max(3.0, (count / peak) * (height - 2))
        active.append(f"M{_number((index + 0.5) * bar)} {height}V{_number(height - bar_height)}")
    # A run of quiet weeks is one dashed line, 2 high on the baseline, each dash a week's
    # bar: a quiet year is 80 bytes instead of 600. A path each, so each run's dashes start
    # at its first week.
    runs = "".join(
        f'<path d="M{_number(first * bar + gap / 2)} {height - 1}'
        f'H{_number((first + count) * bar - gap / 2)}"></path>'
        for first, count in quiet
    )
    paths = (
        f'<g class="zero" stroke-width="2" stroke-dasharray="{_number(stroke)} {_number(gap)}">'
        f"{runs}</g>"
        if quiet
        else ""
    ) + (f'<path d="{"".join(active)}"></path>' if active else "")
    total = sum(weeks)
    label = f"{total} commit{'s' if total != 1 else ''} in the last 52 weeks"
    return format_html(
        '<svg class="sparkline" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'stroke-width="{stroke}" aria-label="{label}"><title>{label}</title>{bars}</svg>',
        w=width,
        h=height,
        stroke=_number(stroke),
        label=label,
        bars=mark_safe(paths),  # noqa: S308 - numbers formatted above.
    )


def _number(value: float) -> str:
    """Write a coordinate with at most two decimals and no trailing zeros ("2", "1.4")."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """Return the current query string with some parameters changed (None removes one)."""
    request: HttpRequest = context["request"]
    query = request.GET.copy()
    for name, value in changes.items():
        if value is None or value == "":
            query.pop(name, None)
        else:
            query[name] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """Look a key up in a dictionary (None when absent)."""
    return mapping.get(key) if mapping else None


@register.filter
def safe_url(url: str | None) -> str:
    """Return an outside address only when it is http or https, else "" (no javascript:)."""
    text = (url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""
