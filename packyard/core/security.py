"""Security headers on every answer: Content-Security-Policy and Permissions-Policy.

The policies themselves are settings (`SECURE_CSP`, `PERMISSIONS_POLICY`); the README's
"Production" section says what each allows and why.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware import csp


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy() -> dict[str, object]:
    """Return `SECURE_CSP` with GitHub's sign-in address among the form targets.

    "Sign in with GitHub" posts to Packyard, which answers with a redirect to
    `GITHUB_OAUTH_URL`, and Chromium checks form-action against that redirect too. The setting
    is read at each answer, as a GitHub Enterprise server or a test may change it.
    """
    policy: dict[str, object] = dict(settings.SECURE_CSP)
    github = _origin(settings.GITHUB_OAUTH_URL)
    form_action = policy.get("form-action")
    if github and isinstance(form_action, list | tuple) and github not in form_action:
        policy["form-action"] = [*form_action, github]
    return policy


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's Content-Security-Policy middleware, with GitHub's sign-in origin allowed."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """Send the site's policy, unless the view chose its own (Django's `csp_override`)."""
        if not hasattr(response, "_csp_config"):
            response._csp_config = content_security_policy()  # type: ignore[attr-defined]
        return super().process_response(request, response)


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """Render `PERMISSIONS_POLICY` as the header's value (an empty list denies a feature)."""
    return ", ".join(
        f"{feature}=({' '.join(origins)})" for feature, origins in sorted(policy.items())
    )


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` on every answer, denying the browser features no page uses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
