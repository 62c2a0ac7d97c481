"""The permission policy in templates: show exactly the actions a person may take.

{% load accounts %}
{% permissions_for package as may %}{% if may.edit_package %}...{% endif %}
{% can "edit_cell" grid as may_edit %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from packyard.accounts import permissions

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def can(context: template.Context, action: str, thing: Any = None) -> bool:
    """Tell whether the person viewing the page may take `action` on `thing`."""
    user = _user(context)
    return user is not None and permissions.can(user, action, thing)


@register.simple_tag(takes_context=True)
def permissions_for(context: template.Context, thing: Any = None) -> dict[str, bool]:
    """Return every action on `thing` (a package, a grid, or the site) with yes or no."""
    user = _user(context)
    if user is None:
        return {}
    return permissions.permissions_for(user, thing)


@register.simple_tag(takes_context=True)
def is_new_account(context: template.Context) -> bool:
    """Tell whether the viewer's account is too young to edit (it may propose)."""
    user = _user(context)
    return user is not None and permissions.is_new_account(user)


@register.filter
def profile_url(user: Any) -> str:
    """Return a person's profile address (by username, which the profile page also finds)."""
    if user is None:
        return ""
    return reverse("accounts:profile", kwargs={"login": user.get_username()})


@register.simple_tag
def github_login_enabled() -> bool:
    """Tell whether GitHub sign-in is configured on this site."""
    from packyard.accounts.adapters import github_login_enabled as enabled

    return enabled()


@register.simple_tag
def new_account_days() -> int:
    """Return how many days a new account may only propose (settings.NEW_ACCOUNT_DAYS)."""
    from django.conf import settings

    return int(settings.NEW_ACCOUNT_DAYS)
