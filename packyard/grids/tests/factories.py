"""Factories for grids, features and cells."""

from __future__ import annotations

import factory

from packyard.catalog.tests.factories import PackageFactory
from packyard.grids.models import Element, Feature, Grid, GridPackage


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
