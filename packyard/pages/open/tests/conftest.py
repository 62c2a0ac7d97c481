"""A package with a score and answers for Django, as the badges and cards read them."""

from __future__ import annotations

from datetime import date

import pytest

from packyard.compatibility.models import PackageCompatibility, Product, ReleaseCycle
from packyard.compatibility.rules import Basis
from packyard.scoring.models import PackageScore
from tests.factories import FetchedPackageFactory, GridFactory, GridPackageFactory

PAST = date(2020, 1, 1)
FUTURE = date(2099, 1, 1)


def cycle(name: str, *, ended: bool = False) -> ReleaseCycle:
    major, minor = (int(part) for part in name.split("."))
    # The migrations load the shipped cycles; each test sets the dates it needs.
    found, _ = ReleaseCycle.objects.update_or_create(
        product=Product.DJANGO,
        cycle=name,
        defaults={
            "major": major,
            "minor": minor,
            "release_date": PAST,
            "eol": PAST if ended else FUTURE,
            "eol_reached": None,
        },
    )
    return found


def score(package, overall: int, *, reasons=None) -> PackageScore:
    return PackageScore.objects.create(
        package=package,
        overall=overall,
        maintenance=overall,
        adoption=overall,
        compatibility=overall,
        documentation=overall,
        status=overall,
        reasons=reasons or {},
    )


@pytest.fixture
def orbit():
    """django-orbit: score 82, 1,234 stars, works with Django 4.2, 5.2 and 6.0 (not 5.1, ended)."""
    package = FetchedPackageFactory(
        title="django-orbit",
        slug="django-orbit",
        description="Keeps satellites of your models in orbit, with signals and a tidy admin.",
        stars=1234,
    )
    score(package, 82)
    for name, answer, ended in [
        ("6.0", "yes", False),
        ("4.2", "yes", False),
        ("5.2", "yes", False),
        ("5.1", "yes", True),
        ("3.2", "no", True),
    ]:
        PackageCompatibility.objects.create(
            package=package,
            cycle=cycle(name, ended=ended),
            answer=answer,
            basis=Basis.CLASSIFIER,
            evidence="Framework :: Django classifiers.",
        )
    return package


@pytest.fixture
def orbit_grid(orbit):
    grid = GridFactory(title="Orbits", slug="orbits", description="Packages *in orbit*.")
    GridPackageFactory(grid=grid, package=orbit)
    GridPackageFactory(grid=grid, package=FetchedPackageFactory(title="django-moon", stars=9))
    return grid
