"""Factories for people: members, new accounts, stewards and staff, and what they make."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from packyard.accounts.models import (
    DeprecationProposal,
    Flag,
    FlagTopic,
    Mark,
    MarkKind,
    Profile,
    SiteEntry,
    Stewardship,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    date_joined = factory.LazyFunction(lambda: timezone.now() - timedelta(days=400))
    password = factory.LazyFunction(lambda: make_password(None))  # Unusable: GitHub only.


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    github_login = factory.LazyAttribute(lambda profile: profile.user.username)
    github_created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1500))


def member(username: str | None = None, **profile):
    """Return a signed-up member whose GitHub account is years old (they may edit)."""
    user = UserFactory(**({"username": username} if username else {}))
    ProfileFactory(user=user, **profile)
    return user


def newcomer(username: str | None = None):
    """Return a member whose GitHub account and Packyard account are a day old."""
    user = UserFactory(
        date_joined=timezone.now() - timedelta(days=1),
        **({"username": username} if username else {}),
    )
    ProfileFactory(user=user, github_created_at=timezone.now() - timedelta(days=1))
    return user


def staff(username: str | None = None):
    """Return a staff member (staff sign in with a password and may have no profile)."""
    return UserFactory(is_staff=True, **({"username": username} if username else {}))


def steward(*, package=None, grid=None, username: str | None = None):
    """Return a member appointed steward of a package or a grid (or both)."""
    user = member(username)
    if package is not None:
        Stewardship.objects.create(user=user, package=package)
    if grid is not None:
        Stewardship.objects.create(user=user, grid=grid)
    return user


def community_rows(*, package, other, user):
    """Create one row of every accounts and history model (for admin pages)."""
    from packyard.catalog.services import package_update

    ProfileFactory(user=user, github_login="admin-on-github")
    Stewardship.objects.create(user=user, package=package)
    Mark.objects.create(user=user, package=package, kind=MarkKind.FAVOURITE)
    Mark.objects.create(user=user, package=other, kind=MarkKind.USE)
    Flag.objects.create(package=package, reporter=user, topic=FlagTopic.PYPI, reason="Wrong name.")
    DeprecationProposal.objects.create(
        package=package, replaced_by=other, proposer=user, reason="Archived upstream."
    )
    SiteEntry.objects.create(package=package, name="Example", url="https://example.com/")
    package_update(package=package, actor=user, changes={"title": package.title + " (x)"})
