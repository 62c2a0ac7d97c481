"""Sign-in addresses, at allauth's names (its views reverse them) and only those used here.

GitHub sign-in for everyone, a password for staff, sign-out by POST. allauth's sign-up,
e-mail and password-reset pages are left out: accounts come from GitHub.
"""

from __future__ import annotations

from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from django.urls import path

from packyard.accounts import github
from packyard.pages.accounts.views import github_configured
from packyard.pages.ratelimits import limit_logins

urlpatterns = [
    path("login/", limit_logins(account_views.login), name="account_login"),
    path("logout/", account_views.logout, name="account_logout"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path(
        "github/login/",
        github_configured(limit_logins(github.oauth2_login)),
        name="github_login",
    ),
    path(
        "github/login/callback/",
        github_configured(limit_logins(github.oauth2_callback)),
        name="github_callback",
    ),
    path(
        "3rdparty/login/cancelled/",
        social_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path("3rdparty/login/error/", social_views.login_error, name="socialaccount_login_error"),
    path("3rdparty/signup/", social_views.signup, name="socialaccount_signup"),
]
