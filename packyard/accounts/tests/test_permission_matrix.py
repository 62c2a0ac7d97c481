"""Every URL of the project, classified, and walked as every role.

The URL resolver lists every address; each one must be classified below, as a read-only page,
an address that changes data (with what each role gets: sent to sign in, 403, or success), a
sign-in address, the signed webhook, or the admin. A new address fails
`test_every_url_is_classified` until someone says which it is.

- `test_a_change_answers_each_role_as_the_policy_says`: each mutating address as each role:
  the answer, and a refused request changes nothing (every table is compared);
- `test_get_changes_nothing`: every address by GET as every role leaves the database as it
  was;
- `test_read_only_addresses_refuse_or_ignore_posts`: a POST to a read-only address changes
  nothing either;
- `test_every_form_needs_the_csrf_token`: each mutating address refuses a POST without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve
from django_tasks_db.models import DBTaskResult

from tests.world import (
    ROLES,
    World,
    build_world,
    differences,
    every_url,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _github_configured(settings):
    """GitHub sign-in is set up (at an address no test reaches: only redirects point there)."""
    settings.GITHUB_CLIENT_ID = "matrix-client"
    settings.GITHUB_CLIENT_SECRET = "matrix-secret"
    settings.GITHUB_OAUTH_URL = "http://127.0.0.1:9"
    settings.GITHUB_API_URL = "http://127.0.0.1:9/api"


LOGIN = "login"  # Sent to sign in (302 to /accounts/login/?next=...).
FORBIDDEN = "403"  # Refused with 403 and the reason.
OK = "ok"  # Done: an answer below 400 and something changed.
UNCHANGED = "unchanged"  # Answered below 400 (or 401/405 where noted) and nothing changed.
NOT_ALLOWED = "405"  # The method is not accepted.

EDITORS = {"anonymous": LOGIN, "newcomer": FORBIDDEN, "member": OK, "steward": OK, "staff": OK}
LOCKED = {
    "anonymous": LOGIN,
    "newcomer": FORBIDDEN,
    "member": FORBIDDEN,
    "steward": OK,
    "staff": OK,
}
STEWARDS = {
    "anonymous": LOGIN,
    "newcomer": FORBIDDEN,
    "member": FORBIDDEN,
    "steward": OK,
    "staff": OK,
}
STAFF = {
    "anonymous": LOGIN,
    "newcomer": FORBIDDEN,
    "member": FORBIDDEN,
    "steward": FORBIDDEN,
    "staff": OK,
}
MEMBERS = {"anonymous": LOGIN, "newcomer": OK, "member": OK, "steward": OK, "staff": OK}
NOBODY_CHANGES = dict.fromkeys(ROLES, UNCHANGED)


@dataclass
class Spec:
    """One way to call a mutating address: the path, the form, and each role's answer."""

    name: str
    path: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    expect: dict[str, str]
    variant: str = ""
    method: str = "post"
    check: Callable[[World], None] | None = None  # Extra assertion after a success.

    @property
    def id(self) -> str:
        return f"{self.name}{'@' + self.variant if self.variant else ''}"


def _package_form(world: World, **changes: Any) -> dict[str, Any]:
    package = world.package
    data = {
        "title": package.title,
        "slug": package.slug,
        "repo_url": package.repo_url,
        "category": package.category_id,
        "pypi_name": package.pypi_name,
        "documentation_url": "",
        "description": "Stores files.",
    }
    return {**data, **changes}


def _repository_unchanged(world: World) -> None:
    world.package.refresh_from_db()
    assert world.package.repo_url == "https://github.com/owner/alpha"
    assert world.package.slug == "alpha"


def _repository_changed(world: World) -> None:
    world.package.refresh_from_db()
    assert world.package.repo_url == "https://github.com/owner/alpha-moved"
    assert world.package.slug == "alpha-moved"


SPECS = [
    # Packages.
    Spec(
        "catalog:package_add",
        lambda w: "/packages/add/",
        lambda w: {
            "step": "details",
            "repo_url": "https://github.com/someone/django-new",
            "title": "django-new",
            "slug": "django-new",
            "category": w.package.category_id,
            "pypi_name": "django-new",
        },
        EDITORS,
    ),
    Spec(
        "catalog:package_add",
        lambda w: "/packages/add/",
        lambda w: {"repo_url": "git@github.com:someone/django-new.git"},
        {**EDITORS, "member": UNCHANGED, "steward": UNCHANGED, "staff": UNCHANGED},
        variant="step-one",
    ),
    Spec(
        "catalog:package_edit",
        lambda w: "/packages/p/alpha/edit/",
        lambda w: _package_form(w, title="Alpha, renamed"),
        {**EDITORS, "steward": OK},
    ),
    Spec(
        "catalog:package_edit",
        lambda w: "/packages/p/alpha/edit/",
        lambda w: _package_form(
            w, repo_url="https://github.com/owner/alpha-moved", slug="alpha-moved"
        ),
        {**EDITORS, "member": UNCHANGED},
        variant="repository-and-slug",
    ),
    Spec(
        "catalog:package_revert",
        lambda w: f"/packages/p/alpha/history/{w.package_change.pk}/revert/",
        lambda w: {},
        STAFF,
    ),
    Spec("refresh:package_fetch", lambda w: "/packages/p/alpha/fetch/", lambda w: {}, MEMBERS),
    # Marks and proposals.
    Spec("accounts:favourite", lambda w: "/packages/p/alpha/favourite/", lambda w: {}, MEMBERS),
    Spec("accounts:use", lambda w: "/packages/p/alpha/use/", lambda w: {}, MEMBERS),
    Spec(
        "accounts:flag",
        lambda w: "/packages/p/alpha/flag/",
        lambda w: {"topic": "description", "reason": "It is not about storage."},
        MEMBERS,
    ),
    Spec(
        "accounts:deprecate",
        lambda w: "/packages/p/alpha/deprecate/",
        lambda w: {"replaced_by": "bravo", "reason": "Archived upstream."},
        MEMBERS,
    ),
    Spec(
        "accounts:site_add",
        lambda w: "/packages/p/alpha/sites/",
        lambda w: {"name": "Big site", "url": "https://big.example.org/"},
        MEMBERS,
    ),
    Spec(
        "accounts:profile_edit",
        lambda w: "/profiles/regular/edit/",
        lambda w: {"name": "Regular Person", "bio": "Hello.", "share_favourites": "on"},
        {
            "anonymous": LOGIN,
            "newcomer": FORBIDDEN,
            "member": OK,
            "steward": FORBIDDEN,
            "staff": FORBIDDEN,
        },
    ),
    Spec(
        "accounts:review_flag",
        lambda w: f"/moderation/flags/{w.flag.pk}/",
        lambda w: {"decision": "accept"},
        STAFF,
    ),
    Spec(
        "accounts:review_deprecation",
        lambda w: f"/moderation/deprecations/{w.proposal.pk}/",
        lambda w: {"decision": "accept"},
        STAFF,
    ),
    Spec(
        "accounts:review_site",
        lambda w: f"/moderation/sites/{w.site.pk}/",
        lambda w: {"decision": "accept"},
        STAFF,
    ),
    # Grids.
    Spec(
        "grids:grid_add",
        lambda w: "/grids/add/",
        lambda w: {"title": "Queues", "slug": "queues", "description": "Work later."},
        EDITORS,
    ),
    Spec(
        "grids:grid_edit",
        lambda w: "/grids/g/storage/edit/",
        lambda w: {"title": "Storage, renamed", "slug": "storage", "description": ""},
        EDITORS,
    ),
    Spec(
        "grids:grid_edit",
        lambda w: "/grids/g/locked/edit/",
        lambda w: {"title": "Locked, renamed", "slug": "locked", "description": ""},
        LOCKED,
        variant="locked",
    ),
    Spec(
        "grids:grid_edit",
        lambda w: "/grids/g/storage/edit/",
        lambda w: {
            "title": "Storage",
            "slug": "storage-moved",
            "description": w.grid.description,
            "is_locked": "on",
        },
        {**EDITORS, "member": UNCHANGED},
        variant="slug-and-lock",
    ),
    Spec(
        "grids:package_add",
        lambda w: "/grids/g/storage/packages/add/",
        lambda w: {"package": "bravo"},
        EDITORS,
    ),
    Spec(
        "grids:package_add",
        lambda w: "/grids/g/locked/packages/add/",
        lambda w: {"package": "bravo"},
        LOCKED,
        variant="locked",
    ),
    Spec(
        "grids:package_remove",
        lambda w: "/grids/g/storage/packages/alpha/remove/",
        lambda w: {},
        STEWARDS,
    ),
    Spec(
        "grids:package_remove",
        lambda w: "/grids/g/locked/packages/alpha/remove/",
        lambda w: {},
        STEWARDS,
        variant="locked",
    ),
    Spec(
        "grids:feature_add",
        lambda w: "/grids/g/storage/features/add/",
        lambda w: {"title": "Google Cloud", "description": ""},
        EDITORS,
    ),
    Spec(
        "grids:feature_add",
        lambda w: "/grids/g/locked/features/add/",
        lambda w: {"title": "Google Cloud", "description": ""},
        LOCKED,
        variant="locked",
    ),
    Spec(
        "grids:feature_edit",
        lambda w: f"/grids/g/storage/features/{w.feature.pk}/edit/",
        lambda w: {"title": "Amazon S3", "description": ""},
        EDITORS,
    ),
    Spec(
        "grids:feature_edit",
        lambda w: f"/grids/g/locked/features/{w.locked_feature.pk}/edit/",
        lambda w: {"title": "Google Cloud Storage", "description": ""},
        LOCKED,
        variant="locked",
    ),
    Spec(
        "grids:feature_move",
        lambda w: f"/grids/g/storage/features/{w.feature.pk}/move/",
        lambda w: {"direction": "down"},
        EDITORS,
    ),
    Spec(
        "grids:feature_delete",
        lambda w: f"/grids/g/storage/features/{w.feature.pk}/delete/",
        lambda w: {},
        STEWARDS,
    ),
    Spec(
        "grids:feature_delete",
        lambda w: f"/grids/g/locked/features/{w.locked_feature.pk}/delete/",
        lambda w: {},
        STEWARDS,
        variant="locked",
    ),
    Spec(
        "grids:cell",
        lambda w: f"/grids/g/storage/cells/{w.feature.pk}/alpha/",
        lambda w: {"text": "**yes**, with `boto3`"},
        EDITORS,
    ),
    Spec(
        "grids:cell",
        lambda w: f"/grids/g/locked/cells/{w.locked_feature.pk}/alpha/",
        lambda w: {"text": "no"},
        LOCKED,
        variant="locked",
    ),
    Spec(
        "grids:grid_revert",
        lambda w: f"/grids/g/storage/history/{w.grid_change.pk}/revert/",
        lambda w: {},
        STAFF,
    ),
    # Other apps' addresses that change data.
    Spec(
        "scoring:package_status",
        lambda w: "/packages/p/alpha/status/",
        lambda w: {"deprecated": "on", "replaced_by": "bravo", "note": "Use Bravo."},
        # Stewards save the note and "needs a maintainer"; deprecation stays with staff
        # (test_a_steward_cannot_deprecate_but_can_ask_for_a_maintainer).
        STEWARDS,
    ),
    # Sign-in addresses: they change who is signed in (sessions), never data.
    Spec(
        "account_login",
        lambda w: "/accounts/login/",
        lambda w: {"login": "nobody", "password": "wrong"},
        NOBODY_CHANGES,
    ),
    Spec("account_logout", lambda w: "/accounts/logout/", lambda w: {}, NOBODY_CHANGES),
    Spec(
        "github_login",
        lambda w: "/accounts/github/login/",
        lambda w: {"process": "login"},
        NOBODY_CHANGES,
    ),
    Spec(
        "github_callback",
        lambda w: "/accounts/github/login/callback/?code=forged&state=forged",
        lambda w: {},
        NOBODY_CHANGES,
        method="get",
    ),
    Spec(
        "socialaccount_signup",
        lambda w: "/accounts/3rdparty/signup/",
        lambda w: {"username": "sneaky"},
        NOBODY_CHANGES,
    ),
    # Signed by GitHub with a shared secret, not by a session: refused to everyone unsigned.
    Spec(
        "refresh:github_webhook",
        lambda w: "/webhooks/github/",
        lambda w: {},
        dict.fromkeys(ROLES, FORBIDDEN),
    ),
    # Computes a report from the posted text; stores nothing.
    Spec(
        "scoring:upgrade",
        lambda w: "/upgrade/",
        lambda w: {"requirements": "django-alpha==1.0"},
        NOBODY_CHANGES,
    ),
]

# Read-only addresses, with a path to GET for each (POSTs to them must change nothing).
READ_ONLY: dict[str, Callable[[World], list[str]]] = {
    "home": lambda w: ["/"],
    "health": lambda w: ["/health/"],
    "robots": lambda w: ["/robots.txt"],
    "sitemap": lambda w: ["/sitemap.xml"],
    "sitemap_section": lambda w: ["/sitemap-packages.xml", "/sitemap-static.xml"],
    "dump:index": lambda w: ["/dump/"],
    "dump:manifest": lambda w: ["/dump/manifest.json"],
    "dump:file": lambda w: ["/dump/packages.jsonl.gz"],
    "apiv4:package-list": lambda w: ["/api/v4/packages/", "/api/v4/packages.json"],
    "apiv4:package-detail": lambda w: ["/api/v4/packages/alpha/", "/api/v4/packages/alpha.json"],
    "apiv4:search-list": lambda w: ["/api/v4/search/?q=alpha", "/api/v4/search.json?q=alpha"],
    "apiv4:grid-list": lambda w: ["/api/v4/grids/", "/api/v4/grids.json"],
    "apiv4:grid-detail": lambda w: ["/api/v4/grids/storage/", "/api/v4/grids/storage.json"],
    "apiv4:category-list": lambda w: ["/api/v4/categories/", "/api/v4/categories.json"],
    "apiv4:category-detail": lambda w: ["/api/v4/categories/apps/", "/api/v4/categories/apps.json"],
    "apiv4:api-root": lambda w: ["/api/v4/", "/api/v4/.json"],
    "apiv5:api-root": lambda w: ["/api/v5/"],
    "apiv5:schema": lambda w: ["/api/v5/schema/"],
    "apiv5:docs": lambda w: ["/api/v5/docs/"],
    "apiv5:search": lambda w: ["/api/v5/search/?q=alpha"],
    "apiv5:package-list": lambda w: ["/api/v5/packages/", "/api/v5/packages/?grid=storage"],
    "apiv5:package-detail": lambda w: ["/api/v5/packages/alpha/"],
    "apiv5:package-releases": lambda w: ["/api/v5/packages/alpha/releases/"],
    "apiv5:grid-list": lambda w: ["/api/v5/grids/"],
    "apiv5:grid-detail": lambda w: ["/api/v5/grids/storage/"],
    "apiv5:category-list": lambda w: ["/api/v5/categories/"],
    "apiv5:category-detail": lambda w: ["/api/v5/categories/apps/"],
    "apiv3:grid_list": lambda w: ["/api/v3/grids/"],
    "apiv3:grid_detail": lambda w: ["/api/v3/grids/storage/"],
    "apiv3:grid_packages_list": lambda w: ["/api/v3/grids/storage/packages/"],
    "apiv3:package_list": lambda w: ["/api/v3/packages/"],
    "apiv3:package_detail": lambda w: ["/api/v3/packages/alpha/"],
    "apiv3:category_list": lambda w: ["/api/v3/categories/"],
    "apiv3:category_detail": lambda w: ["/api/v3/categories/apps/"],
    "apiv3:user_detail": lambda w: ["/api/v3/users/regular/"],
    "apiv3:user_list": lambda w: ["/api/v3/users/"],
    "apiv3:index": lambda w: ["/api/v3/"],
    "api-v1-gone": lambda w: ["/api/v1/packages/"],
    "api-not-found": lambda w: ["/api/v9/"],
    # MCP: a GET is a 405; a POST runs read-only tools (a form POST is not JSON-RPC: a 4xx).
    "mcp": lambda w: ["/mcp/"],
    "catalog:package_list": lambda w: ["/packages/", "/packages/?q=alpha&sort=title"],
    "catalog:package_latest": lambda w: ["/packages/latest/"],
    "catalog:package": lambda w: ["/packages/p/alpha/"],
    "catalog:package_history": lambda w: ["/packages/p/alpha/history/"],
    "catalog:category": lambda w: ["/categories/apps/"],
    "catalog:feed_rss": lambda w: ["/feeds/packages/latest/rss/"],
    "catalog:feed_atom": lambda w: ["/feeds/packages/latest/atom/"],
    "grids:grid_list": lambda w: ["/grids/"],
    "grids:grid": lambda w: ["/grids/g/storage/", "/grids/g/locked/"],
    "grids:grid_history": lambda w: ["/grids/g/storage/history/"],
    "compatibility:readiness": lambda w: ["/readiness/"],
    "compatibility:readiness_cycle": lambda w: ["/readiness/django/5.2/"],
    "open:statistics": lambda w: ["/open/"],
    "open:score_badge": lambda w: ["/badges/alpha/score.svg"],
    "open:django_badge": lambda w: ["/badges/alpha/django.svg"],
    "open:package_card": lambda w: ["/cards/packages/alpha.png"],
    "open:grid_card": lambda w: ["/cards/grids/storage.png"],
    "open:llms_txt": lambda w: ["/llms.txt"],
    "scoring:package_score": lambda w: ["/packages/p/alpha/score/"],
    "search:search": lambda w: ["/search/", "/search/?q=alpha"],
    "search:suggest": lambda w: ["/search/suggest/?q=alp"],
    "search:api": lambda w: ["/search/api/?q=alpha"],
    "search:opensearch_suggest": lambda w: ["/search/opensearch/suggest/?q=alp"],
    "search:opensearch": lambda w: ["/opensearch.xml"],
    "account_inactive": lambda w: ["/accounts/inactive/"],
    "socialaccount_login_cancelled": lambda w: ["/accounts/3rdparty/login/cancelled/"],
    "socialaccount_login_error": lambda w: ["/accounts/3rdparty/login/error/"],
    "accounts:profile": lambda w: ["/profiles/regular/", "/profiles/boss-on-github/"],
    "accounts:liked": lambda w: ["/packages/liked/"],
    "accounts:review": lambda w: ["/moderation/"],
}

# Pages that show a form by GET and change data by POST: their GET paths.
FORM_PAGES: dict[str, Callable[[World], list[str]]] = {
    "catalog:package_add": lambda w: ["/packages/add/"],
    "catalog:package_edit": lambda w: ["/packages/p/alpha/edit/"],
    "grids:grid_add": lambda w: ["/grids/add/"],
    "grids:grid_edit": lambda w: ["/grids/g/storage/edit/", "/grids/g/locked/edit/"],
    "grids:package_add": lambda w: [
        "/grids/g/storage/packages/add/",
        "/grids/g/storage/packages/add/?q=bra",
    ],
    "grids:feature_add": lambda w: ["/grids/g/storage/features/add/"],
    "grids:feature_edit": lambda w: [f"/grids/g/storage/features/{w.feature.pk}/edit/"],
    "grids:cell": lambda w: [
        f"/grids/g/storage/cells/{w.feature.pk}/alpha/",
        f"/grids/g/storage/cells/{w.feature.pk}/alpha/?show=1",
    ],
    "accounts:flag": lambda w: ["/packages/p/alpha/flag/"],
    "accounts:deprecate": lambda w: ["/packages/p/alpha/deprecate/"],
    "accounts:site_add": lambda w: ["/packages/p/alpha/sites/"],
    "accounts:profile_edit": lambda w: ["/profiles/regular/edit/"],
    "scoring:package_status": lambda w: ["/packages/p/alpha/status/"],
    "scoring:upgrade": lambda w: ["/upgrade/", "/upgrade/?requirements=django-alpha"],
    "account_login": lambda w: ["/accounts/login/", "/accounts/login/?next=/grids/"],
    "account_logout": lambda w: ["/accounts/logout/"],
    "github_login": lambda w: ["/accounts/github/login/"],
    "github_callback": lambda w: [
        "/accounts/github/login/callback/",
        "/accounts/github/login/callback/?code=forged&state=forged",
    ],
    "socialaccount_signup": lambda w: ["/accounts/3rdparty/signup/"],
    "refresh:package_fetch": lambda w: ["/packages/p/alpha/fetch/"],
    "refresh:github_webhook": lambda w: ["/webhooks/github/"],
    "accounts:favourite": lambda w: ["/packages/p/alpha/favourite/"],
    "accounts:use": lambda w: ["/packages/p/alpha/use/"],
    "catalog:package_revert": lambda w: [
        f"/packages/p/alpha/history/{w.package_change.pk}/revert/"
    ],
    "grids:package_remove": lambda w: ["/grids/g/storage/packages/alpha/remove/"],
    "grids:feature_move": lambda w: [f"/grids/g/storage/features/{w.feature.pk}/move/"],
    "grids:feature_delete": lambda w: [f"/grids/g/storage/features/{w.feature.pk}/delete/"],
    "grids:grid_revert": lambda w: [f"/grids/g/storage/history/{w.grid_change.pk}/revert/"],
    "accounts:review_flag": lambda w: [f"/moderation/flags/{w.flag.pk}/"],
    "accounts:review_deprecation": lambda w: [f"/moderation/deprecations/{w.proposal.pk}/"],
    "accounts:review_site": lambda w: [f"/moderation/sites/{w.site.pk}/"],
}

MUTATING = {spec.name for spec in SPECS}


def is_admin(name: str) -> bool:
    return name.startswith(("admin:", "admin/"))


def client_as(role: str, world: World, **options: Any) -> Client:
    client = Client(**options)
    if world.user(role) is not None:
        client.force_login(world.user(role))
    return client


def outcome(response, before: dict, after: dict) -> str:
    """Name what a response did: sent to sign in, refused, done, or nothing."""
    changed = differences(before, after)
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="):
        assert not changed, f"sent to sign in but {changed} changed"
        return LOGIN
    if response.status_code == 403:
        assert not changed, f"refused but {changed} changed"
        return FORBIDDEN
    if response.status_code == 405:
        assert not changed, f"405 but {changed} changed"
        return NOT_ALLOWED
    assert response.status_code < 500, response.status_code
    if changed:
        assert response.status_code < 400, (response.status_code, changed)
        return OK
    return UNCHANGED


# --- Every URL is classified ---------------------------------------------------------------


def test_every_url_is_classified():
    """Every address the URL resolver knows is read-only, mutating (with a spec), or admin."""
    names = {name for name, _ in every_url()}
    unclassified = sorted(
        name for name in names if not is_admin(name) and name not in READ_ONLY | FORM_PAGES
    )
    mutating_without_spec = sorted(name for name in FORM_PAGES if name not in MUTATING)

    assert unclassified == [], "classify these addresses in test_permission_matrix.py"
    assert mutating_without_spec == [], "give these mutating addresses a Spec"
    assert not set(READ_ONLY) & MUTATING
    assert set(READ_ONLY) | set(FORM_PAGES) <= names | {"api-v1-gone"}, "stale entries"


def test_each_listed_path_resolves_to_its_name():
    """The paths the tests request are the addresses they claim to be."""
    world = build_world()
    for name, paths in {**READ_ONLY, **FORM_PAGES}.items():
        for path in paths(world):
            match = resolve(path.split("?")[0])
            shown = ":".join([*match.namespaces, match.url_name]) if match.url_name else ""
            assert shown == name or match.route.startswith(name.split(":")[-1]), (name, path)


# --- Mutating addresses, as each role ------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.id)
def test_a_change_answers_each_role_as_the_policy_says(
    spec, role, django_capture_on_commit_callbacks
):
    """The answer is the expected one for the role, and a refused request changes nothing."""
    world = build_world()
    client = client_as(role, world)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, spec.method)(spec.path(world), spec.data(world))

    got = outcome(response, before, snapshot())
    assert got == spec.expect[role], (spec.id, role, response.status_code)
    if got == LOGIN:
        assert f"next={spec.path(world).split('?')[0]}" in response["Location"]


def test_a_member_cannot_change_a_repository_or_slug_but_a_steward_can(client):
    """The edit form ignores a member's repository URL and slug; a steward's are saved."""
    world = build_world()
    data = _package_form(world, repo_url="https://github.com/owner/alpha-moved", slug="alpha-moved")

    client.force_login(world.user("member"))
    page = client.get("/packages/p/alpha/edit/")
    client.post("/packages/p/alpha/edit/", data)
    _repository_unchanged(world)
    assert 'name="repo_url"' not in page.text

    client.force_login(world.user("steward"))
    assert 'name="repo_url"' in client.get("/packages/p/alpha/edit/").text
    client.post("/packages/p/alpha/edit/", data)
    _repository_changed(world)


def test_a_queued_fetch_is_the_change_of_the_fetch_button(
    client, django_capture_on_commit_callbacks
):
    """A member's press queues one fetch task (that is the change the matrix sees)."""
    world = build_world()
    client.force_login(world.user("newcomer"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/packages/p/alpha/fetch/")

    assert [result.args_kwargs["args"] for result in DBTaskResult.objects.all()] == [
        [world.package.pk]
    ]


# --- GET never changes anything ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_get_changes_nothing(role, django_capture_on_commit_callbacks):
    """Every address, by GET, as this role, leaves every table as it was."""
    world = build_world()
    client = client_as(role, world)
    paths = [
        (name, path) for name, get in {**READ_ONLY, **FORM_PAGES}.items() for path in get(world)
    ]
    before = snapshot()
    failures = []
    for name, path in paths:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.get(path)
        if callbacks or response.status_code >= 500:
            failures.append((name, path, response.status_code, len(callbacks)))
    if differences(before, snapshot()):
        failures += culprits(client, paths, method="get")
    assert failures == []


def culprits(client, paths, *, method: str) -> list[tuple[str, str, list[str]]]:
    """Request each path again, one at a time, and name those that changed a table."""
    found = []
    for name, path in paths:
        before = snapshot()
        getattr(client, method)(path)
        if changed := differences(before, snapshot()):
            found.append((name, path, changed))
    return found or [("?", "?", ["something changed between requests"])]


def test_admin_pages_change_nothing_by_get(admin_client):
    """Every admin address without arguments, by GET as a superuser, changes nothing."""
    build_world()
    paths = [
        (name, "/" + route.replace("^", "").replace("$", ""))
        for name, route in every_url()
        if is_admin(name) and "<" not in route and "(?P" not in route
    ]
    before = snapshot()
    failures = []
    for name, path in paths:
        response = admin_client.get(path)
        if response.status_code >= 500:
            failures.append((name, path, response.status_code))
    if differences(before, snapshot()):
        failures += culprits(admin_client, paths, method="get")
    assert failures == []


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_admin_is_for_staff_only(role):
    """Every admin address sends people who are not staff to the admin's sign-in, changing
    nothing, whatever they post."""
    world = build_world()
    client = client_as(role, world)
    paths = []
    for name, route in every_url():
        path = "/" + route
        for argument in ("<path:object_id>", "<int:user_id>", "<id>"):
            path = path.replace(argument, str(world.package.pk))
        if is_admin(name) and not ("<" in path or "(?P" in path or "^" in path):
            paths.append((name, path))
    before = snapshot()
    failures = []
    for name, path in paths:
        response = client.post(path, {"title": "hijacked", "post": "yes"})
        refused = response.status_code in (302, 403, 404, 405) and (
            response.status_code != 302 or "/admin/login/" in response["Location"]
        )
        # The admin's own sign-in and sign-out pages answer anyone; they change no data.
        if not (refused or name in {"admin:login", "admin:logout"}):
            failures.append((name, path, response.status_code))
    if differences(before, snapshot()):
        failures += culprits(client, paths, method="post")
    assert failures == []


# --- Read-only addresses ignore POSTs --------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "member", "staff"])
def test_read_only_addresses_refuse_or_ignore_posts(role):
    """A POST to a read-only address changes nothing; the site's own pages answer 405."""
    world = build_world()
    client = client_as(role, world)
    paths = [(name, path) for name, get in READ_ONLY.items() for path in get(world)]
    before = snapshot()
    failures = []
    for name, path in paths:
        response = client.post(path, {"title": "x", "text": "x"})
        pages = name.startswith(("catalog:", "grids:", "accounts:")) and "feed" not in name
        if response.status_code >= 500 or (pages and response.status_code != 405):
            failures.append((name, path, response.status_code))
    if differences(before, snapshot()):
        failures += culprits(client, paths, method="post")
    assert failures == []


# --- CSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec", [spec for spec in SPECS if spec.method == "post"], ids=lambda s: s.id
)
def test_every_form_needs_the_csrf_token(spec):
    """Without the CSRF token a POST is refused with 403 and changes nothing, even for staff."""
    world = build_world()
    client = client_as("staff", world, enforce_csrf_checks=True)
    before = snapshot()

    response = client.post(spec.path(world), spec.data(world))

    assert response.status_code == 403
    assert differences(before, snapshot()) == []


def _contributor(world):
    """A member who is one of the package's GitHub contributors, so a steward, not appointed."""
    from tests.factories import ProfileFactory

    user = ProfileFactory(github_login="rival").user
    world.package.contributors = ["someone-else", "Rival"]
    world.package.save(update_fields=["contributors"])
    return user


def test_an_appointed_maintainer_deprecates_and_replaces(client):
    """The written rule: a package's appointed maintainers (and staff) deprecate and replace."""
    world = build_world()
    client.force_login(world.user("steward"))

    response = client.post(
        "/packages/p/alpha/status/", {"deprecated": "on", "replaced_by": "bravo", "note": "Moved."}
    )

    assert response.status_code == 303
    world.package.refresh_from_db()
    assert world.package.deprecated_at is not None
    assert world.package.replaced_by.slug == "bravo"


def test_a_contributor_asks_for_a_maintainer_but_cannot_deprecate(client):
    """A contributor (a rival fork's author, perhaps) may say "needs a maintainer" only; a
    POST that deprecates or replaces is refused whole with 403, and nothing is saved."""
    from packyard.scoring.models import PackageStatus

    world = build_world()
    client.force_login(_contributor(world))

    page = client.get("/packages/p/alpha/status/")
    refused = client.post(
        "/packages/p/alpha/status/",
        {"deprecated": "on", "replaced_by": "bravo", "needs_maintainer": "on", "note": "Mine!"},
    )
    replaced = client.post("/packages/p/alpha/status/", {"replaced_by": "bravo"})
    asked = client.post("/packages/p/alpha/status/", {"needs_maintainer": "on", "note": "Help!"})

    assert page.status_code == 200
    assert 'name="deprecated" disabled' in page.text
    assert "maintainers and staff decide this" in page.text
    assert (refused.status_code, replaced.status_code) == (403, 403)
    assert "propose it from the package" in refused.text
    assert asked.status_code == 303
    package = world.package
    package.refresh_from_db()
    assert package.deprecated_at is None
    assert package.replaced_by is None
    status = PackageStatus.objects.get(package=package)
    assert (status.needs_maintainer, status.note) == (True, "Help!")


def test_the_package_page_offers_each_person_only_their_status_action(client):
    """Maintainers and staff see "Set this package's status"; contributors "needs a maintainer";
    other members neither."""
    world = build_world()
    wording = {}
    for name, user in [
        ("maintainer", world.user("steward")),
        ("staff", world.user("staff")),
        ("contributor", _contributor(world)),
        ("member", world.user("member")),
    ]:
        client.force_login(user)
        text = client.get("/packages/p/alpha/").text
        wording[name] = (
            "Set this package&#x27;s status" in text or "Set this package's status" in text,
            "Say this package needs a maintainer" in text,
        )

    assert wording == {
        "maintainer": (True, False),
        "staff": (True, False),
        "contributor": (False, True),
        "member": (False, False),
    }
