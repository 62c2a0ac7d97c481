"""Reads of the accounts app, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from packyard.accounts.models import (
    DeprecationProposal,
    Flag,
    Mark,
    MarkKind,
    Profile,
    Review,
    SiteEntry,
)
from packyard.catalog.models import Package
from packyard.core.prepared import Prepared
from packyard.grids.models import Grid
from packyard.history.models import Change, Subject
from packyard.history.selectors import changes_by

RECENT_EDITS = 20


@dataclass
class Marks:
    """How many people favourite and use a package, and whether the viewer does."""

    favourites: int = 0
    users: int = 0
    favourited: bool = False
    used: bool = False


def marks_of(*, packages: list[Package], user: User | AnonymousUser) -> dict[int, Marks]:
    """Return the marks of each package: its counts, read with it (kept on the package by
    triggers, `accounts.counts`), and the viewer's own (1 query when signed in)."""
    marks = {
        package.pk: Marks(favourites=package.favourite_count, users=package.use_count)
        for package in packages
    }
    if user.is_authenticated and marks:
        own = Mark.objects.filter(package__in=list(marks), user=user).values_list(
            "package_id", "kind"
        )
        for package_id, kind in own:
            if kind == MarkKind.FAVOURITE:
                marks[package_id].favourited = True
            else:
                marks[package_id].used = True
    return marks


def packages_most_liked() -> QuerySet[Package]:
    """Return the packages people favourite most (then use most), in the order of an index."""
    liked = Q(favourite_count__gt=0) | Q(use_count__gt=0)
    order = ("-favourite_count", "-use_count", "title", "id")
    return Package.objects.for_lists().filter(liked).order_by(*order)


@dataclass
class Person:
    """A profile page: the account, its profile (staff may have none), what they did."""

    user: Any
    profile: Profile | None
    login: str
    contributes_to: list[Package] = field(default_factory=list)
    uses: list[Package] = field(default_factory=list)
    favourites: list[Package] | None = None
    edits: list[Edit] = field(default_factory=list)


@dataclass(frozen=True)
class Edit:
    """One of a person's changes, with the package or grid it was made to (None if gone)."""

    change: Change
    subject: Package | Grid | None


def person_get(*, login: str) -> Any:
    """Return the account whose GitHub login (else username) is `login`, or raise Http404."""
    users = get_user_model()._default_manager.filter(is_active=True).select_related("profile")
    user = users.filter(profile__github_login__iexact=login).first()
    if user is None:
        user = users.filter(username=login).first()
    if user is None:
        raise Http404("No such person.")
    return user


def packages_contributed(*, login: str, limit: int = 50) -> list[Package]:
    """Return packages whose fetched contributors include this GitHub login.

    The contributors are a JSON list of logins; a quoted login is searched in its text, which
    works on SQLite and PostgreSQL alike (logins hold no quotes).
    """
    if not login or '"' in login:
        return []
    return list(
        Package.objects.for_lists()
        .filter(contributors__icontains=f'"{login}"')
        .order_by("title", "id")[:limit]
    )


def packages_marked(*, user: Any, kind: MarkKind) -> list[Package]:
    """Return the packages a person marked, by title."""
    return list(
        Package.objects.for_lists().filter(marks__user=user, marks__kind=kind).order_by("title")
    )


def subjects_of(changes: list[Change]) -> dict[tuple[str, int], Package | Grid]:
    """Return the packages and grids that changes belong to (2 queries at most)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for change in changes:
        wanted[change.subject_type].add(change.subject_id)
    found: dict[tuple[str, int], Package | Grid] = {}
    if wanted[Subject.PACKAGE]:
        for package in Package.objects.filter(pk__in=wanted[Subject.PACKAGE]):
            found[(Subject.PACKAGE.value, package.pk)] = package
    if wanted[Subject.GRID]:
        for grid in Grid.objects.filter(pk__in=wanted[Subject.GRID]):
            found[(Subject.GRID.value, grid.pk)] = grid
    return found


def person_page(*, login: str, viewer: User | AnonymousUser) -> Person:
    """Return what a profile page shows, in a fixed number of queries."""
    user = person_get(login=login)
    try:
        profile: Profile | None = user.profile
    except Profile.DoesNotExist:
        profile = None
    github_login = profile.github_login if profile else None
    person = Person(
        user=user, profile=profile, login=(profile.login if profile else user.get_username())
    )
    person.contributes_to = packages_contributed(login=github_login or "")
    person.uses = packages_marked(user=user, kind=MarkKind.USE)
    shared = profile is not None and profile.share_favourites
    if shared or (viewer.is_authenticated and viewer.pk == user.pk):
        person.favourites = packages_marked(user=user, kind=MarkKind.FAVOURITE)
    changes = changes_by(user=user, limit=RECENT_EDITS)
    subjects = subjects_of(changes)
    person.edits = [
        Edit(change=change, subject=subjects.get((change.subject_type, change.subject_id)))
        for change in changes
    ]
    return person


def sites_of(*, package: Package) -> list[Mapping[str, object]]:
    """Return the name and URL of the accepted sites that use a package, by name: what its
    page shows (one query)."""
    return list(_SITES.all(package_id=package.pk))


# Compiled once per process (`core.prepared`): a read on every package page.
_SITES = Prepared(
    lambda package_id: (
        SiteEntry.objects.filter(package_id=package_id, status=Review.ACCEPTED)
        .order_by("name", "id")
        .values("name", "url")
    ),
    package_id=int,
)


@dataclass
class Queue:
    """What waits for staff review."""

    flags: list[Flag]
    proposals: list[DeprecationProposal]
    sites: list[SiteEntry]

    @property
    def total(self) -> int:
        return len(self.flags) + len(self.proposals) + len(self.sites)


def review_queue(*, limit: int = 100) -> Queue:
    """Return the oldest waiting flags, deprecation proposals and site entries (3 queries)."""
    pending = Q(status=Review.PENDING)
    return Queue(
        flags=list(
            Flag.objects.filter(pending)
            .select_related("package", "reporter")
            .order_by("created", "id")[:limit]
        ),
        proposals=list(
            DeprecationProposal.objects.filter(pending)
            .select_related("package", "replaced_by", "proposer")
            .order_by("created", "id")[:limit]
        ),
        sites=list(
            SiteEntry.objects.filter(pending)
            .select_related("package", "submitted_by")
            .order_by("created", "id")[:limit]
        ),
    )


def use_counts(package_ids: Sequence[int], /) -> dict[int, int]:
    """Return how many people say "I use this" of each package (1 query).

    The scoring app's adoption score reads it when SCORING_USAGE_COUNTS names it.
    """
    rows = (
        Mark.objects.filter(package__in=list(package_ids), kind=MarkKind.USE)
        .values_list("package_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    return dict(rows)


def people_count() -> int:
    """Return how many people have an active account (one query)."""
    return get_user_model().objects.filter(is_active=True).count()
