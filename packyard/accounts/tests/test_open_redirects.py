"""Every `next` a person can be sent on stays on this site, whatever it is made to hold."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.factories import FetchedPackageFactory, UserFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.attack]

# Ways of writing another site's address that browsers follow and naive checks let through.
ELSEWHERE = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    " https://evil.example/",
    "https://testserver@evil.example/",
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "/%2F%2Fevil.example",  # A path on this site (an encoded slash separates nothing).
]


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def stays_here(response) -> bool:
    """The answer sends the browser to this site (a path, or testserver), or nowhere."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return True
    target = response["Location"]
    parts = urlsplit(target)
    return (
        parts.scheme in ("", "http", "https")
        and parts.netloc in ("", "testserver")
        and not target.lstrip().startswith(("//", "\\", "/\\"))
        and "evil.example" not in parts.netloc
    )


@pytest.mark.usefixtures("fast_passwords")
@pytest.mark.parametrize("target", ELSEWHERE)
def test_signing_in_never_sends_you_elsewhere(client, target):
    """Staff password sign-in with a hostile `next` (in the address and in the form)."""
    user = UserFactory(username="editor", is_staff=True)
    user.set_password("a long staff password")
    user.save()

    response = client.post(
        f"/accounts/login/?next={target}",
        {"login": "editor", "password": "a long staff password", "next": target},
    )

    assert response.status_code in (200, 302, 303)
    assert stays_here(response), response["Location"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_signing_out_never_sends_you_elsewhere(client, target):
    client.force_login(member("someone"))

    response = client.post("/accounts/logout/", {"next": target})

    assert stays_here(response), response["Location"]


@pytest.mark.parametrize("target", ELSEWHERE)
@pytest.mark.parametrize("mark", ["favourite", "use"])
def test_marking_a_package_never_sends_you_elsewhere(client, target, mark):
    """The favourite and "I use this" buttons go back to the page named by `next`: only ours."""
    package = FetchedPackageFactory()
    client.force_login(member("someone"))

    response = client.post(f"/packages/p/{package.slug}/{mark}/", {"next": target})

    assert response.status_code == 303
    assert stays_here(response), response["Location"]


def test_a_next_on_this_site_is_followed(client):
    """The check is not a blanket refusal: a path on this site is where you go back to."""
    package = FetchedPackageFactory()
    client.force_login(member("someone"))

    response = client.post(f"/packages/p/{package.slug}/favourite/", {"next": "/grids/"})

    assert response["Location"] == "/grids/"
