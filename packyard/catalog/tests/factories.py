"""Factories for catalogue rows."""

from __future__ import annotations

import factory
from django.utils import timezone

from packyard.catalog.models import Category, Package, Release
from packyard.core.repositories import RepositoryHost


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
