"""The permission policy on its own: roles, new accounts, stewards, and its uses in templates
and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from packyard.accounts import permissions
from packyard.accounts.permissions import Action, Role, can, decide, role_of
from tests.factories import GridFactory, PackageFactory, ProfileFactory, UserFactory, member, staff

pytestmark = pytest.mark.django_db


def test_roles_towards_a_package_and_a_grid():
    """Anonymous, member, steward (appointed, contributor, creator) and staff, per object."""
    package = PackageFactory(contributors=["Alice-GH", "bob"])
    contributor = member("alice", github_login="alice-gh")
    creator = member("carol")
    grid = GridFactory(created_by=creator)

    assert role_of(AnonymousUser(), package) is Role.ANONYMOUS
    assert role_of(member(), package) is Role.MEMBER
    assert role_of(contributor, package) is Role.STEWARD
    assert role_of(contributor, grid) is Role.MEMBER
    assert role_of(creator, grid) is Role.STEWARD
    assert role_of(staff(), grid) is Role.STAFF


def test_a_young_github_account_only_proposes_an_old_one_edits_at_once():
    """Account age counts from GitHub's creation date: an old GitHub account edits on day one."""
    package = PackageFactory()
    veteran = UserFactory(date_joined=timezone.now())
    ProfileFactory(user=veteran, github_created_at=timezone.now() - timedelta(days=3000))
    fresh = UserFactory(date_joined=timezone.now())
    ProfileFactory(user=fresh, github_created_at=timezone.now() - timedelta(days=2))

    assert can(veteran, Action.EDIT_PACKAGE, package)
    assert not can(fresh, Action.EDIT_PACKAGE, package)
    assert can(fresh, Action.FLAG, package)
    assert "may only propose" in decide(fresh, Action.EDIT_PACKAGE, package).reason


def test_staff_without_a_profile_are_not_new_accounts():
    """Staff (password accounts, no profile) are never held back as new accounts."""
    boss = UserFactory(is_staff=True, date_joined=timezone.now())

    assert can(boss, Action.ADD_PACKAGE)
    assert permissions.profile_of(boss) is None


def test_a_locked_grid_refuses_members_with_the_reason():
    """A locked grid: members refused, its stewards and staff allowed."""
    grid = GridFactory(is_locked=True)

    decision = decide(member(), Action.EDIT_CELL, grid)

    assert not decision
    assert decision.reason == "This grid is locked: only staff and its stewards edit it."
    assert can(staff(), Action.EDIT_CELL, grid)


def test_the_template_tags_answer_for_the_viewer():
    """{% can %} and {% permissions_for %} answer for the request's user."""
    package = PackageFactory()
    request = RequestFactory().get("/")
    request.user = member()
    template = Template(
        "{% load accounts %}{% can 'edit_package' package as may_edit %}"
        "{% permissions_for package as may %}{{ may_edit }} {{ may.revert }} {{ may.flag }}"
    )

    assert template.render(Context({"request": request, "package": package})) == ("True False True")


def test_the_api_permission_opens_reads_and_guards_writes():
    """PolicyPermission lets anyone read and only allowed people write."""
    view = type("View", (), {"policy_action": Action.ADD_PACKAGE})()
    policy = permissions.PolicyPermission()
    read, write = RequestFactory().get("/"), RequestFactory().post("/")
    read.user = write.user = AnonymousUser()

    assert policy.has_permission(read, view)
    assert not policy.has_permission(write, view)
    write.user = member()
    assert policy.has_permission(write, view)


def test_use_counts_feed_the_adoption_score():
    """use_counts gives "I use this" counts by package id, for SCORING_USAGE_COUNTS."""
    from packyard.accounts.models import Mark
    from packyard.accounts.selectors import use_counts

    used, unused = PackageFactory(), PackageFactory()
    for person in (member(), member()):
        Mark.objects.create(user=person, package=used, kind="use")

    assert use_counts([used.pk, unused.pk]) == {used.pk: 2}


def test_a_github_login_stewards_only_github_packages_it_contributes_to():
    """A GitHub login that matches a contributor's name on another host makes no steward."""
    from packyard.accounts.permissions import Action, decide, is_steward
    from tests.factories import PackageFactory, member

    person = member()
    person.profile.github_login = "alice"
    person.profile.save()
    on_github = PackageFactory(contributors=["Alice", "bob"])
    on_gitlab = PackageFactory(
        repo_url="https://gitlab.com/group/thing",
        repo_host="gitlab",
        repo_key="gitlab.com/group/thing",
        contributors=["alice"],
    )

    assert is_steward(person, on_github)
    assert not is_steward(person, on_gitlab)
    assert not decide(person, Action.CHANGE_PACKAGE_IDENTITY, on_gitlab).allowed
