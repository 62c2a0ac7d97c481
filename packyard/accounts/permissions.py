"""The one permission policy: who may do what, for views, templates and the API alike.

Four roles, decided per object:

- **anonymous**: reads everything, changes nothing (every action sends them to sign in);
- **member**: a signed-in person. Any member marks favourites and "I use this", flags bad
  data, proposes a deprecation or a site, and asks for fresh facts. Members whose account is
  older than ``settings.NEW_ACCOUNT_DAYS`` also *edit*: add and edit packages, create and edit
  grids, add packages and features to grids, reorder features and write cells. Newer accounts
  may only propose. An account's age counts from its GitHub account's creation (as GitHub's
  API reported it at sign-in), or from joining Packyard when there is no GitHub account;
- **steward** of a package or grid: appointed by staff (a `Stewardship`), or the grid's
  creator, or one of the package's contributors by GitHub login. Besides what members do, a
  steward changes the package's repository URL or slug, says the package needs a
  maintainer, changes the grid's slug, deletes features, removes packages from the grid, and
  edits the grid when it is locked;
- **staff**: everything, and alone they lock grids, revert changes, review proposals and
  mark a package deprecated or replaced.

A locked grid is edited only by staff and its stewards. A person edits only their own profile.
`decide` says yes or no and why; `require` turns a no into the right answer for a view
(a redirect to sign in, or 403 with the reason); `permissions_for` gives templates every
answer for one object so the page shows exactly the actions the person may take.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect
from rest_framework.permissions import SAFE_METHODS, BasePermission

from packyard.catalog.models import Package
from packyard.core.repositories import RepositoryHost
from packyard.grids.models import Grid

if TYPE_CHECKING:
    from packyard.accounts.models import Profile

Visitor = User | AnonymousUser


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    MEMBER = "member"
    STEWARD = "steward"
    STAFF = "staff"


class Action(StrEnum):
    """Everything a person can do that changes data (and reading other people's records)."""

    # Any member, new accounts included: marks and proposals.
    FAVOURITE = "favourite"
    USE = "use"
    FLAG = "flag"
    PROPOSE_DEPRECATION = "propose_deprecation"
    PROPOSE_SITE = "propose_site"
    REFRESH = "refresh"
    VIEW_PEOPLE = "view_people"
    EDIT_PROFILE = "edit_profile"
    # Members whose account is old enough.
    ADD_PACKAGE = "add_package"
    EDIT_PACKAGE = "edit_package"
    ADD_GRID = "add_grid"
    EDIT_GRID = "edit_grid"
    ADD_GRID_PACKAGE = "add_grid_package"
    ADD_FEATURE = "add_feature"
    EDIT_FEATURE = "edit_feature"
    MOVE_FEATURE = "move_feature"
    EDIT_CELL = "edit_cell"
    # Stewards and staff.
    CHANGE_PACKAGE_IDENTITY = "change_package_identity"
    CHANGE_GRID_SLUG = "change_grid_slug"
    DELETE_FEATURE = "delete_feature"
    REMOVE_GRID_PACKAGE = "remove_grid_package"
    # Stewards and staff: say a package needs a maintainer (and why).
    SET_STATUS = "set_status"
    # A package's maintainers (appointed stewards) and staff: deprecated, replaced by.
    DEPRECATE = "deprecate"
    # Staff.
    LOCK_GRID = "lock_grid"
    REVERT = "revert"
    MODERATE = "moderate"


PROPOSALS = frozenset(
    {
        Action.FAVOURITE,
        Action.USE,
        Action.FLAG,
        Action.PROPOSE_DEPRECATION,
        Action.PROPOSE_SITE,
        Action.REFRESH,
        Action.VIEW_PEOPLE,
        Action.EDIT_PROFILE,
    }
)
EDITS = frozenset(
    {
        Action.ADD_PACKAGE,
        Action.EDIT_PACKAGE,
        Action.ADD_GRID,
        Action.EDIT_GRID,
        Action.ADD_GRID_PACKAGE,
        Action.ADD_FEATURE,
        Action.EDIT_FEATURE,
        Action.MOVE_FEATURE,
        Action.EDIT_CELL,
    }
)
STEWARD_ACTIONS = frozenset(
    {
        Action.CHANGE_PACKAGE_IDENTITY,
        Action.CHANGE_GRID_SLUG,
        Action.DELETE_FEATURE,
        Action.REMOVE_GRID_PACKAGE,
        Action.SET_STATUS,
    }
)
# A contributor's rival fork is the risk in "replaced by": only the people who answer for the
# package (appointed in the admin) and staff say it is over; its contributors propose it.
MAINTAINER_ACTIONS = frozenset({Action.DEPRECATE})
STAFF_ACTIONS = frozenset({Action.LOCK_GRID, Action.REVERT, Action.MODERATE})
# Edits of a grid's contents: refused on a locked grid to all but its stewards and staff.
GRID_EDITS = frozenset(
    {
        Action.EDIT_GRID,
        Action.ADD_GRID_PACKAGE,
        Action.ADD_FEATURE,
        Action.EDIT_FEATURE,
        Action.MOVE_FEATURE,
        Action.EDIT_CELL,
    }
)
# The actions that apply to each kind of object, for `permissions_for`.
PACKAGE_ACTIONS = (
    Action.FAVOURITE,
    Action.USE,
    Action.FLAG,
    Action.PROPOSE_DEPRECATION,
    Action.PROPOSE_SITE,
    Action.REFRESH,
    Action.EDIT_PACKAGE,
    Action.CHANGE_PACKAGE_IDENTITY,
    Action.SET_STATUS,
    Action.DEPRECATE,
    Action.REVERT,
)
GRID_ACTIONS = (
    *sorted(GRID_EDITS),
    Action.CHANGE_GRID_SLUG,
    Action.DELETE_FEATURE,
    Action.REMOVE_GRID_PACKAGE,
    Action.LOCK_GRID,
    Action.REVERT,
)
SITE_ACTIONS = (Action.ADD_PACKAGE, Action.ADD_GRID, Action.MODERATE, Action.VIEW_PEOPLE)


@dataclass(frozen=True)
class Decision:
    """The answer to "may this person do this?", with the reason when it is no."""

    allowed: bool
    reason: str = ""
    needs_login: bool = False

    def __bool__(self) -> bool:
        return self.allowed


YES = Decision(allowed=True)
SIGN_IN = Decision(allowed=False, reason="Sign in to do this.", needs_login=True)


def profile_of(user: Visitor) -> Profile | None:
    """Return a signed-in person's profile, or None (staff may have none)."""
    if not user.is_authenticated:
        return None
    try:
        profile: Profile = user.profile
        return profile
    except ObjectDoesNotExist:
        return None


def account_started(user: User) -> datetime:
    """Return when a person's account began: on GitHub if it is older, else on Packyard."""
    joined: datetime = getattr(user, "date_joined", None) or timezone.now()
    profile = profile_of(user)
    if profile is not None and profile.github_created_at is not None:
        return min(joined, profile.github_created_at)
    return joined


def is_new_account(user: Visitor) -> bool:
    """Tell whether a signed-in person's account is too young to edit (it may propose)."""
    if not user.is_authenticated or user.is_staff:
        return False
    age = timezone.now() - account_started(user)
    return age < timedelta(days=settings.NEW_ACCOUNT_DAYS)


def _stewardships(user: User) -> frozenset[tuple[str, int]]:
    """Return what a person stewards by appointment, read once per request's user."""
    cached: frozenset[tuple[str, int]] | None = getattr(user, "_packyard_stewardships", None)
    if cached is None:
        from packyard.accounts.models import Stewardship

        rows = Stewardship.objects.filter(user=user).values_list("package_id", "grid_id")
        cached = frozenset(
            ("package", package_id) if package_id is not None else ("grid", grid_id)
            for package_id, grid_id in rows
        )
        user._packyard_stewardships = cached  # type: ignore[attr-defined]
    return cached


def is_steward(user: Visitor, thing: Any) -> bool:
    """Tell whether a person stewards a package or a grid."""
    if not user.is_authenticated or not isinstance(user, User):
        return False
    if isinstance(thing, Grid):
        return thing.created_by_id == user.pk or ("grid", thing.pk) in _stewardships(user)
    if isinstance(thing, Package):
        if ("package", thing.pk) in _stewardships(user):
            return True
        # Contributors are GitHub logins only on github.com: other hosts list names that a
        # GitHub account of the same name has nothing to do with.
        if thing.repo_host != RepositoryHost.GITHUB or thing.repo_domain != "github.com":
            return False
        profile = profile_of(user)
        login = (profile.github_login or "").lower() if profile else ""
        contributors: list[str] = thing.contributors or []
        return bool(login) and login in {name.lower() for name in contributors}
    return False


def is_maintainer(user: Visitor, package: Any) -> bool:
    """Tell whether a person is appointed to answer for a package (not only a contributor)."""
    if not user.is_authenticated or not isinstance(user, User):
        return False
    return isinstance(package, Package) and ("package", package.pk) in _stewardships(user)


def role_of(user: Visitor, thing: Any = None) -> Role:
    """Return a person's role towards a package, a grid, or the site (`thing` None)."""
    if not user.is_authenticated:
        return Role.ANONYMOUS
    if user.is_staff:
        return Role.STAFF
    if thing is not None and is_steward(user, thing):
        return Role.STEWARD
    return Role.MEMBER


def _newcomer_refusal() -> Decision:
    days = settings.NEW_ACCOUNT_DAYS
    return Decision(
        allowed=False,
        reason=(
            f"Accounts younger than {days} day{'s' if days != 1 else ''} may only propose "
            "changes: flag wrong data, propose a deprecation or a site, mark favourites."
        ),
    )


def decide(user: Visitor, action: Action, thing: Any = None) -> Decision:
    """Say whether `user` may take `action` on `thing` (a package, grid or profile), and why."""
    if not user.is_authenticated:
        return SIGN_IN
    if not user.is_active:
        return Decision(allowed=False, reason="This account is not active.")
    role = role_of(user, thing)
    if action is Action.EDIT_PROFILE:
        owner_id = getattr(thing, "user_id", getattr(thing, "pk", None))
        if owner_id != user.pk:
            return Decision(allowed=False, reason="You can only edit your own profile.")
        return YES
    if action in PROPOSALS:
        return YES
    if role is Role.STAFF:
        return YES
    if action in STAFF_ACTIONS:
        return Decision(allowed=False, reason="Only staff may do this.")
    if action in MAINTAINER_ACTIONS:
        if is_maintainer(user, thing):
            return YES
        return Decision(
            allowed=False,
            reason=(
                "Only the package's maintainers and staff mark it deprecated or replaced; "
                "propose it from the package's page instead."
            ),
        )
    if action in STEWARD_ACTIONS:
        if role is Role.STEWARD:
            return YES
        what = "package" if isinstance(thing, Package) else "grid"
        return Decision(allowed=False, reason=f"Only the {what}'s stewards and staff may do this.")
    if action in EDITS:
        if isinstance(thing, Grid) and thing.is_locked and action in GRID_EDITS:
            if role is Role.STEWARD:
                return YES
            return Decision(
                allowed=False, reason="This grid is locked: only staff and its stewards edit it."
            )
        if role is not Role.STEWARD and is_new_account(user):
            return _newcomer_refusal()
        return YES
    return Decision(allowed=False, reason="Nobody may do this.")


def can(user: Visitor, action: Action | str, thing: Any = None) -> bool:
    """Return whether `user` may take `action` on `thing`."""
    return decide(user, Action(action), thing).allowed


def permissions_for(user: Visitor, thing: Any = None) -> dict[str, bool]:
    """Return every action that applies to `thing` with whether `user` may take it."""
    if isinstance(thing, Package):
        actions: tuple[Action, ...] = PACKAGE_ACTIONS
    elif isinstance(thing, Grid):
        actions = GRID_ACTIONS
    else:
        actions = SITE_ACTIONS
    return {str(action): decide(user, action, thing).allowed for action in actions}


def require(request: HttpRequest, action: Action, thing: Any = None) -> HttpResponse | None:
    """Return the refusal a view should answer with, or None when the action is allowed.

    Anonymous people are sent to sign in (htmx requests by HX-Redirect, so the sign-in page
    replaces the whole page); others get 403 with the reason.
    """
    decision = decide(request.user, action, thing)
    if decision.allowed:
        return None
    if decision.needs_login:
        if getattr(request, "htmx", False):
            page = request.headers.get("HX-Current-URL") or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(page)["Location"])
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(decision.reason)


class PolicyPermission(BasePermission):
    """The policy for Django REST framework views: set `policy_action` on the view.

    Reads are open; a request that would change data needs the view's action allowed,
    for the object when there is one (`has_object_permission`).
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        action = getattr(view, "policy_action", None)
        return action is not None and can(request.user, action)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        action = getattr(view, "policy_action", None)
        return action is not None and can(request.user, action, obj)
