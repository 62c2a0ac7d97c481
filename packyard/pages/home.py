"""The home page's sections: package cards that help choose, each list a fixed number of queries.

Every section is one query for at most `size` packages, read through an index where the order
is a package column (stars, last release, added); the marks sections group the marks table, not
the packages (favourites for "most liked", marks of the last 30 days for "rising"), and their
packages come in one query. The cards' scores come in one more query for every card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from packyard.accounts.models import Mark, MarkKind
from packyard.catalog.models import Package
from packyard.catalog.selectors import PACKAGE_SORTS
from packyard.core.prepared import Prepared
from packyard.scoring.models import PackageScore
from packyard.scoring.selectors import scores_for

RISING_DAYS = 30


@dataclass(frozen=True)
class Card:
    package: Package
    score: PackageScore | None
    # Django releases the latest release says it supports, newest first ("6.0", "5.2").
    django: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    why: str
    cards: tuple[Card, ...]


def _cards(
    packages: Sequence[Package], scores: dict[int, PackageScore], notes: dict[int, str]
) -> tuple[Card, ...]:
    cards = []
    for package in packages:
        score = scores.get(package.pk)
        support = (score.support or {}).get("django", []) if score else []
        django = tuple(str(cycle) for cycle, answer in reversed(support) if answer == "yes")[:3]
        cards.append(Card(package, score, django, notes.get(package.pk, "")))
    return tuple(cards)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'s' if number != 1 else ''}"


def _listed() -> QuerySet[Package]:
    return Package.objects.only(
        "pk",
        "slug",
        "title",
        "description",
        "stars",
        "pypi_version",
        "latest_release_at",
        "created",
        "archived_at",
        "deprecated_at",
    )


@cache
def _lists(size: int) -> dict[str, Prepared[Any]]:
    """Return the home page's lists that take no value, compiled once per process and size
    (`core.prepared`): the most liked, the most starred, the newest releases, the newest."""
    # Archived and deprecated packages are not offered as choices here (their pages say why).
    live = Q(archived_at__isnull=True, deprecated_at__isnull=True)
    return {
        "liked": Prepared(
            lambda: (
                Mark.objects.filter(kind=MarkKind.FAVOURITE)
                .values_list("package")
                .annotate(count=Count("id"))
                .order_by("-count", "package")[:size]
            )
        ),
        "starred": Prepared(
            lambda: (
                _listed()
                .filter(live, stars__isnull=False)
                .order_by(*PACKAGE_SORTS["stars"].order)[:size]
            )
        ),
        "released": Prepared(
            lambda: (
                _listed()
                .filter(live, latest_release_at__isnull=False)
                .order_by(*PACKAGE_SORTS["last-release"].order)[:size]
            )
        ),
        "new": Prepared(lambda: _listed().order_by(*PACKAGE_SORTS["added"].order)[:size]),
    }


def home_sections(*, size: int = 6) -> list[Section]:
    """Return the home page's sections of package cards, in the order they show."""
    since = timezone.now() - timedelta(days=RISING_DAYS)
    lists = _lists(size)
    # Marks are grouped on their own table (its size is the marks, not the packages), then
    # the packages of both lists are read in one query.
    liked_counts = dict(lists["liked"].all())
    rising_counts = dict(
        Mark.objects.filter(created__gte=since)
        .values_list("package")
        .annotate(count=Count("id"))
        .order_by("-count", "package")[:size]
    )
    marked = _listed().in_bulk([*liked_counts, *rising_counts])
    liked = [marked[pk] for pk in liked_counts if pk in marked]
    rising = [marked[pk] for pk in rising_counts if pk in marked]
    starred = lists["starred"].all()
    released = lists["released"].all()
    new = lists["new"].all()
    groups = (liked, rising, starred, released, new)
    everyone = {package.pk: package for group in groups for package in group}
    scores = scores_for(package_ids=list(everyone))
    likes = {pk: _count(count, "favourite") for pk, count in liked_counts.items()}
    gained = {pk: "+" + _count(count, "mark") for pk, count in rising_counts.items()}
    recent = f"the most favourites and “I use this” in the last {RISING_DAYS} days"
    sections = [
        Section("liked", "Most liked", "the most favourites", _cards(liked, scores, likes)),
        Section("rising", "Rising", recent, _cards(rising, scores, gained)),
        Section("starred", "Most starred", "the most stars", _cards(starred, scores, {})),
        Section(
            "released", "Recently released", "the newest releases", _cards(released, scores, {})
        ),
        Section("new", "New in the directory", "added most recently", _cards(new, scores, {})),
    ]
    return [section for section in sections if section.cards]
