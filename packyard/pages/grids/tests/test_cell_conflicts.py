"""Two people saving the same grid cell from the same starting text: the second is told that it
changed meanwhile and shown both texts; nothing is overwritten silently, and the history has one
record per real save. Inline (htmx) and on the cell's own page."""

from __future__ import annotations

import os
import re
import threading

import pytest
from django.db import connection
from django.test import Client

from packyard.grids import services
from packyard.grids.models import Element
from packyard.history.models import Change
from tests.factories import FeatureFactory, GridFactory, GridPackageFactory, PackageFactory, member

ON_POSTGRESQL = "postgres" in os.environ.get("DATABASE_URL", "")
HTMX = {"HX-Request": "true"}
SAVE_QUERIES = 14
REFUSED_QUERIES = 12


def a_cell(text: str | None = "Yes, with boto3."):
    """A grid with one feature and one package, and the cell between them (when text is set)."""
    grid = GridFactory(title="Storage", slug="storage")
    membership = GridPackageFactory(grid=grid, package=PackageFactory(title="Alpha", slug="alpha"))
    feature = FeatureFactory(grid=grid, title="S3")
    if text is not None:
        services.element_set(grid_package=membership, feature=feature, text=text)
    return membership, feature, f"/grids/g/storage/cells/{feature.pk}/alpha/"


def version_in(html: str) -> str:
    [version] = re.findall(r'name="version" value="(\d+)"', html)
    return version


def people(*names: str) -> list[Client]:
    clients = []
    for name in names:
        person = Client()
        person.force_login(member(name))
        clients.append(person)
    return clients


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["inline", "own page"])
def test_the_second_save_from_the_same_text_is_refused_with_both_texts(headers):
    """Alice and Bob open the cell; Alice saves; Bob's save is refused, shows Alice's text and
    keeps his own in the box; saving again (having seen hers) replaces it."""
    _, _, url = a_cell()
    alice, bob = people("alice", "bob")
    alices_form = alice.get(url, headers=headers).text
    bobs_form = bob.get(url, headers=headers).text
    changes_before = Change.objects.count()

    alice.post(url, {"text": "Yes <b>and</b> MinIO", "version": version_in(alices_form)})
    refused = bob.post(
        url, {"text": "No, only local files", "version": version_in(bobs_form)}, headers=headers
    )

    assert refused.status_code == (200 if headers else 409)
    assert "This cell changed while you were editing it; nothing was saved." in refused.text
    assert "Its text now:" in refused.text
    assert "Yes &lt;b&gt;and&lt;/b&gt; MinIO" in refused.text
    assert "No, only local files</textarea>" in refused.text
    assert Element.objects.get().text == "Yes <b>and</b> MinIO"
    assert Change.objects.count() == changes_before + 1

    again = bob.post(
        url, {"text": "No, only local files", "version": version_in(refused.text)}, headers=headers
    )

    assert again.status_code == (200 if headers else 303)
    assert Element.objects.get().text == "No, only local files"
    assert Change.objects.count() == changes_before + 2


@pytest.mark.django_db
def test_two_people_filling_an_empty_cell_the_second_is_told():
    """A cell nobody wrote yet opens at version 0; the second first text is refused too."""
    _, _, url = a_cell(text=None)
    alice, bob = people("alice", "bob")
    assert version_in(alice.get(url).text) == "0"

    alice.post(url, {"text": "Yes", "version": "0"})
    refused = bob.post(url, {"text": "No", "version": "0"})

    assert refused.status_code == 409
    assert "Its text now:" in refused.text
    assert Element.objects.get().text == "Yes"


@pytest.mark.django_db
def test_saving_the_same_text_as_the_current_one_is_no_conflict():
    """Both wrote the same words: the second save changes nothing and is not refused."""
    _, _, url = a_cell()
    alice, bob = people("alice", "bob")
    version = version_in(alice.get(url).text)
    changes_before = Change.objects.count()

    alice.post(url, {"text": "Yes, with MinIO", "version": version})
    same = bob.post(url, {"text": "Yes, with MinIO", "version": version})

    assert same.status_code == 303
    assert Change.objects.count() == changes_before + 1


@pytest.mark.django_db
def test_the_cells_own_page_is_a_plain_form_and_the_inline_one_uses_htmx():
    """Opened without htmx, the form posts to its own address with no cell to swap."""
    _, _, url = a_cell()
    (alice,) = people("alice")

    page = alice.get(url).text
    inline = alice.get(url, headers=HTMX).text

    assert f'<form method="post" action="{url}" class="cell-form">' in page
    assert "hx-" not in page.split('<form method="post"')[1].split("</form>")[0]
    assert f'hx-post="{url}" hx-target="closest td"' in inline


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the race needs a database with concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_cell_at_the_same_moment_keep_one_and_refuse_the_other():
    """Both posts leave at once from the same version: one is saved, one is told (409)."""
    membership, feature, url = a_cell()
    alice, bob = people("alice", "bob")
    version = version_in(alice.get(url).text)
    start = threading.Barrier(2, timeout=10)
    answers: dict[str, int] = {}

    def save(person: Client, text: str) -> None:
        try:
            start.wait()
            answers[text] = person.post(url, {"text": text, "version": version}).status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(alice, "Alice's")),
        threading.Thread(target=save, args=(bob, "Bob's")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(answers.values()) == [303, 409]
    [kept] = [text for text, status in answers.items() if status == 303]
    cell = Element.objects.get(grid_package=membership, feature=feature)
    assert (cell.text, cell.version) == (kept, int(version) + 1)
    assert Change.objects.filter(summary__startswith="cell S3").count() == 2


@pytest.mark.django_db
def test_a_save_and_a_refused_save_take_a_fixed_number_of_queries(django_assert_num_queries):
    """The version check costs no query of its own beyond the compare-and-set UPDATE."""
    _, _, url = a_cell()
    alice, bob = people("alice", "bob")
    version = version_in(alice.get(url, headers=HTMX).text)
    bob.get(url, headers=HTMX)

    with django_assert_num_queries(SAVE_QUERIES):
        alice.post(url, {"text": "Yes", "version": version}, headers=HTMX)
    with django_assert_num_queries(REFUSED_QUERIES):
        refused = bob.post(url, {"text": "No", "version": version}, headers=HTMX)

    assert "Its text now:" in refused.text
