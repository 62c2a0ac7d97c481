"""Sign-in with GitHub: allauth's GitHub OAuth adapter, with GitHub's addresses from settings.

allauth's own adapter reads its addresses once, when it is imported; this one reads
``GITHUB_OAUTH_URL`` (authorize and token) and ``GITHUB_API_URL`` (the signed-in user) on
every request, so GitHub Enterprise works and tests point them at a local fake GitHub.
Flow: https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
"""

from __future__ import annotations

from allauth.socialaccount.providers.github.provider import (
    GitHubProvider as AllauthGitHubProvider,
)
from allauth.socialaccount.providers.github.views import (
    GitHubOAuth2Adapter as AllauthGitHubOAuth2Adapter,
)
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings


class GitHubOAuth2Adapter(AllauthGitHubOAuth2Adapter):  # type: ignore[misc]
    """GitHub's OAuth endpoints and user API, at the addresses settings give."""

    @property
    def web_url(self) -> str:
        return str(settings.GITHUB_OAUTH_URL).rstrip("/")

    @property
    def api_url(self) -> str:
        return str(settings.GITHUB_API_URL).rstrip("/")

    @property
    def access_token_url(self) -> str:
        return f"{self.web_url}/login/oauth/access_token"

    @property
    def authorize_url(self) -> str:
        return f"{self.web_url}/login/oauth/authorize"

    @property
    def profile_url(self) -> str:
        return f"{self.api_url}/user"

    @property
    def emails_url(self) -> str:
        return f"{self.api_url}/user/emails"


class GitHubProvider(AllauthGitHubProvider):  # type: ignore[misc]
    """allauth's GitHub provider with the adapter above (settings SOCIALACCOUNT_PROVIDERS)."""

    oauth2_adapter_class = GitHubOAuth2Adapter
    package = "allauth.socialaccount.providers.github"


oauth2_login = OAuth2LoginView.adapter_view(GitHubOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(GitHubOAuth2Adapter)
