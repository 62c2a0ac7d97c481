"""Adding a repository that is listed already, or that someone else adds at the same moment:
one package, and the second person is shown the existing one."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection
from django.db.models.signals import pre_save
from django.test import Client

from packyard.catalog.models import Package
from packyard.history.models import Change
from tests.factories import CategoryFactory, PackageFactory, member

ON_POSTGRESQL = "postgres" in os.environ.get("DATABASE_URL", "")


def details(category_pk: int, *, slug: str) -> dict[str, object]:
    return {
        "step": "details",
        "repo_url": "https://github.com/Me/Django-Widgets",
        "title": f"Widgets {slug}",
        "slug": slug,
        "category": category_pk,
    }


@pytest.mark.django_db
def test_step_two_for_a_repository_listed_meanwhile_links_to_its_package(client):
    """Listed between step one and step two: the form's error links to the package; no copy."""
    client.force_login(member("alice"))
    existing = PackageFactory(
        title="<b>Widgets</b>",
        slug="widgets",
        repo_url="https://github.com/me/django-widgets",
        repo_key="github.com/me/django-widgets",
    )

    response = client.post("/packages/add/", details(CategoryFactory().pk, slug="widgets-2"))

    assert response.status_code == 400
    assert (
        'This repository is already listed as <a href="/packages/p/widgets/">'
        "&lt;b&gt;Widgets&lt;/b&gt;</a>" in response.text
    )
    assert 'value="Widgets widgets-2"' in response.text
    assert list(Package.objects.values_list("pk", flat=True)) == [existing.pk]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the race needs a database with concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_people_adding_the_same_repository_at_once_make_one_package():
    """Both pass the "already listed?" check, then insert together: the unique index lets one
    in, and the other person is sent to that package with a message instead of an error."""
    category = CategoryFactory()
    people = []
    for name in ("alice", "bob"):
        person = Client()
        person.force_login(member(name))
        people.append(person)
    both_checked = threading.Barrier(2, timeout=10)

    def insert_together(sender, instance, **kwargs):
        if instance.pk is None:
            both_checked.wait()

    answers: dict[str, object] = {}

    def add(person: Client, slug: str) -> None:
        try:
            answers[slug] = person.post("/packages/add/", details(category.pk, slug=slug))
        finally:
            connection.close()

    pre_save.connect(insert_together, sender=Package)
    try:
        threads = [
            threading.Thread(target=add, args=(person, slug))
            for person, slug in zip(people, ("first", "second"), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        pre_save.disconnect(insert_together, sender=Package)

    package = Package.objects.get()
    assert Change.objects.filter(subject_id=package.pk).count() == 1
    statuses = sorted(answer.status_code for answer in answers.values())
    assert statuses == [303, 303]
    assert {answer["Location"] for answer in answers.values()} == {package.get_absolute_url()}
    loser = next(
        p for p, s in zip(people, ("first", "second"), strict=True) if s not in package.slug
    )
    page = loser.get(package.get_absolute_url())
    assert f"{package.title} was listed a moment ago by someone else" in page.text
