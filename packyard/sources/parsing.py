"""Read what hosts send: times, ``Link`` and rate-limit headers, weeks of commits, JSON shapes.

Upstream behaviour relied on here:

- GitHub rate limits (403/429, ``x-ratelimit-*``, ``retry-after``, secondary limits: wait at
  least a minute): https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
- GitLab ``RateLimit-*`` headers (``RateLimit-Reset`` is a Unix time):
  https://docs.gitlab.com/user/gitlab_com/#rate-limits-on-gitlabcom
- ``Retry-After`` (seconds or an HTTP date): https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
- ``Link`` headers: https://www.rfc-editor.org/rfc/rfc8288
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from packyard.sources.errors import UpstreamError
from packyard.sources.types import Contributor, RateReading

WEEKS = 52
# GitHub asks to wait at least a minute after a secondary limit that names no time; the same
# wait is used for any host that says "too many requests" without saying until when.
FALLBACK_WAIT = timedelta(minutes=1)
JSONBody = Any
# The largest count stored (PostgreSQL's integer); a larger one is no real repository's.
MAX_COUNT = 2**31 - 1
# Descriptions are one line on every host (GitHub keeps 350 characters); longer is cut.
DESCRIPTION_LENGTH = 1000
_PATH_SEGMENT = re.compile(r"[^\s/\x00-\x1f\x7f]+")


def utc_now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


# --- Times, links and weeks ---------------------------------------------------------------


def parse_timestamp(value: object) -> datetime | None:
    """Return an ISO 8601 time as an aware UTC datetime (naive times are taken as UTC)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("z", "Z")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        # More than six digits of fractions of a second: keep six.
        trimmed = re.sub(r"(\.\d{6})\d+", r"\1", text)
        try:
            moment = datetime.fromisoformat(trimmed)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # Year 1 at +14:00, or year 9999 at -14:00: no UTC time exists.
        return None


def parse_links(value: str | None) -> dict[str, str]:
    """Return the URLs of a ``Link`` header by relation (``next``, ``last``, ...)."""
    links: dict[str, str] = {}
    if not value:
        return links
    for part in re.split(r",\s*(?=<)", value):
        match = re.match(r"\s*<([^>]*)>(.*)", part)
        if not match:
            continue
        url, parameters = match.groups()
        relation = re.search(r'rel\s*=\s*"?([^";]+)"?', parameters)
        if relation:
            for name in relation.group(1).split():
                links[name.lower()] = url
    return links


def window_start(now: datetime) -> datetime:
    """Return the start of the 52 weeks that end at `now`."""
    return now - timedelta(weeks=WEEKS)


def since_parameter(now: datetime) -> str:
    """Return the ``since`` to ask for: the window's start, floored to its UTC day.

    Flooring keeps the request URL the same all day, so its ETag can be reused; the extra
    hours are dropped again when commits are counted into weeks.
    """
    start = window_start(now).astimezone(UTC)
    return start.replace(hour=0, minute=0, second=0, microsecond=0).isoformat()


def weekly_counts(dates: Iterable[datetime], *, now: datetime) -> tuple[int, ...]:
    """Count commits into the 52 weeks that end at `now`, oldest week first.

    Week ``i`` covers ``(now - (52 - i) weeks, now - (51 - i) weeks]``, so the last count is the
    seven days up to now. GitHub's participation statistics are read the same way (52 counts,
    oldest first, the last one this week). A commit dated after `now` (a skewed clock) counts in
    the last week; commits older than the window are left out.
    """
    counts = [0] * WEEKS
    week = timedelta(weeks=1)
    start = window_start(now)
    for moment in dates:
        if moment <= start:
            continue
        index = WEEKS - 1 - int((now - moment) // week) if moment <= now else WEEKS - 1
        counts[max(0, min(WEEKS - 1, index))] += 1
    return tuple(counts)


# Names that code hosts give bots; GitHub also marks them with type "Bot".
_BOT_NAMES = frozenset(
    {"dependabot", "renovate", "renovate bot", "pre-commit-ci", "github-actions", "gitlab bot"}
)


def looks_like_bot(name: str) -> bool:
    """Return whether a login or author name is a bot's (``[bot]`` suffix or a known bot)."""
    lowered = name.strip().lower()
    return (
        lowered.endswith(("[bot]", " bot", "-bot", "_bot"))
        or lowered in _BOT_NAMES
        or lowered.startswith("dependabot")
    )


def contributors_by_commits(names: Iterable[tuple[str, bool]]) -> tuple[Contributor, ...]:
    """Return distinct contributors, most commits first, from one (name, is_bot) per commit."""
    counts: Counter[str] = Counter()
    bots: dict[str, bool] = {}
    spelling: dict[str, str] = {}
    for name, is_bot in names:
        name = name.strip()
        if not name:
            continue
        key = name.lower()
        spelling.setdefault(key, name)
        counts[key] += 1
        bots[key] = bots.get(key, False) or is_bot or looks_like_bot(name)
    ordered = sorted(counts, key=lambda key: (-counts[key], key))
    return tuple(Contributor(login=spelling[key], is_bot=bots[key]) for key in ordered)


# --- Rate headers -----------------------------------------------------------------------


def _header(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None and value.strip() != "":
            return value.strip()
    return None


def _integer(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """Return the seconds a ``Retry-After`` value asks to wait (seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def read_rate(headers: Mapping[str, str], *, cost: int, now: datetime) -> RateReading:
    """Return the rate-limit headers of one response.

    GitHub sends ``X-RateLimit-*``, GitLab ``RateLimit-*``; both give the reset as a Unix time.
    A small reset value (under a billion) is read as seconds from now, as the IETF draft has it.
    """
    reset = _integer(_header(headers, "X-RateLimit-Reset", "RateLimit-Reset"))
    reset_at: datetime | None = None
    if reset is not None:
        reset_at = (
            datetime.fromtimestamp(reset, UTC)
            if reset >= 1_000_000_000
            else now + timedelta(seconds=reset)
        )
    return RateReading(
        limit=_integer(_header(headers, "X-RateLimit-Limit", "RateLimit-Limit")),
        remaining=_integer(_header(headers, "X-RateLimit-Remaining", "RateLimit-Remaining")),
        reset_at=reset_at,
        retry_after=retry_after_seconds(_header(headers, "Retry-After"), now=now),
        cost=cost,
    )


def rate_limit_reset(
    status: int, reading: RateReading, message: str, now: datetime
) -> datetime | None:
    """Return until when a 403/429 answer asks us to wait, or None if it is no rate limit."""
    if status not in (403, 429):
        return None
    if reading.retry_after is not None:
        return now + timedelta(seconds=reading.retry_after)
    if reading.remaining == 0:
        if reading.reset_at is not None and reading.reset_at > now:
            return reading.reset_at
        return now + FALLBACK_WAIT
    if status == 429:
        if reading.reset_at is not None and reading.reset_at > now:
            return reading.reset_at
        return now + FALLBACK_WAIT
    if "rate limit" in message.lower():
        return now + FALLBACK_WAIT
    return None


# --- JSON shapes ------------------------------------------------------------------------


def expect_mapping(body: JSONBody, what: str) -> dict[str, Any]:
    """Return `body` if it is a JSON object, or raise `UpstreamError` naming `what`."""
    if not isinstance(body, dict):
        raise UpstreamError(f"{what} is not a JSON object.")
    return body


def mapping(value: object) -> dict[str, Any]:
    """Return `value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def expect_list(body: JSONBody, what: str) -> list[Any]:
    """Return `body` if it is a JSON array, or raise `UpstreamError` naming `what`."""
    if not isinstance(body, list):
        raise UpstreamError(f"{what} is not a JSON array.")
    return body


def count(value: object, what: str) -> int:
    """Return a JSON count, or raise `UpstreamError` when it is missing or not a number."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise UpstreamError(f"{what} is missing or not a count: {value!r:.80}")
    return value


def text(value: object) -> str:
    """Return a JSON string without NUL characters (no database keeps them), "" for others."""
    return value.replace("\x00", "") if isinstance(value, str) else ""


# --- Checked fields: a wrong one raises, so the fact is kept rather than stored empty ---------


def optional_text(value: object, what: str) -> str:
    """Return a JSON string without NULs, "" for null; raise `UpstreamError` for other types."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UpstreamError(f"{what} is not a string: {value!r:.80}")
    return text(value)


def required_text(value: object, what: str) -> str:
    """Return a JSON string that is not blank (NULs dropped), or raise `UpstreamError`."""
    found = optional_text(value, what)
    if not found.strip():
        raise UpstreamError(f"{what} is missing or empty.")
    return found


def description(value: object, what: str) -> str:
    """Return a description: a string or null (no description), cut to `DESCRIPTION_LENGTH`."""
    return optional_text(value, what).strip()[:DESCRIPTION_LENGTH]


def repository_path(value: object, what: str, *, nested: bool = False) -> str:
    """Return an ``owner/name`` path (``group/sub/name`` when `nested`), or raise.

    A path names the repository the stored URL follows after a rename, so one that is not a
    path (blank segments, spaces, control characters) fails the fetch instead of moving it.
    """
    path = required_text(value, what)
    segments = path.split("/")
    if (
        len(segments) < 2
        or (len(segments) != 2 and not nested)
        or not all(_PATH_SEGMENT.fullmatch(segment) for segment in segments)
    ):
        raise UpstreamError(f"{what} is not a repository path: {path!r:.80}")
    return path


def flag(value: object, what: str, *, absent: bool | None = None) -> bool:
    """Return a JSON boolean; null gives `absent` where the host documents it may be left out."""
    if isinstance(value, bool):
        return value
    if value is None and absent is not None:
        return absent
    raise UpstreamError(f"{what} is not a boolean: {value!r:.80}")


def optional_time(value: object, what: str) -> datetime | None:
    """Return an ISO 8601 time in UTC, None for null; raise `UpstreamError` for anything else."""
    if value is None:
        return None
    moment = parse_timestamp(value)
    if moment is None:
        raise UpstreamError(f"{what} is not a time: {value!r:.80}")
    return moment


def required_time(value: object, what: str) -> datetime:
    """Return an ISO 8601 time in UTC, or raise `UpstreamError` (null included)."""
    moment = optional_time(value, what)
    if moment is None:
        raise UpstreamError(f"{what} is missing.")
    return moment


def objects(value: object, what: str) -> list[dict[str, Any]]:
    """Return a JSON array of objects, or raise `UpstreamError` naming `what`."""
    items = expect_list(value, what)
    if not all(isinstance(item, dict) for item in items):
        raise UpstreamError(f"{what} holds an item that is not a JSON object.")
    return items


def quoted_path(path: str) -> str:
    """Return an ``owner/name`` path with each segment percent-encoded for a URL."""
    return "/".join(quote(segment, safe="") for segment in path.split("/"))
