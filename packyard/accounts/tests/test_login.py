"""Signing in: GitHub's OAuth flow end to end against a local fake GitHub, passwords for staff,
signing out by POST."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from packyard.accounts.models import Profile
from tests.factories import ProfileFactory, UserFactory, member
from tests.fakes.github_oauth import GitHubUser

pytestmark = pytest.mark.django_db


def sign_in_with_github(client, fake, *, next_url: str | None = None):
    """Walk the whole flow: POST to start, GitHub's authorize answer, then the callback."""
    data = {"process": "login", **({"next": next_url} if next_url else {})}
    start = client.post("/accounts/github/login/", data)
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    assert authorize.startswith(fake_base(fake) + "/login/oauth/authorize?")
    # The browser's visit to GitHub, which sends it back with a code (or an error).
    answer = httpx.get(authorize, follow_redirects=False)
    assert answer.status_code == 302
    callback = urlsplit(answer.headers["Location"])
    assert callback.path == "/accounts/github/login/callback/"
    return client.get(f"{callback.path}?{callback.query}")


def fake_base(fake) -> str:
    from django.conf import settings

    return settings.GITHUB_OAUTH_URL


def test_github_sign_in_creates_an_account_with_a_profile(client, github):
    """authorize → callback → token → user: a new person is signed in with their GitHub login."""
    response = sign_in_with_github(client, github, next_url="/grids/")

    assert response.status_code == 302
    assert response["Location"] == "/grids/"
    user = get_user_model().objects.get()
    assert user.username == "Octo-Cat"
    assert not user.has_usable_password()
    profile = Profile.objects.get(user=user)
    assert (profile.github_login, profile.github_id) == ("Octo-Cat", 583231)
    assert profile.github_created_at == datetime(2015, 3, 1, tzinfo=UTC)
    assert profile.name == "The Octocat"
    assert [path for _, path in github.seen] == [
        "/login/oauth/authorize",
        "/login/oauth/access_token",
        "/api/user",
    ]
    page = client.get("/")
    assert "Sign out" in page.text
    assert 'href="/profiles/Octo-Cat/"' in page.text


def test_the_authorize_request_names_the_app_and_the_callback(client, github):
    """Packyard asks GitHub for its own client id, no scopes, and a state to check on return."""
    start = client.post("/accounts/github/login/", {"process": "login"})
    query = parse_qs(urlsplit(start["Location"]).query)

    assert query["client_id"] == ["packyard-test-client"]
    assert query["redirect_uri"] == ["http://testserver/accounts/github/login/callback/"]
    assert query["response_type"] == ["code"]
    assert query["state"][0]
    assert "scope" not in query or query["scope"] == [""]


def test_a_returning_person_gets_the_same_account_and_a_renamed_login(client, github):
    """Signing in again finds the account by GitHub id and follows a login rename."""
    sign_in_with_github(client, github)
    client.post("/accounts/logout/")
    github.signed_in = GitHubUser(login="octo-renamed", id=583231, name="The Octocat")

    sign_in_with_github(client, github)

    user = get_user_model().objects.get()
    assert user.profile.github_login == "octo-renamed"
    assert client.get("/profiles/octo-renamed/").status_code == 200


def test_a_username_taken_by_staff_gets_another_and_the_profile_keeps_the_login(client, github):
    """A GitHub login that is a staff username already gives a new username, same login."""
    UserFactory(username="Octo-Cat", is_staff=True)

    sign_in_with_github(client, github)

    newcomer = get_user_model().objects.exclude(is_staff=True).get()
    assert newcomer.username != "Octo-Cat"
    assert newcomer.profile.github_login == "Octo-Cat"
    page = client.get("/profiles/Octo-Cat/")
    assert "The Octocat" in page.text


def test_a_github_login_reused_after_a_rename_moves_to_its_new_holder(client, github):
    """GitHub frees a login on rename; the new holder's profile takes it, the old one lets go."""
    old = ProfileFactory(github_login="octo-cat", github_id=1)

    sign_in_with_github(client, github)

    old.refresh_from_db()
    assert old.github_login is None
    assert Profile.objects.get(github_login="Octo-Cat").github_id == 583231


def test_a_refused_consent_signs_nobody_in(client, github):
    """When the person cancels on GitHub, no account is made and the page says so."""
    github.deny = True

    response = sign_in_with_github(client, github)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/3rdparty/login/cancelled/"
    assert "Sign-in cancelled" in client.get(response["Location"]).text
    assert not get_user_model().objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_callback_with_a_forged_state_changes_nothing(client, github):
    """A callback whose state this browser never sent is refused without asking GitHub."""
    client.post("/accounts/github/login/", {"process": "login"})
    github.seen.clear()

    response = client.get("/accounts/github/login/callback/", {"code": "x", "state": "forged"})

    assert response.status_code == 401
    assert "did not work" in response.text
    assert not get_user_model().objects.exists()
    assert github.seen == []


def test_a_code_github_does_not_know_signs_nobody_in(client, github):
    """GitHub answering "bad_verification_code" shows the error page; nobody is signed in."""
    start = client.post("/accounts/github/login/", {"process": "login"})
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = client.get("/accounts/github/login/callback/", {"code": "stale", "state": state})

    assert response.status_code == 401
    assert "did not work" in response.text
    assert not get_user_model().objects.exists()


def test_github_login_by_get_only_shows_a_button(client, github):
    """GET on the GitHub login address changes nothing: it asks for a POST with a button."""
    response = client.get("/accounts/github/login/")

    assert response.status_code == 200
    assert 'method="post"' in response.text
    assert "Continue to GitHub" in response.text
    assert github.seen == []


def test_the_login_page_offers_github_and_a_staff_password_form(client, github):
    """The sign-in page has the GitHub button (a POST form) and the staff password form."""
    page = client.get("/accounts/login/")

    assert 'action="/accounts/github/login/"' in page.text
    assert "Sign in with GitHub" in page.text
    assert 'name="password"' in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text


def test_without_a_client_id_the_login_page_says_github_is_not_set_up(client, settings):
    """With no GITHUB_CLIENT_ID the page explains instead of offering a broken button."""
    settings.GITHUB_CLIENT_ID = ""

    page = client.get("/accounts/login/")

    assert "not set up" in page.text
    assert 'action="/accounts/github/login/"' not in page.text


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.usefixtures("fast_passwords")
def test_staff_sign_in_with_a_password(client):
    """A staff member signs in with username and password."""
    user = UserFactory(username="editor", is_staff=True)
    user.set_password("a long staff password")
    user.save()

    response = client.post(
        "/accounts/login/", {"login": "editor", "password": "a long staff password"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.usefixtures("fast_passwords")
def test_a_password_is_refused_to_people_who_are_not_staff(client):
    """Passwords are for staff: a member with one is told to use GitHub and stays signed out."""
    user = member("someone")
    user.set_password("a long member password")
    user.save()

    response = client.post(
        "/accounts/login/", {"login": "someone", "password": "a long member password"}
    )

    assert response.status_code == 200
    assert "Sign in with GitHub instead" in response.text
    assert "_auth_user_id" not in client.session


def test_sign_up_by_password_is_not_offered(client):
    """There is no password sign-up address: accounts come from GitHub."""
    assert client.get("/accounts/signup/").status_code == 404
    assert client.get("/accounts/password/reset/").status_code == 404


def test_sign_out_is_a_post_and_get_only_asks(client):
    """GET on the sign-out address shows a button; the POST signs out."""
    client.force_login(member())

    asked = client.get("/accounts/logout/")
    assert asked.status_code == 200
    assert "_auth_user_id" in client.session
    assert 'method="post"' in asked.text

    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_the_csrf_token():
    """A cross-site POST cannot sign a person out."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(member())

    assert client.post("/accounts/logout/").status_code == 403
    assert "_auth_user_id" in client.session


def test_sign_in_attempts_are_rate_limited(client, github, settings):
    """Past RATE_LIMITS["logins"] a sign-in attempt answers 429 and GitHub is not asked."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "logins": "2/m"}

    answers = [client.post("/accounts/github/login/", {"process": "login"}) for _ in range(3)]
    password = client.post("/accounts/login/", {"login": "x", "password": "y"})

    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert password.status_code == 429
    assert "too many sign-in attempts" in password.text
