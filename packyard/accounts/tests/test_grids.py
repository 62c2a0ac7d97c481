"""Community editing of grids: create, the package picker, features, cells inline with htmx,
locked grids, history with diffs and one-click revert; and the profile pages."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from packyard.accounts.models import Mark, Stewardship
from packyard.grids.models import Element, Grid
from packyard.history.models import Change
from tests.factories import (
    ElementFactory,
    FeatureFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    member,
    newcomer,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    user = member("alice")
    client.force_login(user)
    return user


def grid_with_cell(*, locked: bool = False):
    grid = GridFactory(title="Storage", slug="storage", is_locked=locked)
    membership = GridPackageFactory(grid=grid, package=PackageFactory(title="Alpha", slug="alpha"))
    feature = FeatureFactory(grid=grid, title="S3")
    return grid, membership, feature


def test_a_member_creates_a_grid_and_stewards_it(client, alice):
    """A new grid belongs to its creator, who may then remove packages from it."""
    response = client.post("/grids/add/", {"title": "Queues", "slug": "queues"})

    grid = Grid.objects.get()
    assert response["Location"] == "/grids/g/queues/"
    assert grid.created_by == alice
    assert "Remove" in client.get("/grids/g/queues/edit/").text or not grid.memberships.exists()


def test_the_picker_finds_packages_not_in_the_grid_and_adds_one(client, alice):
    """GET ?q= lists matching packages outside the grid (htmx gets the list); POST adds one."""
    grid, _, _ = grid_with_cell()
    PackageFactory(title="Bravo storage", slug="bravo")

    found = client.get(
        "/grids/g/storage/packages/add/",
        {"q": "a"},
        headers={"HX-Request": "true", "HX-Target": "picker-results"},
    )
    assert found.text.lstrip().startswith('<div id="picker-results">')
    assert "Bravo storage" in found.text
    assert ">Alpha<" not in found.text

    client.post("/grids/g/storage/packages/add/", {"package": "bravo"})
    assert grid.packages.filter(slug="bravo").exists()
    missing = client.post("/grids/g/storage/packages/add/", {"package": "nope"})
    assert missing.status_code == 400
    assert "field package" in missing.text


def test_a_cell_is_edited_inline_with_htmx_and_sanitised(client, alice):
    """The edit link swaps in a form; saving swaps back the cell, rendered and sanitised."""
    grid_with_cell()
    url = f"/grids/g/storage/cells/{Grid.objects.get().features.get().pk}/alpha/"
    page = client.get("/grids/g/storage/")
    assert f'hx-get="{url}"' in page.text

    form = client.get(url, headers={"HX-Request": "true"})
    saved = client.post(
        url, {"text": "**yes** <script>alert(1)</script>"}, headers={"HX-Request": "true"}
    )

    assert form.text.startswith('<td class="cell editing">')
    assert "<textarea" in form.text
    assert saved.text.startswith('<td class="cell editable">')
    assert "<strong>yes</strong>" in saved.text
    assert "<script>" not in saved.text
    assert Element.objects.get().text == "**yes** <script>alert(1)</script>"


def test_a_cell_too_long_keeps_the_text_and_names_the_field(client, alice):
    """Too long a cell is refused; the form comes back with the text and the error."""
    _, _, feature = grid_with_cell()
    url = f"/grids/g/storage/cells/{feature.pk}/alpha/"

    htmx = client.post(url, {"text": "x" * 2001}, headers={"HX-Request": "true"})
    plain = client.post(url, {"text": "y" * 2001})

    assert htmx.status_code == 200
    assert "at most 2000 characters" in htmx.text
    assert plain.status_code == 400
    assert "y" * 2001 in plain.text
    assert not Element.objects.exists()


def test_a_cell_works_without_javascript(client, alice):
    """Without htmx the edit link is a page with the form; saving returns to the grid."""
    _, _, feature = grid_with_cell()
    url = f"/grids/g/storage/cells/{feature.pk}/alpha/"

    page = client.get(url)
    saved = client.post(url, {"text": "yes"})

    assert "<h1>S3 for Alpha</h1>" in page.text
    assert saved["Location"] == "/grids/g/storage/"


def test_a_locked_grid_shows_no_edit_actions_to_members_but_does_to_its_stewards(client):
    """Members see "locked" and no edit links; the grid's stewards and staff see them."""
    grid, _, feature = grid_with_cell(locked=True)
    url = f"/grids/g/storage/cells/{feature.pk}/alpha/"
    client.force_login(member())
    page = client.get("/grids/g/storage/")
    assert url not in page.text
    assert "Locked: only staff and the grid's stewards edit it." in page.text
    assert client.post(url, {"text": "x"}).status_code == 403

    keeper = member("keeper")
    Stewardship.objects.create(user=keeper, grid=grid)
    client.force_login(keeper)
    assert url in client.get("/grids/g/storage/").text
    assert client.post(url, {"text": "x"}).status_code == 303


def test_features_are_added_edited_reordered_and_deleted(client):
    """Members add, edit and reorder features; deleting one is for stewards and staff."""
    grid, _, first = grid_with_cell()
    client.force_login(member())
    client.post("/grids/g/storage/features/add/", {"title": "Azure"})
    second = grid.features.get(title="Azure")
    client.post(f"/grids/g/storage/features/{second.pk}/edit/", {"title": "Azure Blob"})
    client.post(f"/grids/g/storage/features/{second.pk}/move/", {"direction": "up"})
    bad = client.post(f"/grids/g/storage/features/{second.pk}/move/", {"direction": "sideways"})
    refused = client.post(f"/grids/g/storage/features/{first.pk}/delete/")

    assert list(grid.features.values_list("title", flat=True)) == ["Azure Blob", "S3"]
    assert bad.status_code == 400
    assert refused.status_code == 403

    client.force_login(staff())
    client.post(f"/grids/g/storage/features/{first.pk}/delete/")
    assert list(grid.features.values_list("title", flat=True)) == ["Azure Blob"]


def test_grid_history_shows_readable_diffs_and_staff_revert_in_one_click(client):
    """Everyone reads the history; only staff see and use the revert button."""
    _, _, feature = grid_with_cell()
    client.force_login(member("alice"))
    client.post(f"/grids/g/storage/cells/{feature.pk}/alpha/", {"text": "yes"})
    client.post(f"/grids/g/storage/cells/{feature.pk}/alpha/", {"text": "no, only S3 Express"})
    change = Change.objects.latest("id")

    client.logout()
    history = client.get("/grids/g/storage/history/")
    assert "alice</a></strong>" in history.text
    assert "changed cell S3 of Alpha" in history.text
    assert '<td class="before">yes</td><td class="after">no, only S3 Express</td>' in history.text
    assert "Revert this change" not in history.text

    client.force_login(staff("boss"))
    assert "Revert this change" in client.get("/grids/g/storage/history/").text
    response = client.post(f"/grids/g/storage/history/{change.pk}/revert/", follow=True)

    assert Element.objects.get().text == "yes"
    assert "Reverted: changed cell S3 of Alpha." in response.text
    assert f"undoes change {change.pk}" in response.text
    assert Change.objects.get(reverts=change).actor.username == "boss"


def test_package_history_lists_edits_newest_first_in_fixed_queries(
    client, django_assert_num_queries
):
    """The package history costs 4 queries (version, package, count, page), 2 or 20 edits."""
    package = PackageFactory(slug="alpha")
    person = member()
    from packyard.catalog.services import package_update

    for number in range(2):
        package_update(package=package, actor=person, changes={"title": f"T{number}"})
    with django_assert_num_queries(4):
        small = client.get("/packages/p/alpha/history/")
    for number in range(2, 20):
        package_update(package=package, actor=person, changes={"title": f"T{number}"})
    with django_assert_num_queries(4):
        large = client.get("/packages/p/alpha/history/")

    assert small.text.count('class="change"') == 2
    assert large.text.count('class="change"') == 20


def grid_filled(slug: str, *, packages: int, features: int):
    grid = GridFactory(slug=slug)
    rows = [FeatureFactory(grid=grid) for _ in range(features)]
    for package in FetchedPackageFactory.create_batch(packages):
        membership = GridPackageFactory(grid=grid, package=package)
        for feature in rows:
            ElementFactory(grid_package=membership, feature=feature, text="*yes*")
    return grid


def test_the_grid_page_costs_the_same_for_an_editor_whatever_its_size(
    client, django_assert_num_queries
):
    """Signed in with edit links on every cell and marks on every column: fixed queries."""
    person = member()
    grid_filled("small", packages=2, features=1)
    large = grid_filled("large", packages=30, features=5)
    Mark.objects.create(user=person, package=large.packages.first(), kind="favourite")
    client.force_login(person)
    client.get("/grids/g/small/")
    client.get("/grids/g/large/")  # Each column's cells kept, as after anyone's first view.

    with CaptureQueriesContext(connection) as small_queries:
        client.get("/grids/g/small/")
    with django_assert_num_queries(len(small_queries)):
        page = client.get("/grids/g/large/")

    assert page.text.count('class="edit-link small"') == 30 * 5 + 5
    assert page.text.count('aria-pressed="true"') == 1


# --- Profiles ----------------------------------------------------------------------------------


def test_a_profile_shows_contributions_uses_and_recent_edits(client):
    """Contributions come from packages' contributors; uses and edits from the person."""
    alice = member("alice")
    PackageFactory(title="Written", contributors=["bob", "Alice"])
    used = PackageFactory(title="Used")
    Mark.objects.create(user=alice, package=used, kind="use")
    Mark.objects.create(user=alice, package=PackageFactory(title="Secret"), kind="favourite")
    from packyard.catalog.services import package_update

    package_update(package=used, actor=alice, changes={"description": "Handy."})

    page = client.get("/profiles/alice/")

    assert re.search(r"Contributes to.*>Written<", page.text, re.DOTALL)
    assert re.search(r"Uses.*>Used<", page.text, re.DOTALL)
    assert "changed Used" in page.text
    assert "Secret" not in page.text


def test_favourites_show_only_when_shared_and_only_the_owner_edits(client):
    """Favourites are private until shared; a person edits their own profile only."""
    alice = member("alice")
    Mark.objects.create(user=alice, package=PackageFactory(title="Loved"), kind="favourite")
    client.force_login(member("bob"))
    assert client.post("/profiles/alice/edit/", {"name": "Hacked"}).status_code == 403

    client.force_login(alice)
    client.post("/profiles/alice/edit/", {"name": "Alice A.", "share_favourites": "on"})
    client.logout()

    page = client.get("/profiles/alice/")
    assert "Alice A." in page.text
    assert "Loved" in page.text


def test_an_unknown_profile_is_404(client):
    """No account with that login answers 404."""
    assert client.get("/profiles/nobody-here/").status_code == 404


def test_api_v3_users_link_to_profiles_that_exist(client):
    """The v3 users endpoint's absolute_url is a real profile page."""
    alice = member("alice")
    client.force_login(alice)

    url = client.get("/api/v3/users/alice/").json()["absolute_url"]

    assert client.get(url).status_code == 200


def test_new_accounts_see_why_they_cannot_edit_a_grid(client):
    """A new account sees no edit links on a grid, and the reason."""
    grid_with_cell()
    client.force_login(newcomer())

    page = client.get("/grids/g/storage/")

    assert "/cells/" not in page.text
    assert "you can edit grids once it is 7 days old" in page.text
