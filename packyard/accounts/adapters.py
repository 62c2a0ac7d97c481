"""How allauth makes and signs in accounts here: GitHub creates them, passwords are for staff."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from packyard.accounts import services


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Refuse sign-up by password: accounts come from GitHub (staff are made by staff)."""
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        """Let anyone with a GitHub account make a Packyard account by signing in."""
        return True

    def list_apps(self, request: HttpRequest, provider: Any = None, client_id: Any = None) -> Any:
        """Return the GitHub OAuth app from settings (GITHUB_CLIENT_ID), read at call time."""
        from allauth.socialaccount.models import SocialApp

        if not settings.GITHUB_CLIENT_ID or provider not in (None, "github"):
            return []
        if client_id and client_id != settings.GITHUB_CLIENT_ID:
            return []
        return [
            SocialApp(
                provider="github",
                name="GitHub",
                client_id=settings.GITHUB_CLIENT_ID,
                secret=settings.GITHUB_CLIENT_SECRET,
            )
        ]

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        """Save a new account and give it a profile with its GitHub login."""
        user = super().save_user(request, sociallogin, form)
        services.profile_set_from_github(user=user, github=sociallogin.account.extra_data)
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        """Keep a returning person's profile in step with GitHub (a renamed login, say)."""
        if sociallogin.is_existing:
            services.profile_set_from_github(
                user=sociallogin.user, github=sociallogin.account.extra_data
            )


def github_login_enabled() -> bool:
    """Tell whether GitHub sign-in is configured (GITHUB_CLIENT_ID is set)."""
    return bool(settings.GITHUB_CLIENT_ID)
