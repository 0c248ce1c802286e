"""The shell's header (`{% load shell %}{% shell_header %}`): brand, main navigation and account menu.

Every page draws it, and for one person it is the same on every page of a section: about a millisecond
of template work (the account menu's icons and links) that a cold listing paid each time. So it is drawn
once per process for what it shows (the person's name and Hub account, the section, the account page
being marked) and kept. It holds no CSRF token: its sign-out button is an htmx post (hubdash.js sends the
CSRF cookie's token), and listing pages kept whole (repos.views.listing) show it too.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from hubdash.accounts.account_menu import HubAccount, account_for
from hubdash.accounts.permissions import is_admin
from hubdash.core.templatetags.ui import main_nav

register = template.Library()


@register.simple_tag(takes_context=True)
def shell_header(context: template.Context) -> SafeString:
    request = context["request"]
    get_token(request)  # every page sets the CSRF cookie, whose token htmx sends (hubdash.js)
    user = getattr(request, "user", None)  # none on an error page drawn before authentication
    # Only the account pages mark an item of the account menu: other paths share one drawing.
    path = request.path if request.path.startswith("/account/") else ""
    if user is not None and user.is_authenticated:
        return _header(user.get_username(), account_for(user), main_nav(request.path, is_admin(user)), path)
    return _header("", None, SafeString(""), path)


@lru_cache(maxsize=512)
def _header(username: str, hub_account: HubAccount | None, nav: SafeString, path: str) -> SafeString:
    context = {"username": username, "hub_account": hub_account, "nav": nav, "path": path}
    return render_to_string("_shell_header.html", context)
