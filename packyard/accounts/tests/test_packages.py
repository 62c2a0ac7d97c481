"""Community editing of packages: adding in two steps, editing, flags, deprecation proposals,
sites that use a package, favourites and "I use this", and staff review."""

from __future__ import annotations

import re

import pytest
from django_tasks_db.models import DBTaskResult

from packyard.accounts.models import Flag, Mark, Review, SiteEntry
from packyard.catalog.models import Package
from packyard.history.models import Change
from tests.factories import CategoryFactory, PackageFactory, member, newcomer, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    user = member("alice")
    client.force_login(user)
    return user


# --- Adding a package ------------------------------------------------------------------------


@pytest.mark.usefixtures("alice")
def test_step_one_normalises_the_url_and_fills_the_form(client):
    """A pasted ssh address becomes the https URL; the form is filled from its names."""
    response = client.post("/packages/add/", {"repo_url": "git@github.com:Me/Django-Widgets.git"})

    assert response.status_code == 200
    assert "Step 2 of 2" in response.text
    assert "https://github.com/Me/Django-Widgets" in response.text
    assert 'name="title" value="Django-Widgets"' in response.text
    assert 'name="slug" value="django-widgets"' in response.text
    assert 'name="pypi_name" value="Django-Widgets"' in response.text
    assert not Package.objects.exists()


@pytest.mark.usefixtures("alice")
def test_step_one_shows_the_package_already_listed_instead_of_a_duplicate(client):
    """The same repository in another spelling leads to the package that has it."""
    PackageFactory(
        title="Widgets",
        slug="widgets",
        repo_url="https://github.com/me/widgets",
        repo_key="github.com/me/widgets",
    )

    response = client.post("/packages/add/", {"repo_url": "http://www.github.com/ME/widgets/"})

    assert "Already listed." in response.text
    assert 'href="/packages/p/widgets/"' in response.text
    assert 'name="title"' not in response.text


@pytest.mark.usefixtures("alice")
def test_step_one_explains_an_address_that_is_not_a_repository(client):
    """An unsupported host is a 400 with the reason on the field; what was typed is kept."""
    response = client.post("/packages/add/", {"repo_url": "https://example.com/me/widgets"})

    assert response.status_code == 400
    assert "not a supported code host" in response.text
    assert 'value="https://example.com/me/widgets"' in response.text


@pytest.mark.usefixtures("alice")
def test_the_suggested_slug_is_free(client):
    """When the repository's name is taken as a slug, the next free one is suggested."""
    PackageFactory(slug="widgets", repo_url="https://github.com/a/widgets", repo_key="x")

    response = client.post("/packages/add/", {"repo_url": "https://github.com/me/widgets"})

    assert 'name="slug" value="widgets-2"' in response.text


def test_step_two_adds_the_package_records_it_and_queues_its_first_fetch(
    client, alice, django_capture_on_commit_callbacks
):
    """Saving adds the package (by its adder), records it, and fetches it within a minute."""
    category = CategoryFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/packages/add/",
            {
                "step": "details",
                "repo_url": "https://github.com/Me/Django-Widgets",
                "title": "Django Widgets",
                "slug": "django-widgets",
                "category": category.pk,
                "pypi_name": "django-widgets",
            },
            follow=True,
        )

    package = Package.objects.get()
    assert response.redirect_chain == [("/packages/p/django-widgets/", 303)]
    assert "its facts are fetched within a minute" in response.text
    assert (package.created_by, package.repo_key) == (alice, "github.com/me/django-widgets")
    assert Change.objects.get().actor == alice
    assert [task.args_kwargs["args"] for task in DBTaskResult.objects.all()] == [[package.pk]]


@pytest.mark.usefixtures("alice")
def test_step_two_keeps_what_was_typed_when_the_slug_is_taken(client):
    """A slug already used is a 400 naming the field; the other fields keep their values."""
    PackageFactory(slug="widgets")

    response = client.post(
        "/packages/add/",
        {
            "step": "details",
            "repo_url": "https://github.com/me/widgets",
            "title": "My widgets",
            "slug": "widgets",
            "category": CategoryFactory().pk,
        },
    )

    assert response.status_code == 400
    assert "Another package already has the slug" in response.text
    assert 'value="My widgets"' in response.text
    assert Package.objects.count() == 1


def test_new_accounts_cannot_add_packages_and_are_told_why(client):
    """An account younger than NEW_ACCOUNT_DAYS gets 403 with the reason."""
    client.force_login(newcomer())

    response = client.get("/packages/add/")

    assert response.status_code == 403
    assert "may only propose" in response.text


def test_new_account_days_is_configurable(client, settings):
    """With NEW_ACCOUNT_DAYS = 0 a day-old account may add packages."""
    settings.NEW_ACCOUNT_DAYS = 0
    client.force_login(newcomer())

    assert client.get("/packages/add/").status_code == 200


# --- The package page shows exactly the actions a person may take ---------------------------


def actions(response) -> list[str]:
    match = re.search(r'<section class="package-actions".*?</section>', response.text, re.DOTALL)
    assert match
    return re.findall(r">([^<>]+)</a></li>", match.group(0))


def test_the_package_page_shows_each_role_its_actions(client):
    """Anonymous people get a sign-in link; new accounts propose; members also edit."""
    PackageFactory(slug="alpha")

    assert actions(client.get("/packages/p/alpha/")) == [
        "History",
        "Sign in to edit, flag or mark it",
    ]
    client.force_login(newcomer())
    assert actions(client.get("/packages/p/alpha/")) == [
        "Flag wrong data",
        "Propose a deprecation",
        "Add a site that uses it",
        "History",
    ]
    client.force_login(member())
    assert actions(client.get("/packages/p/alpha/"))[0] == "Edit"


def test_editing_a_package_saves_and_reports_the_changed_fields(client, alice):
    """A member's edit is saved, attributed, and listed in the package's history."""
    package = PackageFactory(slug="alpha", description="Old.")

    response = client.post(
        "/packages/p/alpha/edit/",
        {
            "title": package.title,
            "category": package.category_id,
            "pypi_name": package.pypi_name,
            "description": "Stores files on S3 and elsewhere.",
        },
        follow=True,
    )

    assert "Saved: description." in response.text
    history = client.get("/packages/p/alpha/history/")
    assert "alice</a></strong>" in history.text
    assert "Stores files on S3 and elsewhere." in history.text


def test_edits_past_the_rate_limit_answer_429_and_change_nothing(client, alice, settings):
    """Past RATE_LIMITS["edits"] an edit answers 429 and is not saved."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "edits": "2/h"}
    package = PackageFactory(slug="alpha")
    form = {"title": "x", "category": package.category_id, "pypi_name": "alpha"}

    answers = [
        client.post("/packages/p/alpha/edit/", {**form, "title": f"Title {n}"}).status_code
        for n in range(3)
    ]

    assert answers == [303, 303, 429]
    package.refresh_from_db()
    assert package.title == "Title 1"


# --- Favourites and "I use this" -----------------------------------------------------------


def test_a_favourite_toggles_with_htmx_and_the_count_follows(client, alice):
    """Each click flips the mark; htmx gets only the marks, with the new count."""
    package = PackageFactory(slug="alpha")

    first = client.post("/packages/p/alpha/favourite/", headers={"HX-Request": "true"})
    second = client.post("/packages/p/alpha/favourite/", headers={"HX-Request": "true"})

    assert first.text.startswith('<div class="marks" id="marks-')
    assert 'aria-pressed="true"' in first.text
    assert '<span class="mark-count">1</span>' in first.text
    assert '<span class="mark-count">0</span>' in second.text
    assert not Mark.objects.filter(package=package).exists()


def test_a_mark_without_javascript_returns_to_the_page(client, alice):
    """Without htmx the form posts and the browser returns to where it was."""
    PackageFactory(slug="alpha")

    response = client.post("/packages/p/alpha/use/", {"next": "/grids/g/x/"})
    evil = client.post("/packages/p/alpha/use/", {"next": "https://evil.example/"})

    assert (response.status_code, response["Location"]) == (303, "/grids/g/x/")
    assert evil["Location"] == "/packages/p/alpha/"


def test_liked_lists_most_favourited_with_counts(client):
    """/packages/liked/ orders by favourites, then users, and shows both counts."""
    alpha, bravo, charlie = (PackageFactory(title=name) for name in ("Alpha", "Bravo", "Charlie"))
    people = [member() for _ in range(3)]
    for person in people:
        Mark.objects.create(user=person, package=bravo, kind="favourite")
    Mark.objects.create(user=people[0], package=alpha, kind="favourite")
    Mark.objects.create(user=people[0], package=alpha, kind="use")
    Mark.objects.create(user=people[1], package=charlie, kind="use")

    response = client.get("/packages/liked/")

    rows = re.findall(
        r'<a href="/packages/p/[^"]+/">([^<]+)</a>.*?'
        r'<td class="num">(\d+)</td><td class="num">(\d+)',
        response.text,
        re.DOTALL,
    )
    assert rows == [("Bravo", "3", "0"), ("Alpha", "1", "1"), ("Charlie", "0", "1")]


def test_the_package_list_shows_how_many_favourite_and_use_each(client):
    """Rows of /packages/ carry their favourite and "I use this" counts (when any)."""
    alpha = PackageFactory(title="Alpha")
    PackageFactory(title="Bravo")
    people = [member() for _ in range(2)]
    for person in people:
        Mark.objects.create(user=person, package=alpha, kind="favourite")
    Mark.objects.create(user=people[0], package=alpha, kind="use")

    text = client.get("/packages/").text

    assert "★ 2</span> · <span" in text
    assert "✓ 1 using" in text
    assert text.count('class="muted small marks-line"') == 1


@pytest.mark.parametrize("size", [3, 30])
def test_liked_takes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    """Data version, count and page: 3 queries for 3 or 30 liked packages."""
    person = member()
    for package in PackageFactory.create_batch(size):
        Mark.objects.create(user=person, package=package, kind="favourite")

    with django_assert_num_queries(3):
        client.get("/packages/liked/")


# --- Flags, deprecation, sites, and their review ----------------------------------------------


def test_a_flag_needs_a_reason_and_reaches_the_review_queue(client):
    """A flag without a reason is a 400 naming the field; with one it waits for staff."""
    PackageFactory(slug="alpha", title="Alpha")
    client.force_login(newcomer("nina"))

    empty = client.post("/packages/p/alpha/flag/", {"topic": "pypi", "reason": ""})
    sent = client.post("/packages/p/alpha/flag/", {"topic": "pypi", "reason": "Not on PyPI."})

    assert empty.status_code == 400
    assert "This field is required." in empty.text
    assert sent.status_code == 303
    client.force_login(staff())
    queue = client.get("/moderation/")
    assert "Not on PyPI." in queue.text
    assert "by nina" in queue.text


def test_flags_past_the_rate_limit_answer_429(client, settings):
    """Past RATE_LIMITS["flags"] a flag answers 429 and is not stored."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "flags": "1/h"}
    PackageFactory(slug="alpha")
    client.force_login(newcomer())

    client.post("/packages/p/alpha/flag/", {"topic": "spam", "reason": "Spam."})
    response = client.post("/packages/p/alpha/flag/", {"topic": "spam", "reason": "Spam!"})

    assert response.status_code == 429
    assert Flag.objects.count() == 1


def test_an_accepted_deprecation_marks_the_package_in_its_history(client):
    """Staff accept a proposal: the package is deprecated, replaced, and the edit recorded."""
    old = PackageFactory(slug="old", title="Old")
    PackageFactory(slug="new", title="New")
    client.force_login(newcomer("nina"))
    unknown = client.post("/packages/p/old/deprecate/", {"replaced_by": "nope", "reason": "x"})
    client.post("/packages/p/old/deprecate/", {"replaced_by": "new", "reason": "Archived."})
    assert unknown.status_code == 400
    assert "No package has the slug" in unknown.text

    boss = staff("boss")
    client.force_login(boss)
    proposal = old.deprecation_proposals.get()
    client.post(f"/moderation/deprecations/{proposal.pk}/", {"decision": "accept"})

    old.refresh_from_db()
    assert old.is_deprecated
    assert old.replaced_by.slug == "new"
    change = Change.objects.get()
    assert change.actor == boss
    assert change.summary == "Old: deprecated, as nina proposed"
    page = client.get("/packages/p/old/")
    assert 'Use <a href="/packages/p/new/">New</a> instead.' in page.text


def test_a_site_shows_once_accepted_and_links_nofollow_ugc(client):
    """A proposed site is hidden until staff accept it, then linked rel="nofollow ugc"."""
    PackageFactory(slug="alpha")
    client.force_login(newcomer())
    client.post(
        "/packages/p/alpha/sites/", {"name": "Big <b>site</b>", "url": "https://big.example/"}
    )
    duplicate = client.post(
        "/packages/p/alpha/sites/", {"name": "Again", "url": "https://big.example/"}
    )
    assert duplicate.status_code == 400
    assert "big.example" not in client.get("/packages/p/alpha/").text

    client.force_login(staff())
    entry = SiteEntry.objects.get()
    client.post(f"/moderation/sites/{entry.pk}/", {"decision": "accept"})

    page = client.get("/packages/p/alpha/")
    assert (
        '<a href="https://big.example/" rel="nofollow ugc noopener">Big &lt;b&gt;site&lt;/b&gt;</a>'
        in page.text
    )
    entry.refresh_from_db()
    assert entry.status == Review.ACCEPTED


def test_a_site_address_must_be_http(client):
    """A javascript: or ftp address is refused, naming the field."""
    PackageFactory(slug="alpha")
    client.force_login(newcomer())

    response = client.post("/packages/p/alpha/sites/", {"name": "x", "url": "javascript:alert(1)"})

    assert response.status_code == 400
    assert not SiteEntry.objects.exists()


def test_a_review_twice_says_it_was_done(client):
    """Reviewing a proposal already reviewed changes nothing and says so."""
    package = PackageFactory()
    flag = Flag.objects.create(package=package, topic="spam", reason="x")
    client.force_login(staff())

    client.post(f"/moderation/flags/{flag.pk}/", {"decision": "reject"})
    response = client.post(f"/moderation/flags/{flag.pk}/", {"decision": "accept"}, follow=True)

    flag.refresh_from_db()
    assert flag.status == Review.REJECTED
    assert "already rejected" in response.text


@pytest.mark.parametrize(
    "name", ["django foo", "-django-foo", "django-foo-", "django/foo", "djangø", "<b>x</b>"]
)
def test_a_pypi_name_that_pip_could_not_install_is_refused_and_nothing_saved(client, alice, name):
    """The PyPI name must be a project name (PEP 508): the form says so and nothing changes."""
    package = PackageFactory(slug="alpha", pypi_name="django-alpha")

    response = client.post(
        "/packages/p/alpha/edit/",
        {"title": package.title, "category": package.category_id, "pypi_name": name},
    )

    assert response.status_code == 400
    assert "Not a PyPI project name" in response.text
    package.refresh_from_db()
    assert package.pypi_name == "django-alpha"


@pytest.mark.parametrize("name", ["django-foo", "Django_Foo", "zope.interface", "a", "x2"])
def test_valid_pypi_names_are_taken_as_written(client, alice, name):
    """Names pip installs are saved as written (PyPI normalises case, `_` and `.` itself)."""
    package = PackageFactory(slug="alpha", pypi_name="django-alpha")

    response = client.post(
        "/packages/p/alpha/edit/",
        {"title": package.title, "category": package.category_id, "pypi_name": name},
    )

    assert response.status_code in {302, 303}
    package.refresh_from_db()
    assert package.pypi_name == name
