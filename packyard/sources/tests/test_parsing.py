"""Reading what hosts send: weeks of commits, rate and Link headers, times, bot names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from packyard.sources.parsing import (
    looks_like_bot,
    parse_links,
    parse_timestamp,
    read_rate,
    weekly_counts,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_weekly_counts_put_the_last_seven_days_last():
    """Week 51 is the seven days up to now, week 0 the oldest; older commits are left out."""
    dates = [
        NOW,
        NOW - timedelta(days=6, hours=23),
        NOW - timedelta(days=7, hours=1),
        NOW - timedelta(weeks=51, days=6),
        NOW - timedelta(weeks=52, hours=1),
        NOW + timedelta(minutes=5),
    ]
    counts = weekly_counts(dates, now=NOW)
    assert len(counts) == 52
    assert counts[51] == 3
    assert counts[50] == 1
    assert counts[0] == 1
    assert sum(counts) == 5


def test_rate_headers_of_github_and_gitlab_are_read():
    """X-RateLimit-* and RateLimit-* give limit, remaining and an aware reset time."""
    reset = int((NOW + timedelta(minutes=30)).timestamp())
    github = read_rate(
        {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "12",
            "X-RateLimit-Reset": str(reset),
        },
        cost=1,
        now=NOW,
    )
    assert (github.limit, github.remaining, github.reset_at, github.cost) == (
        5000,
        12,
        NOW + timedelta(minutes=30),
        1,
    )
    gitlab = read_rate({"RateLimit-Limit": "600", "RateLimit-Remaining": "0"}, cost=0, now=NOW)
    assert (gitlab.limit, gitlab.remaining, gitlab.reset_at) == (600, 0, None)


def test_retry_after_in_seconds_or_as_a_date():
    """Retry-After is read as seconds or as an HTTP date."""
    assert read_rate({"Retry-After": "90"}, cost=1, now=NOW).retry_after == 90
    dated = read_rate({"Retry-After": "Mon, 01 Jun 2026 12:02:00 GMT"}, cost=1, now=NOW)
    assert dated.retry_after == 120


def test_link_headers_are_read_by_relation():
    """rel="next" and rel="last" are found, with several relations in one link."""
    links = parse_links(
        '<https://api.example/x?page=2>; rel="next", '
        '<https://api.example/x?page=9>; rel="last first"'
    )
    assert links == {
        "next": "https://api.example/x?page=2",
        "last": "https://api.example/x?page=9",
        "first": "https://api.example/x?page=9",
    }


def test_timestamps_become_aware_utc():
    """Z, offsets, long fractions and naive times all become aware UTC datetimes."""
    assert parse_timestamp("2024-01-01T10:00:00Z") == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert parse_timestamp("2024-01-01T12:00:00.000+02:00") == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert parse_timestamp("2024-01-01T10:00:00.1234567Z") == datetime(
        2024, 1, 1, 10, 0, 0, 123456, tzinfo=UTC
    )
    assert parse_timestamp("2024-01-01T10:00:00") == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(None) is None


@pytest.mark.parametrize(
    ("name", "bot"),
    [
        ("dependabot[bot]", True),
        ("renovate[bot]", True),
        ("GitLab Bot", True),
        ("release-bot", True),
        ("Abbott", False),
        ("Ada Lovelace", False),
    ],
)
def test_bot_names(name, bot):
    """Bots are told by a [bot] or bot suffix and a few well-known names."""
    assert looks_like_bot(name) is bot
