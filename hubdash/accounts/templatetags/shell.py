"""The shell's header (`{% load shell %}{% shell_header %}`): brand, main navigation and account menu.

Every page draws it, and for one person it is the same on every page of a section: about a millisecond
of template work (the account menu's icons and links) that a cold listing paid each time. So it is drawn
once per process for what it shows (the person's name and Hub account, the section, the account page
being marked) and kept, with a mark for the CSRF token of the sign-out form that each answer fills in.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from hubdash.accounts.account_menu import HubAccount, account_for
from hubdash.core.page_cache import CSRF_MARK
from hubdash.core.templatetags.ui import main_nav

register = template.Library()


@register.simple_tag(takes_context=True)
def shell_header(context: template.Context) -> SafeString:
    request = context["request"]
    user = getattr(request, "user", None)  # none on an error page drawn before authentication
    # Only the account pages mark an item of the account menu: other paths share one drawing.
    path = request.path if request.path.startswith("/account/") else ""
    if user is not None and user.is_authenticated:
        html = _header(user.get_username(), account_for(user), main_nav(request.path), path)
    else:
        html = _header("", None, SafeString(""), path)
    return mark_safe(html.replace(CSRF_MARK, str(context.get("csrf_token", ""))))  # noqa: S308 (our own template; the token is letters and digits)


@lru_cache(maxsize=512)
def _header(username: str, hub_account: HubAccount | None, nav: SafeString, path: str) -> str:
    context: dict[str, Any] = {
        "username": username,
        "hub_account": hub_account,
        "nav": nav,
        "path": path,
        "csrf_token": CSRF_MARK,
    }
    return render_to_string("_shell_header.html", context)
