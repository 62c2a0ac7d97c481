"""Each grid column's favourite and "I use this" buttons as HTML, built in Python once per page.

Through `{% include %}` of `accounts/includes/marks.html`, its `{% can %}` and four `{% url %}`,
the buttons cost about a quarter of a big grid page. Here each address is reversed once and a
column's slug put into it, and the address to come back to is escaped once. The markup is the
one `accounts/includes/marks.html` renders with `compact`, byte for byte; the package page and
the buttons' own answers still use that template.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# The standard library's escape, as Django's does it without its lazy-string check.
from html import escape

from django.middleware.csrf import get_token
from django.utils.safestring import SafeString

from packyard.accounts.permissions import Action, can
from packyard.accounts.selectors import Marks
from packyard.core.types import HtmxHttpRequest
from packyard.core.urls import address_around_slug
from packyard.grids.selectors import Column


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def column_marks(
    request: HtmxHttpRequest, *, columns: Sequence[Column], marks: Mapping[int, Marks]
) -> dict[int, SafeString]:
    """Return each column's buttons (or counts, for who may not mark) by package id."""
    user = request.user
    hidden = ""  # The forms' hidden fields, made for the first column that has the forms.
    favourite_before, favourite_after = address_around_slug("accounts:favourite")
    use_before, use_after = address_around_slug("accounts:use")
    html = {}
    # Nobody signed out may mark: asked once, not for each of a big grid's columns.
    signed_in = user.is_authenticated
    for column in columns:
        package = column.package
        mark = marks.get(package.pk) or Marks()
        head = f'<div class="marks marks-compact" id="marks-{package.pk}">\n  \n  '
        if not signed_in or not can(user, Action.FAVOURITE, package):
            html[package.pk] = SafeString(  # Safe: numbers only.
                f'{head}\n  <span class="small muted">★ {mark.favourites} '
                f"favourite{_plural(mark.favourites)} · ✓ {mark.users} "
                f"user{_plural(mark.users)}</span>\n  \n</div>\n\n"
            )
            continue
        if not hidden:
            # Only the forms ask for a CSRF token: a page without them sets no CSRF cookie.
            here = escape(request.htmx.current_url or request.get_full_path())
            hidden = (
                '<input type="hidden" name="csrfmiddlewaretoken" '
                f'value="{escape(get_token(request))}">'
                f'<input type="hidden" name="next" value="{here}">'
                '<input type="hidden" name="compact" value="1">'
            )
        slug = escape(package.slug)
        favourite_url = f"{favourite_before}{slug}{favourite_after}"
        use_url = f"{use_before}{slug}{use_after}"
        target = f'hx-target="#marks-{package.pk}" hx-swap="outerHTML" class="inline-form"'
        html[package.pk] = SafeString(  # Safe: every part is escaped above.
            f"{head}\n  \n"
            f'  <form method="post" action="{favourite_url}" hx-post="{favourite_url}" {target}>\n'
            f"    {hidden}\n"
            f'    <button type="submit" class="small-button{"" if mark.favourited else " outline"}"'
            f' aria-pressed="{"true" if mark.favourited else "false"}" title="'
            f"{'Remove from your favourites' if mark.favourited else 'Add to your favourites'}"
            f'">★ <span class="mark-count">{mark.favourites}</span><span class="visually-hidden">'
            f" favourite{_plural(mark.favourites)}</span></button>\n"
            "  </form>\n"
            f'  <form method="post" action="{use_url}" hx-post="{use_url}" {target}>\n'
            f"    {hidden}\n"
            f'    <button type="submit" class="small-button{"" if mark.used else " outline"}"'
            f' aria-pressed="{"true" if mark.used else "false"}" title="'
            f"{'Take back “I use this”' if mark.used else 'Say you use this package'}"
            f'">✓ <span class="mark-count">{mark.users}</span><span class="visually-hidden">'
            f" user{_plural(mark.users)}</span></button>\n"
            "  </form>\n  \n  \n</div>\n\n"
        )
    return html
