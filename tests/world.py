"""A small directory with one person of every role, for the permission and GET-safety tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver

from packyard.accounts.models import DeprecationProposal, Flag, FlagTopic, SiteEntry, Stewardship
from packyard.catalog.services import package_update
from packyard.grids.services import element_set
from packyard.history.models import Change
from tests.factories import (
    ElementFactory,
    FeatureFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    ProfileFactory,
    member,
    newcomer,
    staff,
    steward,
)

ROLES = ("anonymous", "newcomer", "member", "steward", "staff")


@dataclass
class World:
    package: Any
    other: Any
    grid: Any
    locked: Any
    feature: Any
    second_feature: Any
    locked_feature: Any
    package_change: Any
    grid_change: Any
    flag: Any
    proposal: Any
    site: Any
    users: dict[str, Any]

    def user(self, role: str) -> Any:
        return self.users.get(role)


def build_world() -> World:
    """Create the directory: a package in an open grid and a locked grid, another package
    outside them, features, cells, a change of each, proposals waiting, and the people."""
    package = FetchedPackageFactory(title="Alpha", slug="alpha", contributors=["someone-else"])
    other = PackageFactory(title="Bravo", slug="bravo")
    grid = GridFactory(title="Storage", slug="storage")
    locked = GridFactory(title="Locked", slug="locked", is_locked=True)
    membership = GridPackageFactory(grid=grid, package=package)
    locked_membership = GridPackageFactory(grid=locked, package=package)
    feature = FeatureFactory(grid=grid, title="S3", position=0)
    second_feature = FeatureFactory(grid=grid, title="Azure", position=1)
    locked_feature = FeatureFactory(grid=locked, title="GCS", position=0)
    ElementFactory(grid_package=locked_membership, feature=locked_feature, text="yes")
    author = member("author")
    package_change = package_update(
        package=package, actor=author, changes={"description": "Stores files."}
    )
    element_set(grid_package=membership, feature=feature, text="*yes*", actor=author)
    grid_change = Change.objects.filter(subject_type="grid", subject_id=grid.pk).latest("id")
    users = {
        "newcomer": newcomer("newbie"),
        "member": member("regular"),
        "steward": steward(package=package, grid=grid, username="keeper"),
        "staff": staff("boss"),
    }
    Stewardship.objects.create(user=users["steward"], grid=locked)
    ProfileFactory(user=users["staff"], github_login="boss-on-github")
    flag = Flag.objects.create(
        package=package, reporter=author, topic=FlagTopic.PYPI, reason="Wrong PyPI name."
    )
    proposal = DeprecationProposal.objects.create(
        package=package, replaced_by=other, proposer=author, reason="Archived upstream."
    )
    site = SiteEntry.objects.create(
        package=package, name="Example", url="https://example.com/", submitted_by=author
    )
    return World(
        package=package,
        other=other,
        grid=grid,
        locked=locked,
        feature=feature,
        second_feature=second_feature,
        locked_feature=locked_feature,
        package_change=package_change,
        grid_change=grid_change,
        flag=flag,
        proposal=proposal,
        site=site,
        users=users,
    )


# Rows that change whenever anyone signs in or out; they are nobody's data.
NOT_DATA = {Session._meta.label}


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Return every row of every table (but sessions, and derived data pages keep as they read,
    such as each grid column's cells: `DERIVED_DATA`), to compare before and after."""
    rows = {}
    for model in apps.get_models():
        if (
            model._meta.label in NOT_DATA
            or model._meta.proxy
            or not model._meta.managed
            or getattr(model, "DERIVED_DATA", False)
        ):
            continue
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values())
    return rows


def differences(before: dict, after: dict) -> list[str]:
    """Return the labels of the tables whose rows differ."""
    return [label for label in before if before[label] != after.get(label)]


def every_url() -> list[tuple[str, str]]:
    """Return (name, route) of every URL pattern in the project, from the URL resolver."""
    found = []

    def walk(patterns, prefix: str, namespaces: tuple[str, ...]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = ":".join((*namespaces, pattern.name)) if pattern.name else route
                found.append((name, route))

    walk(get_resolver().url_patterns, "", ())
    return found
