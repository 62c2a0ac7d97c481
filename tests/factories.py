"""Factories for the rows tests and benchmarks need: catalogue, grids, people, scores.

Test support: production code never imports this package.
"""

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
from packyard.catalog.models import Category, Package, Release
from packyard.compatibility.cycles import PRODUCTS, shipped_cycles
from packyard.compatibility.services import release_cycles_import
from packyard.core.repositories import RepositoryHost
from packyard.grids.models import Element, Feature, Grid, GridPackage
from packyard.grids.services import element_html
from packyard.scoring.advisories import parse_osv
from packyard.scoring.services import (
    advisories_import,
    package_status_set,
    scores_recompute,
    scores_snapshot,
)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    title = "App"
    slug = "apps"
    title_plural = "Apps"
    description = "Small components used to build projects."


class PackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Package

    title = factory.Sequence(lambda n: f"django-thing-{n}")
    slug = factory.LazyAttribute(lambda package: package.title.lower())
    category = factory.SubFactory(CategoryFactory)
    repo_url = factory.LazyAttribute(lambda package: f"https://github.com/owner/{package.slug}")
    repo_host = RepositoryHost.GITHUB
    repo_key = factory.LazyAttribute(lambda package: f"github.com/owner/{package.slug}".lower())
    pypi_name = factory.LazyAttribute(lambda package: package.slug)
    description = factory.LazyAttribute(lambda package: f"What {package.title} does.")


class FetchedPackageFactory(PackageFactory):
    """A package whose code-host facts have been fetched."""

    stars = 120
    forks = 14
    contributors = factory.LazyFunction(lambda: ["alice", "bob", "dependabot[bot]"])
    commits_over_52 = factory.LazyFunction(lambda: [0] * 48 + [1, 0, 3, 2])
    total_commits = 321
    last_commit_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=3))
    last_fetched_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=2))


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    package = factory.SubFactory(PackageFactory)
    version = factory.Sequence(lambda n: f"1.{n}.0")
    upload_time = factory.LazyFunction(timezone.now)
    license = "BSD-3-Clause"
    requires_python = ">=3.10"
    classifiers = factory.LazyFunction(
        lambda: [
            "Development Status :: 5 - Production/Stable",
            "Programming Language :: Python :: 3",
        ]
    )
    development_status = "Production/Stable"


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    title = factory.Sequence(lambda n: f"Grid {n}")
    slug = factory.Sequence(lambda n: f"grid-{n}")
    description = "Packages that do the same job."


class GridPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridPackage

    grid = factory.SubFactory(GridFactory)
    package = factory.SubFactory(PackageFactory)


class FeatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feature

    grid = factory.SubFactory(GridFactory)
    title = factory.Sequence(lambda n: f"Feature {n}")
    position = factory.Sequence(lambda n: n)


class ElementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Element

    grid_package = factory.SubFactory(GridPackageFactory)
    feature = factory.LazyAttribute(lambda element: FeatureFactory(grid=element.grid_package.grid))
    text = "Yes"
    # Rendered as the grid services store it when they write a cell.
    text_html = factory.LazyAttribute(lambda element: element_html(element.text))


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


def scoring_rows(*, package, other) -> None:
    """Create one row of every compatibility and scoring model: `package` requires `other`."""
    for product in PRODUCTS:
        release_cycles_import(product=product, cycles=shipped_cycles(product))
    package.requires_dist = [f"{other.pypi_name or other.slug}>=0"]
    package.save(update_fields=["requires_dist"])
    advisories_import(
        records=[
            parse_osv(
                {
                    "id": "GHSA-xxxx-yyyy-zzzz",
                    "summary": "An example advisory",
                    "affected": [
                        {
                            "package": {"ecosystem": "PyPI", "name": package.pypi_name or "x"},
                            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                        }
                    ],
                }
            )
        ]
    )
    package_status_set(
        package=package,
        deprecated=package.deprecated_at is not None,
        replaced_by=package.replaced_by,
        needs_maintainer=True,
        note="Looking for help.",
    )
    scores_recompute(package_ids=[package.pk, other.pk])
    scores_snapshot(today=timezone.localdate())
